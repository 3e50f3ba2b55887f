/**
 * Promise 8: secrets. HMAC keys and the API token come from files (*_FILE,
 * Docker secrets), Redis AUTH comes through REDIS_URL to a password-protected
 * redis-server, and none of them ever appears in a log line or a response.
 * Missing or too-short keys stop a service at start-up with a clear message,
 * and so does a master keyring handed to a shard.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { domainKeyEnv, parseMasterKeys } from '../../shared/config/keys.js';
import { parseKeyring, signEnvelope } from '../../shared/envelope/index.js';
import { startRedis, type RedisHandle } from '../helpers/redis-server.js';
import {
  CLI,
  FIXTURE_CONTEXTS,
  newKeys,
  startCoordinatorProcess,
  startShardProcess,
  waitForShards,
  type CoordinatorProcess,
  type FleetKeys,
  type ServiceProcess,
} from '../helpers/fleet-processes.js';
import { ask, shardQueue, sleep } from '../helpers/fault-kit.js';

const run = promisify(execFile);

/** Runs a service that must refuse to start; returns its exit code and everything it printed. */
async function startFailure(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH, ...env }, timeout: 30_000 });
    return { code: 0, output: stdout + stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

function secretsOf(spec: string): string[] {
  return spec.split(',').map((entry) => entry.slice(entry.indexOf(':') + 1));
}

describe('promise 8: secrets', () => {
  const password = `pw-${randomBytes(12).toString('hex')}`;
  const token = `tok-${randomBytes(16).toString('hex')}`;
  let redis: RedisHandle;
  let keys: FleetKeys;
  let dir: string;
  let fileEnv: NodeJS.ProcessEnv;
  let shardFileEnv: NodeJS.ProcessEnv;
  let derived: string[];
  let coordinator: CoordinatorProcess | undefined;
  let shard: ServiceProcess | undefined;
  const responses: string[] = [];

  before(async () => {
    redis = await startRedis({ password });
    assert.ok(redis.url.includes(password), 'the helper puts the password in the URL');
    keys = newKeys();
    dir = await mkdtemp(join(tmpdir(), 'memfleet-secrets-'));
    await writeFile(join(dir, 'hmac'), `${keys.MEMFLEET_HMAC_KEYS}\n`, { mode: 0o600 });
    await writeFile(join(dir, 'shard-hmac'), `${keys.MEMFLEET_SHARD_HMAC_KEYS}\n`, { mode: 0o600 });
    await writeFile(join(dir, 'token'), `${token}\n`, { mode: 0o600 });
    fileEnv = {
      REDIS_URL: redis.url,
      MEMFLEET_PREFIX: redis.prefix,
      MEMFLEET_HMAC_KEYS_FILE: join(dir, 'hmac'),
      MEMFLEET_SHARD_HMAC_KEYS_FILE: join(dir, 'shard-hmac'),
      LOG_LEVEL: 'debug', // the chattiest level: nothing may leak even there
      HEARTBEAT_INTERVAL_MS: '500',
      HEARTBEAT_TTL_MS: '3000',
    };
    // The shard's own keys (derived for harbor) come from files too; it never sees the masters.
    const harborKeys = domainKeyEnv(parseMasterKeys({ ...keys }), 'harbor');
    derived = Object.values(harborKeys).flatMap(secretsOf);
    await writeFile(join(dir, 'harbor-query'), `${harborKeys.MEMFLEET_DOMAIN_QUERY_KEYS}\n`, { mode: 0o600 });
    await writeFile(join(dir, 'harbor-result'), `${harborKeys.MEMFLEET_DOMAIN_RESULT_KEYS}\n`, { mode: 0o600 });
    const { MEMFLEET_HMAC_KEYS_FILE: _q, MEMFLEET_SHARD_HMAC_KEYS_FILE: _r, ...common } = fileEnv;
    shardFileEnv = { ...common, MEMFLEET_DOMAIN_QUERY_KEYS_FILE: join(dir, 'harbor-query'), MEMFLEET_DOMAIN_RESULT_KEYS_FILE: join(dir, 'harbor-result') };
    coordinator = await startCoordinatorProcess({ ...fileEnv, MEMFLEET_API_TOKEN_FILE: join(dir, 'token') });
    shard = await startShardProcess('harbor', shardFileEnv);
    await waitForShards(coordinator.url, { harbor: 1 }, token);
  });

  after(async () => {
    await shard?.stop();
    await coordinator?.stop();
    await redis?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('When secrets come from files and Redis needs a password, then the fleet works and no secret is logged or returned', async () => {
    const url = coordinator!.url;
    const answered = await ask(url, { question: 'Who is the captain of the schooner Albatross?' }, { token });
    assert.equal(answered.status, 200, JSON.stringify(answered.json));
    assert.equal((answered.json.shards as { status: string }[])[0]?.status, 'ok');
    responses.push(JSON.stringify(answered.json));
    const denied = await ask(url, { question: 'x' }, { token: `${token}-wrong` });
    assert.equal(denied.status, 401);
    responses.push(JSON.stringify(denied.json));
    const auth = { authorization: `Bearer ${token}` };
    for (const path of ['/v1/shards', `/v1/queries/${String(answered.json.id)}`, '/readyz', '/healthz', '/metrics']) {
      const res = await fetch(`${url}${path}`, { headers: auth });
      assert.ok(res.status < 500, `${path}: ${res.status}`);
      responses.push(await res.text());
    }

    // Provoke the log lines most likely to carry a secret: a forged job, and a Redis outage with reconnects.
    const queue = shardQueue(redis.url, redis.prefix, 'harbor');
    try {
      await queue.add('query', signEnvelope('{"forged":true}', parseKeyring(`${parseKeyring(keys.MEMFLEET_HMAC_KEYS, 'K').signingKid}:${'f'.repeat(40)}`, 'F')));
    } finally {
      await queue.close();
    }
    await sleep(500);

    const secrets = [password, token, ...secretsOf(keys.MEMFLEET_HMAC_KEYS), ...secretsOf(keys.MEMFLEET_SHARD_HMAC_KEYS), ...derived];
    const logs = coordinator!.output() + shard!.output();
    assert.ok(logs.length > 500, 'the services did log');
    assert.match(logs, /redis:\/\/:\*\*\*@127\.0\.0\.1/, 'the Redis URL is logged with its password masked');
    for (const secret of secrets) {
      assert.ok(!logs.includes(secret), 'no secret in any log line');
      for (const body of responses) assert.ok(!body.includes(secret), 'no secret in any response');
    }
  });

  test('When keys are missing or too short, or Redis refuses the password, then the service stops at start-up with a clear message', async () => {
    const base = { REDIS_URL: redis.url, MEMFLEET_PREFIX: redis.prefix };
    const shardArgs = ['shard', '--domain', 'harbor', '--contexts', FIXTURE_CONTEXTS, '--metrics-port', '0'];

    const missing = await startFailure(['coordinator', '--port', '0'], { ...base, MEMFLEET_SHARD_HMAC_KEYS: keys.MEMFLEET_SHARD_HMAC_KEYS });
    assert.equal(missing.code, 1);
    assert.match(missing.output, /configuration error: MEMFLEET_HMAC_KEYS is not set/);

    const shortSecret = 'short-secret-17ch';
    const short = await startFailure(['coordinator', '--port', '0'], { ...base, MEMFLEET_HMAC_KEYS: `k1:${shortSecret}`, MEMFLEET_SHARD_HMAC_KEYS: keys.MEMFLEET_SHARD_HMAC_KEYS });
    assert.equal(short.code, 1);
    assert.match(short.output, /MEMFLEET_HMAC_KEYS: key "k1" is 17 bytes; use at least 32/);
    assert.ok(!short.output.includes(shortSecret), 'the rejected secret is not echoed');
    const shortDomain = await startFailure(shardArgs, { ...base, MEMFLEET_DOMAIN_QUERY_KEYS: `k1:${shortSecret}`, MEMFLEET_DOMAIN_RESULT_KEYS_FILE: join(dir, 'harbor-result') });
    assert.equal(shortDomain.code, 1);
    assert.match(shortDomain.output, /MEMFLEET_DOMAIN_QUERY_KEYS: key "k1" is 17 bytes; use at least 32/);
    assert.ok(!shortDomain.output.includes(shortSecret), 'the rejected secret is not echoed');

    const missingFile = await startFailure(shardArgs, { ...base, MEMFLEET_DOMAIN_QUERY_KEYS_FILE: join(dir, 'nope'), MEMFLEET_DOMAIN_RESULT_KEYS_FILE: join(dir, 'harbor-result') });
    assert.equal(missingFile.code, 1);
    assert.match(missingFile.output, /MEMFLEET_DOMAIN_QUERY_KEYS_FILE points at .*nope, which cannot be read \(ENOENT\)/);

    // A shard handed a master keyring refuses to start rather than hold keys for every domain.
    const withMaster = await startFailure(shardArgs, { ...base, ...keys, ...shardFileEnv });
    assert.equal(withMaster.code, 1);
    assert.match(withMaster.output, /MEMFLEET_HMAC_KEYS is set for a shard: shards hold only their own domain's derived keys/);
    for (const secret of [...secretsOf(keys.MEMFLEET_HMAC_KEYS), ...secretsOf(keys.MEMFLEET_SHARD_HMAC_KEYS)]) assert.ok(!withMaster.output.includes(secret));

    const shortToken = await startFailure(['coordinator', '--port', '0'], { ...base, ...keys, MEMFLEET_API_TOKEN: 'short-tok' });
    assert.equal(shortToken.code, 1);
    assert.match(shortToken.output, /MEMFLEET_API_TOKEN is shorter than 16 characters/);
    assert.ok(!shortToken.output.includes('short-tok'));

    const wrongPassword = `wrong-${randomBytes(8).toString('hex')}`;
    const badAuth = await startFailure(['coordinator', '--port', '0'], { ...base, ...keys, REDIS_URL: redis.url.replace(encodeURIComponent(password), wrongPassword) });
    assert.equal(badAuth.code, 1);
    assert.match(badAuth.output, /Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+ did not answer/);
    assert.match(badAuth.output, /WRONGPASS|invalid password|NOAUTH/i, 'says that the password was refused');
    assert.ok(!badAuth.output.includes(wrongPassword) && !badAuth.output.includes(password), 'neither password is printed');
  });
});
