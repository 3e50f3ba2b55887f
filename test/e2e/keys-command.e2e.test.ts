/** `memfleet keys` from the built CLI: .env lines a coordinator and a shard accept, and clear refusals. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import { parseCoordinatorConfig } from '../../services/coordinator/config.js';
import { parseShardConfig } from '../../services/shard/config.js';
import { CLI } from '../helpers/fleet-processes.js';

const run = promisify(execFile);

async function keys(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, 'keys', ...args], { env: { PATH: process.env.PATH, ...env } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

function dotenv(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split('\n')
      .filter((l) => l.trim() && !l.startsWith('#'))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

describe('memfleet keys', () => {
  test('When keys are printed for two domains, then the coordinator accepts the masters and each shard its own keys', async () => {
    const { code, stdout } = await keys(['--domains', 'harbor,kitchen']);
    assert.equal(code, 0);
    const env = dotenv(stdout);
    const coordinator = parseCoordinatorConfig(env);
    assert.equal(coordinator.apiToken, env.MEMFLEET_API_TOKEN);
    const shard = parseShardConfig({
      SHARD_DOMAIN: 'kitchen',
      CONTEXTS_DIR: '/srv',
      MEMFLEET_DOMAIN_QUERY_KEYS: env.MEMFLEET_DOMAIN_QUERY_KEYS_KITCHEN,
      MEMFLEET_DOMAIN_RESULT_KEYS: env.MEMFLEET_DOMAIN_RESULT_KEYS_KITCHEN,
    });
    assert.equal(shard.domainKeys.query.signingKid, 'q1');

    // --derive from those masters prints the same kitchen keys, under the names a shard reads.
    const derived = await keys(['--derive', '--domains', 'kitchen', '--shard-names'], { MEMFLEET_HMAC_KEYS: env.MEMFLEET_HMAC_KEYS, MEMFLEET_SHARD_HMAC_KEYS: env.MEMFLEET_SHARD_HMAC_KEYS });
    assert.equal(derived.code, 0, derived.stderr);
    assert.deepEqual(dotenv(derived.stdout), { MEMFLEET_DOMAIN_QUERY_KEYS: env.MEMFLEET_DOMAIN_QUERY_KEYS_KITCHEN, MEMFLEET_DOMAIN_RESULT_KEYS: env.MEMFLEET_DOMAIN_RESULT_KEYS_KITCHEN });
  });

  test('When the arguments are wrong, then it exits 1 with a message saying what to do, and prints no key', async () => {
    for (const [args, message] of [
      [['--domains', 'Bad_Name'], /"Bad_Name" is not a domain name/],
      [['--derive'], /--derive needs --domains/],
      [['--derive', '--domains', 'harbor'], /MEMFLEET_HMAC_KEYS is not set/],
      [['--domains', 'a,b', '--shard-names'], /--shard-names needs exactly one domain/],
    ] as const) {
      const r = await keys([...args]);
      assert.equal(r.code, 1, args.join(' '));
      assert.match(r.stderr, message);
      assert.equal(r.stdout, '');
    }
  });
});
