/**
 * The built CLI as scripts and people use it: `memfleet ask` and `status`
 * against a live fixture fleet (behind an API token), checking stdout, the
 * exit codes scripts rely on (0 answered, 2 nothing found, 1 error), --json,
 * plain output when piped, colour and progress only on a terminal.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CLI, freePort } from '../helpers/fleet-processes.js';
import { startFixtureFleet, type FixtureFleet } from '../helpers/fixture-fleet.js';

const TOKEN = 'cli-e2e-test-token-0123456789abcdef';
const ANSI = /\x1b\[/;
const SGR = /\x1b\[\d+(;\d+)*m/;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : null) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

function cliWithInput(args: string[], input: string, env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : null) : 0;
      resolve({ code, stdout, stderr });
    });
    child.stdin?.end(input);
  });
}

function hasScript(): boolean {
  try {
    execFileSync('script', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Runs the CLI under a pseudo-terminal (util-linux `script`), so stdout and stderr are TTYs. */
function cliOnTty(args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  const command = [process.execPath, CLI, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return new Promise((resolve) => {
    execFile('script', ['-qec', command, '/dev/null'], { env: { PATH: process.env.PATH, HOME: process.env.HOME, TERM: 'xterm', ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : null) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('memfleet CLI against a live fleet', () => {
  let fleet: FixtureFleet;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    fleet = await startFixtureFleet({ coordinatorEnv: { MEMFLEET_API_TOKEN: TOKEN }, token: TOKEN });
    env = { MEMFLEET_URL: fleet.coordinator.url, MEMFLEET_API_TOKEN: TOKEN };
  });

  after(async () => {
    await fleet?.stop();
  });

  test('When ask finds an answer, then it prints the citations as plain text and exits 0', async () => {
    const run = await cli(['ask', 'Who is the captain of the schooner Albatross?'], env);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Ilse Varga/);
    assert.match(run.stdout, /\[1\] harbor\/ships\.txt:\d+/);
    assert.match(run.stdout, /Shards: .*harbor ok/);
    assert.doesNotMatch(run.stdout, ANSI, 'no escape codes when stdout is a pipe');
    assert.doesNotMatch(run.stderr, ANSI, 'no progress line when stderr is a pipe');
  });

  test('When a note is remembered from stdin and from a file, then ask cites it, sources lists it, export writes it, forget removes it; the token is required', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'memfleet-cli-'));
    try {
      const fromStdin = await cliWithInput(['remember', '--shard', 'harbor', '--source', 'notes/tide.md'], 'The tide gauge at the north pier was recalibrated by Oskar Lind.\n', env);
      assert.equal(fromStdin.code, 0, fromStdin.stderr);
      assert.match(fromStdin.stdout, /^Remembered harbor\/notes\/tide\.md: 1 line, \d+ tokens, version \d+\.$/m);
      writeFileSync(join(dir, 'crane.md'), '# Crane\n\nThe harbour crane is out of service until Friday.\n');
      const fromFile = await cli(['remember', '--shard', 'harbor', '--source', 'notes/crane.md', '--ttl', '3600', join(dir, 'crane.md')], env);
      assert.equal(fromFile.code, 0, fromFile.stderr);
      assert.match(fromFile.stdout, /forgotten at 20/);

      const asked = await cli(['ask', '--shards', 'harbor', 'Who recalibrated the tide gauge?'], env);
      assert.equal(asked.code, 0, asked.stderr);
      assert.match(asked.stdout, /harbor\/notes\/tide\.md:1/);

      const listed = await cli(['sources', '--shard', 'harbor'], env);
      assert.equal(listed.code, 0, listed.stderr);
      assert.match(listed.stdout, /^SOURCE\s+ORIGIN\s+LINES\s+TOKENS\s+VERSION\s+EXPIRES$/m);
      assert.match(listed.stdout, /^cargo\.md\s+folder\s+/m);
      assert.match(listed.stdout, /^notes\/tide\.md\s+written\s+1\s+/m);

      const exported = await cli(['export', '--shard', 'harbor', '--out', join(dir, 'backup')], env);
      assert.equal(exported.code, 0, exported.stderr);
      assert.match(exported.stdout, /Exported 2 written sources of harbor/);
      assert.equal(readFileSync(join(dir, 'backup', 'notes', 'crane.md'), 'utf8'), '# Crane\n\nThe harbour crane is out of service until Friday.\n');

      const forgot = await cli(['forget', '--shard', 'harbor', '--source', 'notes/tide.md'], env);
      assert.equal(forgot.code, 0, forgot.stderr);
      const gone = await cli(['ask', '--shards', 'harbor', '--json', 'Who recalibrated the tide gauge?'], env);
      assert.doesNotMatch(gone.stdout, /notes\/tide\.md/);
      const again = await cli(['forget', '--shard', 'harbor', '--source', 'notes/tide.md'], env);
      assert.equal(again.code, 1);
      assert.match(again.stderr, /no written source notes\/tide\.md.*404/);
      const folder = await cliWithInput(['remember', '--shard', 'harbor', '--source', 'cargo.md'], 'x', env);
      assert.equal(folder.code, 1);
      assert.match(folder.stderr, /read-only.*409/);
      const noToken = await cliWithInput(['remember', '--shard', 'harbor', '--source', 'notes/x.md'], 'x', { MEMFLEET_URL: fleet.coordinator.url });
      assert.equal(noToken.code, 1);
      assert.match(noToken.stderr, /401/);
      // The write routes sit behind the token like every /v1 route, however the path is spelled.
      for (const path of ['/v1/shards/harbor/sources/notes/x.md', '/%761/shards/harbor/sources/notes/x.md', '/v1/shards/harbor/sources/notes%2Fx.md']) {
        for (const method of ['PUT', 'DELETE', 'GET']) {
          const res = await fetch(`${fleet.coordinator.url}${path}`, { method, headers: { 'content-type': 'text/plain' }, ...(method === 'PUT' ? { body: 'x' } : {}) });
          assert.equal(res.status, 401, `${method} ${path} answered ${res.status} without the token`);
        }
      }
      assert.equal((await cli(['forget', '--shard', 'harbor', '--source', 'notes/crane.md'], env)).code, 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('When nothing matches, then ask says so and exits 2, with --json too', async () => {
    const run = await cli(['ask', 'xylophone quasar zeppelin'], env);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stdout, /Nothing in memory answers this question/);
    const json = await cli(['ask', '--json', 'xylophone quasar zeppelin'], env);
    assert.equal(json.code, 2);
    assert.deepEqual((JSON.parse(json.stdout) as { citations: unknown[] }).citations, []);
  });

  test('When --json, --shards, --mode and -k are given, then the JSON response honours them', async () => {
    const run = await cli(['ask', '--json', '--shards', 'kitchen', '--mode', 'broadcast', '-k', '2', 'plum', 'jam', 'cinnamon'], env);
    assert.equal(run.code, 0, run.stderr);
    const res = JSON.parse(run.stdout) as { citations: { shard: string }[]; shards: { shard: string; status: string }[] };
    assert.deepEqual(res.shards.map((s) => s.shard), ['kitchen']);
    assert.ok(res.citations.length >= 1 && res.citations.length <= 2);
    assert.ok(res.citations.every((c) => c.shard === 'kitchen'));
  });

  test('When the arguments are wrong or the token is missing, then ask exits 1 and says why on stderr', async () => {
    const mode = await cli(['ask', '--mode', 'sideways', 'x'], env);
    assert.equal(mode.code, 1);
    assert.match(mode.stderr, /--mode.*sideways/);
    const topK = await cli(['ask', '-k', '0', 'x'], env);
    assert.equal(topK.code, 1);
    assert.match(topK.stderr, /topK must be an integer from 1 to 50, got 0/);
    const unknown = await cli(['ask', '--shards', 'atlantis', 'x'], env);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /atlantis/);
    const noToken = await cli(['ask', 'x'], { MEMFLEET_URL: fleet.coordinator.url });
    assert.equal(noToken.code, 1);
    assert.match(noToken.stderr, /bearer token/i);
  });

  test('When no coordinator answers, then ask and status exit 1 naming the URL', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const ask = await cli(['ask', '--url', url, 'anything'], {});
    assert.equal(ask.code, 1);
    assert.match(ask.stderr, new RegExp(`No coordinator answered at ${url.replace(/\./g, '\\.')}`));
    assert.equal(ask.stdout, '');
    const status = await cli(['status', '--url', url], {});
    assert.equal(status.code, 1);
  });

  test('When status runs, then it prints a table of domains, replicas, queue, p50 and heartbeat age; --json parses', async () => {
    const run = await cli(['status'], env);
    assert.equal(run.code, 0, run.stderr);
    const [header, ...rows] = run.stdout.trimEnd().split('\n');
    assert.match(header ?? '', /^SHARD\s+STATUS\s+REPLICAS\s+QUEUE\s+P50\s+LAST HEARTBEAT\s+SOURCES\s+TOKENS\s+ENGINE$/);
    assert.deepEqual(rows.map((r) => r.split(/\s+/)[0]), ['harbor', 'kitchen', 'observatory']);
    assert.match(rows[0] ?? '', /^harbor\s+up\s+1\s+\d+\s+(\d+(\.\d)?ms|-)\s+\d+s ago/);
    assert.doesNotMatch(run.stdout, ANSI);
    const json = await cli(['status', '--json'], env);
    assert.equal(json.code, 0);
    const parsed = JSON.parse(json.stdout) as { shard: string; replicas: number; queue: unknown }[];
    assert.equal(parsed.length, 3);
    assert.ok(parsed.every((r) => r.replicas === 1 && r.queue !== undefined));
  });

  test('When --help is asked, then ask, status and mcp document their exit codes', async () => {
    for (const command of ['ask', 'status', 'mcp']) {
      const run = await cli([command, '--help']);
      assert.equal(run.code, 0);
      assert.match(run.stdout, /Exit codes:/, command);
    }
    const ask = await cli(['ask', '--help']);
    assert.match(ask.stdout, /0\s+answered/);
    assert.match(ask.stdout, /2\s+nothing in memory answers/);
    assert.match(ask.stdout, /1\s+error/);
    assert.match(ask.stdout, /--json/);
    assert.match(ask.stdout, /--shards/);
    assert.match(ask.stdout, /--mode/);
    assert.match(ask.stdout, /NO_COLOR/);
  });

  test('When stdout is a terminal, then output is coloured and a progress line is drawn and erased; NO_COLOR turns colour off', { skip: hasScript() ? false : 'util-linux "script" is not installed' }, async () => {
    const tty = await cliOnTty(['ask', 'plum jam cinnamon'], env);
    assert.equal(tty.code, 0, tty.stdout);
    assert.match(tty.stdout, SGR, 'colour on a terminal');
    assert.match(tty.stdout, /asking the fleet…/, 'progress line on a terminal');
    assert.match(tty.stdout, /\r\x1b\[2K/, 'progress line erased');
    const plain = await cliOnTty(['ask', 'plum jam cinnamon'], { ...env, NO_COLOR: '1' });
    assert.equal(plain.code, 0);
    assert.doesNotMatch(plain.stdout, SGR, 'NO_COLOR: no colour even on a terminal');
    assert.match(plain.stdout, /kitchen\/recipes\.md:\d+/);
  });
});
