/**
 * The import rules (.dependency-cruiser.cjs, docs/architecture.md "Import
 * rules") hold for the code, and a rule-breaking import makes this test fail:
 * dependency-cruiser run on the real tree, and on a small fixture tree that
 * breaks every rule once, next to imports the rules allow.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { REPO_ROOT } from '../helpers/fleet-processes.js';

const CONFIG = join(REPO_ROOT, '.dependency-cruiser.cjs');
const DEPCRUISE = join(REPO_ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');

function depcruise(cwd: string, paths: string[]): { code: number | null; out: string } {
  const run = spawnSync(process.execPath, [DEPCRUISE, '--config', CONFIG, '--output-type', 'err-long', ...paths], { cwd, encoding: 'utf8', timeout: 120_000 });
  return { code: run.status, out: `${run.stdout}${run.stderr}` };
}

/** Files of the fixture tree: path → source. */
const FIXTURE: Record<string, string> = {
  'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true }, include: ['services', 'shared'] }),
  // shared/ reaching into a service.
  'shared/api/leaky.ts': "import { route } from '../../services/coordinator/domain/route.js';\nexport const leaky = route;\n",
  // The coordinator reaching into the shard's engine (the old route-by-terms → text-analysis import).
  'services/coordinator/domain/route.ts': "import { analyse } from '../../shard/engines/lexical/analyse.js';\nexport const route = analyse;\n",
  // An engine using Redis and HTTP.
  'services/shard/engines/lexical/analyse.ts':
    "import { Redis } from 'ioredis';\nimport { createServer } from 'node:http';\nexport const analyse = [Redis, createServer].length;\n",
  'services/shard/config.ts': 'export const shardConfig = 1;\n',
  // The shard reaching into the coordinator, and the coordinator into a client.
  'services/shard/worker/job.ts': "import { start } from '../../coordinator/start.js';\nexport const job = start;\n",
  'services/coordinator/http/ask.ts': "import { format } from '../../mcp/format.js';\nexport const ask = format;\n",
  'services/shard/heap-limit.ts': 'export const heap = 1;\n',
  'services/coordinator/start.ts': 'export const start = 1;\n',
  // A client using coordinator internals.
  'services/mcp/format.ts': "import { route } from '../coordinator/domain/route.js';\nexport const format = route;\n",
  // The allowed exceptions: the service commands start services, `up` takes the shard's node flags; but nothing more.
  'services/cli/commands/service-commands.ts':
    "import { start } from '../../coordinator/start.js';\nimport { shardConfig } from '../../shard/config.js';\nimport { route } from '../../coordinator/domain/route.js';\nexport const commands = start + shardConfig + route;\n",
  'services/cli/up/fleet.ts':
    "import { heap } from '../../shard/heap-limit.js';\nimport { route } from '../../coordinator/domain/route.js';\nexport const fleet = heap + route;\n",
  // A cycle between two route modules.
  'services/coordinator/http/server.ts': "import type { Deps } from './routes.js';\nexport interface Server { deps: Deps }\n",
  'services/coordinator/http/routes.ts': "import type { Server } from './server.js';\nexport interface Deps { server?: Server }\n",
};

describe('import rules (dependency-cruiser)', () => {
  const fixture = mkdtempSync(join(tmpdir(), 'memfleet-import-rules-'));
  after(() => rmSync(fixture, { recursive: true, force: true }));

  test('When the real services and shared/ are checked, then no rule is broken', () => {
    const { code, out } = depcruise(REPO_ROOT, ['services', 'shared']);
    assert.equal(code, 0, out);
    assert.match(out, /no dependency violations found/);
  });

  test('When a fixture tree breaks each rule once, then the check fails naming each import and the reason', () => {
    for (const [path, text] of Object.entries(FIXTURE)) {
      mkdirSync(dirname(join(fixture, path)), { recursive: true });
      writeFileSync(join(fixture, path), text);
    }
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(fixture, 'node_modules'), 'dir');
    const { code, out } = depcruise(fixture, ['services', 'shared']);
    assert.notEqual(code, 0, out);
    const broken = (rule: string, from: string, to: string) =>
      assert.ok(out.includes(`error ${rule}: ${from} → ${to}`), `expected ${rule}: ${from} → ${to} in:\n${out}`);
    broken('shared-imports-no-service', 'shared/api/leaky.ts', 'services/coordinator/domain/route.ts');
    broken('coordinator-not-shard', 'services/coordinator/domain/route.ts', 'services/shard/engines/lexical/analyse.ts');
    broken('shard-not-coordinator', 'services/shard/worker/job.ts', 'services/coordinator/start.ts');
    broken('services-not-clients', 'services/coordinator/http/ask.ts', 'services/mcp/format.ts');
    broken('cli-starts-services-only', 'services/cli/commands/service-commands.ts', 'services/coordinator/domain/route.ts');
    broken('clients-only-shared', 'services/mcp/format.ts', 'services/coordinator/domain/route.ts');
    broken('up-starts-services-only', 'services/cli/up/fleet.ts', 'services/coordinator/domain/route.ts');
    assert.match(out, /error engines-no-redis: services\/shard\/engines\/lexical\/analyse\.ts → \S*node_modules\/ioredis\//);
    assert.match(out, /error engines-no-http: services\/shard\/engines\/lexical\/analyse\.ts → (node:)?http\n/);
    assert.match(out, /error no-circular: services\/coordinator\/http\/(server|routes)\.ts →/);
    // Every rule broken prints its one-line reason.
    const flat = out.replace(/\s+/g, ' ');
    const rules = (createRequire(import.meta.url)(CONFIG) as { forbidden: { name: string; comment: string }[] }).forbidden;
    for (const rule of rules.filter((r) => out.includes(`error ${r.name}:`))) assert.ok(flat.includes(rule.comment), `${rule.name} should print its reason`);
    assert.ok(rules.every((r) => r.comment.length > 20 && !r.comment.includes('\n')), 'each rule has a one-line reason');
    assert.deepEqual(rules.filter((r) => !out.includes(`error ${r.name}:`)).map((r) => r.name), [], 'the fixture breaks every rule');
    // The allowed imports are not reported.
    assert.doesNotMatch(out, /service-commands\.ts → services\/(coordinator\/start|shard\/config)\.ts/);
    assert.doesNotMatch(out, /fleet\.ts → services\/shard\/heap-limit\.ts/);
  });
});
