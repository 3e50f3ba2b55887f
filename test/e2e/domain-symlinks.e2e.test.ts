/**
 * Issue 11, finding 8, end to end: a real shard process over a domain folder
 * holding `leak.txt -> <outside>/secret.txt` serves the link through none of
 * /v1/shards/:shard/sources, /lines or a query (MCP read_source and resources
 * read through the same routes), and logs a warning naming the link, not its
 * content. A second replica started with FOLLOW_EXTERNAL_SYMLINKS=true serves it.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startRedis, type RedisHandle } from '../helpers/redis-server.js';
import {
  newKeys,
  postQuery,
  startCoordinatorProcess,
  startShardProcess,
  waitFor,
  waitForShards,
  type CoordinatorProcess,
  type ServiceProcess,
} from '../helpers/fleet-processes.js';

const SECRET = 'zanzibarcanary';

describe('a domain folder with a link leading outside it', () => {
  let tmp: string;
  let redis: RedisHandle;
  let coordinator: CoordinatorProcess;
  let shard: ServiceProcess;
  let env: NodeJS.ProcessEnv;
  let contexts: string;

  before(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'memfleet-links-e2e-'));
    contexts = path.join(tmp, 'contexts');
    await mkdir(path.join(contexts, 'vault'), { recursive: true });
    await mkdir(path.join(tmp, 'outside'), { recursive: true });
    await writeFile(path.join(tmp, 'outside', 'secret.txt'), `The ${SECRET} password is hunter2.\n`);
    await writeFile(path.join(contexts, 'vault', 'notes.txt'), 'The vault opens at dawn.\n');
    await symlink(path.join(tmp, 'outside', 'secret.txt'), path.join(contexts, 'vault', 'leak.txt'));
    redis = await startRedis();
    env = { REDIS_URL: redis.url, MEMFLEET_PREFIX: redis.prefix, ...newKeys(), HEARTBEAT_INTERVAL_MS: '500', HEARTBEAT_TTL_MS: '3000' };
    coordinator = await startCoordinatorProcess({ ...env, QUERY_TIMEOUT_MS: '8000' });
    shard = await startShardProcess('vault', env, contexts);
    await waitForShards(coordinator.url, { vault: 1 });
  });

  after(async () => {
    await shard?.stop();
    await coordinator?.stop();
    await redis?.stop();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  test('When the shard starts, then it warns about the link by path and never logs the file’s text', () => {
    const warning = shard
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { level: number | string; msg: string; source?: string; target?: string })
      .find((l) => l.source === 'leak.txt');
    assert.ok(warning, shard.output().slice(-2000));
    assert.ok(warning.level === 40 || warning.level === 'warn', `level ${warning.level}`);
    assert.match(warning.msg, /FOLLOW_EXTERNAL_SYMLINKS=true/);
    assert.ok(warning.target?.endsWith(path.join('outside', 'secret.txt')), warning.target);
    assert.ok(!shard.output().includes(SECRET), 'the outside file’s text reached the log');
  });

  test('When a client lists or reads the sources, then the link is neither listed nor readable', async () => {
    const list = await fetch(`${coordinator.url}/v1/shards/vault/sources`);
    assert.equal(list.status, 200);
    const sources = ((await list.json()) as { sources: { source: string }[] }).sources.map((s) => s.source);
    assert.deepEqual(sources, ['notes.txt']);
    const read = await fetch(`${coordinator.url}/v1/shards/vault/lines?source=leak.txt`);
    assert.equal(read.status, 404);
    assert.ok(!(await read.text()).includes(SECRET));
  });

  test('When a question names the outside file’s words, then no citation quotes it', async () => {
    const { status, json } = await postQuery(coordinator.url, { question: `What is the ${SECRET} password?`, shards: ['vault'] });
    assert.equal(status, 200, JSON.stringify(json));
    assert.ok(!JSON.stringify(json).includes(SECRET.slice(1)), JSON.stringify(json));
  });

  test('When a replica runs with FOLLOW_EXTERNAL_SYMLINKS=true, then it loads the link’s file', async () => {
    const following = await startShardProcess('vault', { ...env, FOLLOW_EXTERNAL_SYMLINKS: 'true', LOG_LEVEL: 'info' }, contexts);
    try {
      await waitFor('the following replica to load', async () => following.output().includes('domain loaded'), 20_000, following);
      const loaded = following
        .output()
        .split('\n')
        .filter((l) => l.includes('domain loaded'))
        .map((l) => JSON.parse(l) as { sources: number })[0];
      assert.equal(loaded?.sources, 2);
    } finally {
      await following.stop();
    }
  });
});
