import { existsSync } from 'node:fs';
import { type Socket, connect, createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import {
  MemoryNonceCache,
  RedisNonceCache,
  generateKeyring,
  parseKeyring,
  signEnvelope,
  verifyEnvelope,
} from '../../shared/envelope/index.js';
import { type RedisHandle, deleteKeysWithPrefix, startRedis } from '../helpers/redis-server.js';

function portRefusesConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

async function withEnv<T>(changes: Record<string, string | undefined>, run: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(changes).map((name) => [name, process.env[name]]));
  const apply = (values: Record<string, string | undefined>): void => {
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
  apply(changes);
  try {
    return await run();
  } finally {
    apply(saved);
  }
}

describe('a private appendonly Redis from the test helper', () => {
  let redis: RedisHandle;
  let client: Redis;
  let dataDir: string;
  const scope = 'shard.helper-test';
  const nonce = 'bm9uY2Utb2YtMTYtYnl0ZQ';

  before(async () => {
    redis = await startRedis({ appendOnly: true });
    client = new Redis(redis.url, { maxRetriesPerRequest: 1 });
  });

  after(async () => {
    client?.disconnect();
    await redis?.stop();
  });

  test('When it is started, then it answers PING on its own port with a fresh prefix', async () => {
    assert.equal(redis.external, false);
    assert.equal(redis.url, `redis://127.0.0.1:${redis.port}`);
    assert.match(redis.prefix, /^mft-[0-9a-f]{12}$/);
    assert.notEqual(redis.port, 6379);
    assert.equal(await client.ping(), 'PONG');
    assert.deepEqual(await client.config('GET', 'appendonly'), ['appendonly', 'yes']);
    dataDir = ((await client.config('GET', 'dir')) as string[])[1] ?? '';
    assert.ok(existsSync(dataDir));
  });

  test('When the RedisNonceCache claims a nonce twice, then only the first claim wins and the key has a TTL under the prefix', async () => {
    const cache = new RedisNonceCache(client, { prefix: redis.prefix, scope });

    assert.equal(await cache.claim(nonce, 60), true);
    assert.equal(await cache.claim(nonce, 60), false);

    const key = `${redis.prefix}:nonce:${scope}:${nonce}`;
    assert.deepEqual(await client.keys(`${redis.prefix}*`), [key]);
    const ttl = await client.ttl(key);
    assert.ok(ttl > 0 && ttl <= 60, `ttl ${ttl}`);
  });

  test('When an envelope is replayed against a Redis-backed verifier, then the replay is rejected', async () => {
    const keyring = parseKeyring(generateKeyring('coord1'), 'MEMFLEET_HMAC_KEYS');
    const envelope = signEnvelope('{"queryId":"q_12345678"}', keyring);
    const options = { keyring, toleranceSec: 300, nonceCache: new RedisNonceCache(client, { prefix: redis.prefix, scope }) };

    assert.equal((await verifyEnvelope(JSON.parse(JSON.stringify(envelope)), options)).ok, true);
    const replay = await verifyEnvelope(JSON.parse(JSON.stringify(envelope)), options);
    assert.equal(replay.ok, false);
    assert.equal(!replay.ok && replay.reason, 'replay');

    const ttl = await client.ttl(`${redis.prefix}:nonce:${scope}:${envelope.nonce}`);
    assert.ok(ttl > 290 && ttl <= 301, `nonce ttl ${ttl} should cover the envelope's remaining lifetime`);
  });

  test('When it restarts, then it answers on the same port and the claimed nonce survived in the append-only file', async () => {
    const portBefore = redis.port;
    await redis.restart();

    assert.equal(redis.port, portBefore);
    const fresh = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    try {
      assert.equal(await fresh.ping(), 'PONG');
      assert.equal(await new RedisNonceCache(fresh, { prefix: redis.prefix, scope }).claim(nonce, 60), false);
    } finally {
      fresh.disconnect();
    }
  });

  test('When keys are deleted by prefix, then only the keys under that prefix go', async () => {
    const fresh = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    try {
      await fresh.set(`${redis.prefix}:a`, '1');
      await fresh.set(`${redis.prefix}:b`, '1');
      await fresh.set(`other-${redis.prefix}:c`, '1');
      const ours = (await fresh.keys(`${redis.prefix}*`)).length;

      assert.equal(await deleteKeysWithPrefix(redis.url, redis.prefix), ours);
      assert.deepEqual(await fresh.keys(`${redis.prefix}*`), []);
      assert.equal(await fresh.get(`other-${redis.prefix}:c`), '1');
      await assert.rejects(deleteKeysWithPrefix(redis.url, ''), /too-broad prefix/);
    } finally {
      fresh.disconnect();
    }
  });

  test('When it is stopped, then its port refuses connections and its temp dir is gone', async () => {
    client.disconnect();
    await redis.stop();
    await redis.stop(); // idempotent, so after() can always call it

    assert.equal(await portRefusesConnections(redis.port), true);
    assert.equal(existsSync(dataDir), false);
    await assert.rejects(redis.restart(), /after stop/);
  });
});

describe('test helper options and failures', () => {
  test('When a password is asked for, then the url carries it and a client without it is refused', async () => {
    const password = 'p@ss:w/rd with spaces';
    const redis = await startRedis({ password });
    try {
      const withPassword = new Redis(redis.url, { maxRetriesPerRequest: 1 });
      const withoutPassword = new Redis({ port: redis.port, host: '127.0.0.1', maxRetriesPerRequest: 1 });
      withoutPassword.on('error', () => {});
      try {
        assert.equal(await withPassword.ping(), 'PONG');
        await assert.rejects(withoutPassword.ping(), /NOAUTH/);
      } finally {
        withPassword.disconnect();
        withoutPassword.disconnect();
      }
    } finally {
      await redis.stop();
    }
  });

  test('When REDIS_URL is set and nothing private is asked for, then it is borrowed and stop() leaves it running', async () => {
    // A private server stands in for the shared one, so this test cannot disturb anybody's Redis.
    const owner = await startRedis({ appendOnly: false, port: undefined, password: 'owner-secret' });
    try {
      const borrowed = await withEnv({ REDIS_URL: owner.url }, () => startRedis());
      assert.equal(borrowed.external, true);
      assert.equal(borrowed.url, owner.url);
      assert.equal(borrowed.port, owner.port);
      assert.notEqual(borrowed.prefix, owner.prefix);
      await assert.rejects(borrowed.restart(), /needs a private Redis/);
      await borrowed.stop();

      const client = new Redis(owner.url, { maxRetriesPerRequest: 1 });
      try {
        assert.equal(await client.ping(), 'PONG');
      } finally {
        client.disconnect();
      }
    } finally {
      await owner.stop();
    }
  });

  test('When REDIS_URL is set but appendOnly is asked for, then a private server is started instead', async () => {
    const redis = await withEnv({ REDIS_URL: 'redis://127.0.0.1:1' }, () => startRedis({ appendOnly: true }));
    try {
      assert.equal(redis.external, false);
      assert.notEqual(redis.port, 1);
    } finally {
      await redis.stop();
    }
  });

  test('When the asked-for port is taken, then startRedis fails fast and shows what redis-server said', async () => {
    // It accepts connections and never answers, the hardest neighbour for a readiness probe.
    const accepted: Socket[] = [];
    const squatter = createServer((socket) => accepted.push(socket));
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const address = squatter.address();
    assert.ok(address !== null && typeof address === 'object');
    try {
      const started = Date.now();
      await assert.rejects(startRedis({ port: address.port }), /Address already in use/);
      assert.ok(Date.now() - started < 5_000);
    } finally {
      for (const socket of accepted) socket.destroy();
      squatter.close();
    }
  });

  test('When redis-server is missing and cannot be installed, then startRedis says how to get one', async () => {
    await withEnv({ PATH: '/nonexistent', REDIS_URL: undefined }, async () => {
      await assert.rejects(startRedis({ appendOnly: true }), {
        message: 'redis-server not found: install it (sudo apt-get install redis-server) or set REDIS_URL to a Redis you own',
      });
    });
  });

  test('When the memory cache stands in for Redis, then it follows the same first-claim-wins rule', async () => {
    const cache = new MemoryNonceCache();
    assert.equal(await cache.claim('n', 5), true);
    assert.equal(await cache.claim('n', 5), false);
  });
});
