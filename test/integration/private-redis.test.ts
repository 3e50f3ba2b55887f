/** The private redis-server `memfleet up` starts when no Redis answers. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
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

  test('When nothing listens at a URL, then redisAnswers says no quickly', async () => {
    assert.equal(await redisAnswers('redis://127.0.0.1:1', 500), false);
  });
});
