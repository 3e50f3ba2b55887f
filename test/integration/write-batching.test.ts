/** shared/redis/write-batching.ts: commands issued in one event-loop turn leave in one socket write, unchanged. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { batchWrites } from '../../shared/redis/write-batching.js';
import { startRedis, type RedisHandle } from '../helpers/redis-server.js';

/** Counts the system-call-level writes (Node's _write/_writev) a socket makes. */
function countWrites(redis: Redis): { writes: () => number; restore: () => void } {
  const socket = redis.stream as unknown as { _write: (...a: unknown[]) => unknown; _writev: (...a: unknown[]) => unknown };
  const { _write: write, _writev: writev } = socket;
  let n = 0;
  socket._write = (...a: unknown[]) => (n++, write.apply(socket, a));
  socket._writev = (...a: unknown[]) => (n++, writev.apply(socket, a));
  return {
    writes: () => n,
    restore: () => {
      socket._write = write;
      socket._writev = writev;
    },
  };
}

describe('write batching on a Redis connection', () => {
  let redis: RedisHandle;
  let client: Redis;

  before(async () => {
    redis = await startRedis();
    client = new Redis(redis.url);
    await client.ping();
  });

  after(async () => {
    client?.disconnect();
    await redis?.stop();
  });

  test('When several commands follow batchWrites in one turn, then they leave in one write and each gets its own reply', async () => {
    const spy = countWrites(client);
    try {
      const k = (s: string) => `${redis.prefix}:wb:${s}`;
      batchWrites(client);
      batchWrites(client); // a second call in the same turn changes nothing
      const replies = await Promise.all([client.set(k('a'), '1'), client.incr(k('a')), client.get(k('a'))]);
      assert.deepEqual(replies, ['OK', 2, '2']);
      assert.equal(spy.writes(), 1);
    } finally {
      spy.restore();
    }
  });

  test('When batchWrites is not called, then every command is its own write (the cost it removes)', async () => {
    const spy = countWrites(client);
    try {
      await Promise.all([client.ping(), client.ping(), client.ping()]);
      assert.equal(spy.writes(), 3);
    } finally {
      spy.restore();
    }
  });
});
