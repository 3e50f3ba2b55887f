/** The private redis-server `memfleet up` starts when no Redis answers. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { redisAnswers, redisServerInstalled, startPrivateRedis } from '../../services/cli/up/private-redis.js';

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

  test('When nothing listens at a URL, then redisAnswers says no quickly', async () => {
    assert.equal(await redisAnswers('redis://127.0.0.1:1', 500), false);
  });
});
