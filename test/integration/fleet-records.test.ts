/**
 * What the coordinator reads back from Redis, written there by anyone with
 * Redis access: heartbeat members with invalid names are not counted, and a
 * query record the coordinator did not seal is never served.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { QueryStore, type QueryRecord } from '../../services/coordinator/data-access/query-store.js';
import { parseMasterKeys } from '../../shared/config/keys.js';
import { HeartbeatStore } from '../../shared/fleet/heartbeat-store.js';
import { deriveDomainKeys, deriveRecordKeyring, generateKeyring, sealRecord } from '../../shared/envelope/index.js';
import { keys } from '../../shared/queues/names.js';
import { startRedis, type RedisHandle } from '../helpers/redis-server.js';

const masters = parseMasterKeys({ MEMFLEET_HMAC_KEYS: generateKeyring('q1'), MEMFLEET_SHARD_HMAC_KEYS: generateKeyring('r1') });

describe('records the coordinator reads from Redis', () => {
  let redis: RedisHandle;
  let client: Redis;

  before(async () => {
    redis = await startRedis();
    client = new Redis(redis.url, { maxRetriesPerRequest: 1 });
  });

  after(async () => {
    client?.disconnect();
    await redis?.stop();
  });

  test('When heartbeat members carry invalid shard or replica names, then they are neither counted nor listed', async () => {
    const store = new HeartbeatStore(client, `${redis.prefix}-hb`);
    const now = Date.now();
    await store.beat({ shard: 'harbor', replica: 'harbor-a', host: 'h', pid: 1, metricsPort: 0, startedAt: now }, 6_000, now);
    const forged = ['<img src=x onerror=alert(1)>\tr1', '../../etc\tr1', 'Harbor\tr1', 'harbor x\tr1', 'harbor\t', 'harbor\t<b>evil</b>', 'harbor\tr1\nx', '\tr1', 'no-separator'];
    for (const member of forged) await client.zadd(keys.heartbeats(`${redis.prefix}-hb`), now, member);

    const live = await store.live(6_000, now);
    assert.deepEqual(live.map((s) => [s.shard, s.replicas]), [['harbor', ['harbor-a']]]);
    assert.deepEqual(await store.knownShards(6_000, now), ['harbor']);
  });

  test('When a replica record in Redis has an invalid name or is not JSON, then it is skipped', async () => {
    const prefix = `${redis.prefix}-ri`;
    const store = new HeartbeatStore(client, prefix);
    await store.beat({ shard: 'harbor', replica: 'harbor-a', host: 'h', pid: 1, metricsPort: 0, startedAt: 1 }, 6_000);
    const hash = `${keys.heartbeats(prefix)}:replicas`;
    await client.hset(hash, 'x', JSON.stringify({ shard: 'EVIL/..', replica: 'x', host: 'h', pid: 1, metricsPort: 0, startedAt: 1 }));
    await client.hset(hash, 'y', 'not json');
    assert.deepEqual((await store.replicaInfo()).map((r) => r.replica), ['harbor-a']);
  });

  test('When a query record in Redis was not sealed by a coordinator, then GET treats it as absent, whoever wrote it', async () => {
    const store = new QueryStore(client, `${redis.prefix}-qs`, 60, { recordKeys: deriveRecordKeyring(masters) });
    const id = 'q_genuine0001';
    const record: QueryRecord = { id, status: 'failed', createdAt: 1, deadline: 2, question: 'q', error: { code: 'x', message: 'genuine' } };
    await store.put(record);
    assert.deepEqual(await store.get(id), record, 'a record the coordinator stored reads back');
    // A finished record is stored compressed (about a third of its JSON) and reads back the same.
    const long = 'The harbour master keeps the tide tables in the east office. '.repeat(60);
    const done = { id: 'q_compressed1', status: 'done', createdAt: 1, deadline: 2, question: 'q', result: { id: 'q_compressed1', answer: long, confidence: 'high', citations: [], shards: [], latencyMs: 1, usage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0 } } } as QueryRecord;
    await store.put(done);
    assert.deepEqual(await store.get('q_compressed1'), done, 'a compressed record reads back');
    const storedBytes = ((await client.getBuffer(keys.query(`${redis.prefix}-qs`, 'q_compressed1'))) as Buffer).length;
    assert.ok(storedBytes < JSON.stringify(done).length / 3, `${storedBytes} bytes stored for ${JSON.stringify(done).length} of JSON`);
    const edited = (await client.getBuffer(keys.query(`${redis.prefix}-qs`, 'q_compressed1'))) as Buffer;
    edited[edited.length - 2] = (edited[edited.length - 2] ?? 0) ^ 0x01;
    await client.set(keys.query(`${redis.prefix}-qs`, 'q_compressed1'), edited);
    assert.equal(await store.get('q_compressed1'), undefined, 'an edited compressed record');

    const forgedResult = { answer: 'FORGED <img src=x onerror=alert(1)>', citations: [], shards: [], latencyMs: 1, usage: {} };
    const put = (qid: string, value: string) => client.set(keys.query(`${redis.prefix}-qs`, qid), value);

    // 1. What main stored: plain JSON, now refused.
    await put('q_forged00001', JSON.stringify({ id: 'q_forged00001', status: 'done', createdAt: 1, deadline: 2, question: 'q', result: forgedResult }));
    assert.equal(await store.get('q_forged00001'), undefined, 'plain JSON record');
    // 2. Sealed with a key a shard holds (its domain keys): refused.
    const shardKeys = deriveDomainKeys(masters, 'harbor');
    for (const ring of [shardKeys.query, shardKeys.result]) {
      await put('q_forged00002', sealRecord(ring, 'query:q_forged00002', JSON.stringify({ id: 'q_forged00002', status: 'done', createdAt: 1, deadline: 2, question: 'q', result: forgedResult })));
      assert.equal(await store.get('q_forged00002'), undefined, 'sealed with a shard key');
    }
    // 3. A genuine record copied under another id: refused.
    await put('q_copied00001', (await client.get(keys.query(`${redis.prefix}-qs`, id))) as string);
    assert.equal(await store.get('q_copied00001'), undefined, 'a genuine record under another id');
    // 4. A genuine record with its body edited: refused.
    const genuine = JSON.parse((await client.get(keys.query(`${redis.prefix}-qs`, id))) as string) as { body: string };
    await put(id, JSON.stringify({ ...genuine, body: genuine.body.replace('genuine', 'FORGED') }));
    assert.equal(await store.get(id), undefined, 'an edited record');
    // 5. Not JSON at all.
    await put('q_garbage0001', '<html>');
    assert.equal(await store.get('q_garbage0001'), undefined, 'garbage');
  });
});
