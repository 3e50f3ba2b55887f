/** The private redis-server `memfleet up` starts when no Redis answers. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { describe, test } from 'node:test';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { redisAnswers, redisServerInstalled, startPrivateRedis } from '../../services/cli/up/private-redis.js';
import { loadOrCreateKeys, stateDir } from '../../services/cli/up/state-dir.js';

describe('private redis for memfleet up', () => {
  test('When a private Redis is started, then it answers on loopback until stopped', async () => {
    assert.ok(redisServerInstalled(), 'redis-server must be installed for this test (.ci/run installs it)');
    const redis = await startPrivateRedis();
    try {
      assert.match(redis.url, /^redis:\/\/127\.0\.0\.1:\d+$/);
      assert.equal(await redisAnswers(redis.url), true);
    } finally {
      await redis.stop();
    }
    assert.equal(await redisAnswers(redis.url, 500), false);
  });

  test('When a private Redis has a data folder, then what was written is there after a stop and a new start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'memfleet-redis-data-'));
    try {
      const first = await startPrivateRedis({ dataDir: join(dir, 'redis') });
      const a = new Redis(first.url);
      await a.set('note', 'kept');
      a.disconnect();
      await first.stop();
      const second = await startPrivateRedis({ dataDir: join(dir, 'redis') });
      const b = new Redis(second.url);
      try {
        assert.equal(await b.get('note'), 'kept');
      } finally {
        b.disconnect();
        await second.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('When the state folder is used twice, then the same keys come back, in a file only the owner can read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'memfleet-state-'));
    try {
      const state = stateDir(dir)!;
      const keys = loadOrCreateKeys(state);
      assert.deepEqual(loadOrCreateKeys(state), keys);
      assert.equal(statSync(join(state, 'keys.env')).mode & 0o777, 0o600);
      assert.notEqual(keys.MEMFLEET_HMAC_KEYS, keys.MEMFLEET_SHARD_HMAC_KEYS);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('When the process that started it is killed with kill -9, then the private Redis stops and its folder is removed', async () => {
    // A stand-in for `memfleet up`: starts a private Redis, prints where, then waits to be killed.
    const script = `import { startPrivateRedis } from './services/cli/up/private-redis.ts';
      const r = await startPrivateRedis();
      const dir = (await import('node:child_process')).execFileSync('redis-cli', ['-u', r.url, 'config', 'get', 'dir'], { encoding: 'utf8' }).split('\\n')[1];
      console.log(JSON.stringify({ url: r.url, dir }));
      setInterval(() => undefined, 1000);`;
    const owner = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const first = await new Promise<string>((resolve) => createInterface({ input: owner.stdout }).once('line', resolve));
    const { url, dir } = JSON.parse(first) as { url: string; dir: string };
    assert.equal(await redisAnswers(url), true);
    assert.ok(existsSync(dir));
    owner.kill('SIGKILL');
    const until = Date.now() + 15_000;
    while ((await redisAnswers(url, 300)) || existsSync(dir)) {
      assert.ok(Date.now() < until, `the private Redis at ${url} (${dir}) outlived its owner by 15 s`);
      await new Promise((r) => setTimeout(r, 200));
    }
  });

  test('When nothing listens at a URL, then redisAnswers says no quickly', async () => {
    assert.equal(await redisAnswers('redis://127.0.0.1:1', 500), false);
  });
});
