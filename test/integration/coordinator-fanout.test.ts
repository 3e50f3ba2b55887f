/**
 * Coordinator and shard in one process against a real Redis: fan-out,
 * deadlines for a domain nobody serves, and query state with a TTL.
 */
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { after, before, describe, test } from 'node:test';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { parseCoordinatorConfig } from '../../services/coordinator/config.js';
import { startCoordinator, type RunningCoordinator } from '../../services/coordinator/start.js';
import { parseShardConfig } from '../../services/shard/config.js';
import { startShard, type RunningShard } from '../../services/shard/start.js';
import { HeartbeatStore } from '../../shared/fleet/heartbeat-store.js';
import { Heartbeat } from '../../services/shard/worker/heartbeat.js';
import { createLogger } from '../../shared/log/logger.js';
import { replyChannel } from '../../shared/queues/reply-address.js';
import { keys, shardQueueName } from '../../shared/queues/names.js';
import { startRedis, type RedisHandle } from '../helpers/redis-server.js';
import { FIXTURE_CONTEXTS, newKeys, postQuery } from '../helpers/fleet-processes.js';
import { shardEnv } from '../../services/cli/up/service-env.js';
import { parseMasterKeys } from '../../shared/config/keys.js';
import { deriveDomainKeys, signEnvelope, type MasterKeys } from '../../shared/envelope/index.js';
import { storedRecordBody } from '../helpers/stored-record.js';

const quiet = (service: 'coordinator' | 'shard') => createLogger({ service, level: 'silent' });

describe('coordinator fan-out against real Redis', () => {
  let redis: RedisHandle;
  let client: Redis;
  let coordinator: RunningCoordinator;
  let shard: RunningShard;
  let ghostBeat: NodeJS.Timeout | undefined;
  let masters: MasterKeys;

  before(async () => {
    redis = await startRedis();
    client = new Redis(redis.url);
    const env = { REDIS_URL: redis.url, MEMFLEET_PREFIX: redis.prefix, ...newKeys(), QUERY_TTL_SEC: '600' };
    masters = parseMasterKeys(env);
    shard = await startShard(parseShardConfig({ ...shardEnv(env, 'harbor'), SHARD_DOMAIN: 'harbor', CONTEXTS_DIR: FIXTURE_CONTEXTS, METRICS_PORT: '0' }), quiet('shard'));
    coordinator = await startCoordinator(parseCoordinatorConfig({ ...env, PORT: '0' }), quiet('coordinator'));
    // A domain with a live heartbeat but no consumer: every job to it must time out.
    const store = new HeartbeatStore(client, redis.prefix);
    const beat = () => store.beat({ shard: 'ghost', replica: 'ghost-1', host: hostname(), pid: 1, metricsPort: 0, startedAt: Date.now() }, 6000);
    await store.publishManifest({ shard: 'ghost', engine: 'lexical', sources: 1, lines: 1, tokens: 1, topTerms: [], loadedAt: Date.now() }, 6000);
    await beat();
    ghostBeat = setInterval(() => void beat(), 1000);
  });

  after(async () => {
    if (ghostBeat) clearInterval(ghostBeat);
    await coordinator?.close();
    await shard?.close();
    client?.disconnect();
    await redis?.stop();
  });

  test('When one domain has no consumer, then the query answers at its deadline with that shard timed out and its job removed', async () => {
    const started = Date.now();
    const { status, json } = await postQuery(coordinator.url, { question: 'Which ferry runs twice a day in summer?', timeoutMs: 700 });
    const elapsed = Date.now() - started;
    assert.equal(status, 200);
    const shards = json.shards as { shard: string; status: string }[];
    assert.equal(shards.find((s) => s.shard === 'ghost')?.status, 'timeout');
    assert.equal(shards.find((s) => s.shard === 'harbor')?.status, 'ok');
    assert.equal((json.citations as { shard: string }[])[0]?.shard, 'harbor');
    assert.ok(elapsed >= 650, `must wait for the deadline (${elapsed} ms)`);
    const ghostQueue = new Queue(shardQueueName('ghost'), { connection: client, prefix: redis.prefix });
    try {
      assert.equal(await ghostQueue.getWaitingCount(), 0, 'the unserved job is removed at the deadline');
    } finally {
      await ghostQueue.close();
    }
  });

  test('When a query is answered, then its result is stored in Redis with the configured TTL', async () => {
    const { json } = await postQuery(coordinator.url, { question: 'tugboat Marigold', shards: ['harbor'] });
    const key = keys.query(redis.prefix, json.id as string);
    const ttl = await client.ttl(key);
    assert.ok(ttl > 500 && ttl <= 600, `ttl ${ttl}`);
    const stored = JSON.parse(storedRecordBody(await client.getBuffer(key))) as { status: string; result: { id: string } };
    assert.equal(stored.status, 'done');
    assert.equal(stored.result.id, json.id);
  });

  test('When shards are named explicitly, then only those are asked', async () => {
    const { json } = await postQuery(coordinator.url, { question: 'tugboat Marigold', shards: ['harbor'] });
    assert.deepEqual((json.shards as { shard: string }[]).map((s) => s.shard), ['harbor']);
  });

  test('When the shard answers, then the coordinator records round-trip and query latency metrics', async () => {
    const text = await (await fetch(`${coordinator.url}/metrics`)).text();
    assert.match(text, /memfleet_shard_roundtrip_seconds_count\{[^}]*shard="harbor"[^}]*outcome="ok"[^}]*\} [1-9]/);
    assert.match(text, /memfleet_shard_roundtrip_seconds_count\{[^}]*shard="ghost"[^}]*outcome="timeout"[^}]*\} 1/);
    assert.match(text, /memfleet_shard_up\{[^}]*shard="harbor"[^}]*\} 1/);
    assert.match(text, /bullmq_job_count\{queue="shard\.harbor"/);
    const shardText = await (await fetch(`http://127.0.0.1:${shard.metricsPort}/metrics`)).text();
    assert.match(shardText, /memfleet_engine_duration_seconds_count\{[^}]*shard="harbor"[^}]*engine="lexical"[^}]*\} [1-9]/);
  });
  test('When a query record is forged in Redis, then GET /v1/queries/:id answers 404 and never serves it', async () => {
    const id = 'q_forgedrecord1';
    const forged = { id, status: 'done', createdAt: Date.now(), deadline: Date.now() + 1000, question: 'q', result: { id, answer: 'FORGED answer', citations: [], shards: [], latencyMs: 1 } };
    await client.set(keys.query(redis.prefix, id), JSON.stringify(forged), 'EX', 60);
    const res = await fetch(`${coordinator.url}/v1/queries/${id}`);
    const text = await res.text();
    assert.equal(res.status, 404, text);
    assert.ok(!text.includes('FORGED'), text);
    // A genuine record still reads back.
    const { json } = await postQuery(coordinator.url, { question: 'tugboat Marigold', shards: ['harbor'] });
    const genuine = await fetch(`${coordinator.url}/v1/queries/${String(json.id)}`);
    assert.equal(genuine.status, 200);
    assert.equal(((await genuine.json()) as { status: string }).status, 'done');
  });

  test('When a domain has a replica that does not list termStats (an older version), then its jobs go without them while other domains get them', async () => {
    // Rolling upgrades: a shard validates job bodies strictly, so a field an older replica does not know would make it refuse the job.
    const store = new HeartbeatStore(client, redis.prefix);
    const newer = () => store.beat({ shard: 'ghost-new', replica: 'ghost-new-1', host: hostname(), pid: 2, metricsPort: 0, startedAt: Date.now(), jobFields: ['termStats'] }, 6000);
    await store.publishManifest({ shard: 'ghost-new', engine: 'lexical', sources: 1, lines: 1, tokens: 1, topTerms: [], loadedAt: Date.now() }, 6000);
    await newer();
    const beat = setInterval(() => void newer(), 1000);
    const queues = ['ghost', 'ghost-new'].map((d) => new Queue(shardQueueName(d), { connection: client, prefix: redis.prefix }));
    try {
      await new Promise((r) => setTimeout(r, 600)); // past the coordinator's 500 ms directory cache
      const asked = postQuery(coordinator.url, { question: 'Which ferry runs twice a day in summer?', shards: ['ghost', 'ghost-new'], timeoutMs: 3_000 });
      const bodies = new Map<string, Record<string, unknown>>();
      for (let i = 0; i < 150 && bodies.size < 2; i++) {
        for (const [n, q] of queues.entries()) {
          const job = (await q.getWaiting())[0];
          if (job) bodies.set(n === 0 ? 'ghost' : 'ghost-new', JSON.parse((job.data as { body: string }).body) as Record<string, unknown>);
        }
        if (bodies.size < 2) await new Promise((r) => setTimeout(r, 20));
      }
      assert.equal(bodies.size, 2, 'both jobs were added');
      assert.equal(bodies.get('ghost')?.termStats, undefined, 'the replica without jobFields gets no termStats');
      assert.ok(bodies.get('ghost-new')?.termStats, 'the replica listing termStats gets them');
      await asked;
    } finally {
      clearInterval(beat);
      await store.remove('ghost-new', 'ghost-new-1');
      for (const q of queues) {
        await q.obliterate({ force: true }).catch(() => undefined);
        await q.close();
      }
    }
  });

  test('When a failure for a shard job is published on the result channel, then its reason reaches shards[].error only when signed with that domain\'s result key', async () => {
    const ghostQueue = new Queue(shardQueueName('ghost'), { connection: client, prefix: redis.prefix });
    /** Asks the consumer-less ghost domain, and answers its job with `failure(jobId)` on the result channel. */
    const askGhost = async (failure: (jobId: string) => string): Promise<string | undefined> => {
      const asked = postQuery(coordinator.url, { question: 'tugboat Marigold', shards: ['ghost'], timeoutMs: 5_000 });
      let jobId: string | undefined;
      for (let i = 0; i < 100 && !jobId; i++) {
        jobId = (await ghostQueue.getWaiting()).map((j) => j.id).find((id) => id !== undefined);
        if (!jobId) await new Promise((r) => setTimeout(r, 20));
      }
      assert.ok(jobId, 'the ghost job was added');
      await client.publish(replyChannel(redis.prefix, jobId), failure(jobId));
      const { json } = await asked;
      await ghostQueue.remove(jobId).catch(() => 0);
      return (json.shards as { shard: string; error?: string }[]).find((s) => s.shard === 'ghost')?.error;
    };
    const evil = 'FORGED <img src=x onerror=alert(1)>';
    try {
      // What main accepted: an unsigned reason.
      const unsigned = await askGhost((jobId) => JSON.stringify({ jobId, kind: 'failed', reason: evil }));
      assert.ok(unsigned !== undefined && !unsigned.includes('FORGED'), `unsigned reason shown: ${unsigned}`);
      // Signed, but with another domain's result key (a compromised harbor shard).
      const harborKey = deriveDomainKeys(masters, 'harbor').result;
      const wrongKey = await askGhost((jobId) => JSON.stringify({ jobId, kind: 'failed', failure: signEnvelope(JSON.stringify({ jobId, shard: 'ghost', reason: evil }), harborKey) }));
      assert.ok(wrongKey !== undefined && !wrongKey.includes('FORGED'), `reason signed by another domain shown: ${wrongKey}`);
      assert.match(wrongKey, /did not verify \(bad_signature\)/);
      // Signed with ghost's own result key, but for another job (a replayed failure): refused too.
      const ghostKey = deriveDomainKeys(masters, 'ghost').result;
      const otherJob = await askGhost((jobId) => JSON.stringify({ jobId, kind: 'failed', failure: signEnvelope(JSON.stringify({ jobId: 'q_other00000.ghost', shard: 'ghost', reason: evil }), ghostKey) }));
      assert.equal(otherJob, 'the job failed, but its failure report was invalid or for another job');
      // Signed with ghost's result key for this job: the shard's own words are shown.
      const genuine = await askGhost((jobId) => JSON.stringify({ jobId, kind: 'failed', failure: signEnvelope(JSON.stringify({ jobId, shard: 'ghost', reason: 'engine failed: upstream 529' }), ghostKey) }));
      assert.equal(genuine, 'engine failed: upstream 529');
    } finally {
      await ghostQueue.close();
    }
  });
});

describe('heartbeats and manifests', () => {
  test('When a manifest is lost, then the next heartbeat reports it missing so the replica republishes it, and beats never resend it otherwise', async () => {
    const redis = await startRedis();
    const client = new Redis(redis.url);
    try {
      const store = new HeartbeatStore(client, redis.prefix);
      const info = { shard: 'alpha', replica: 'a-1', host: hostname(), pid: 1, metricsPort: 0, startedAt: Date.now() };
      assert.deepEqual(await store.beat(info, 6000), { manifestMissing: true });
      await store.publishManifest({ shard: 'alpha', engine: 'lexical', sources: 2, lines: 3, tokens: 4, topTerms: ['x'], loadedAt: Date.now() }, 6000);
      assert.deepEqual(await store.beat(info, 6000), { manifestMissing: false });
      assert.equal((await store.manifest('alpha'))?.sources, 2);
      assert.ok((await client.pttl(keys.manifest(redis.prefix, 'alpha'))) > 50_000);
      await client.del(keys.manifest(redis.prefix, 'alpha'));
      assert.deepEqual(await store.beat(info, 6000), { manifestMissing: true });
      assert.deepEqual((await store.live(6000)).map((s) => s.shard), ['alpha']);
    } finally {
      client.disconnect();
      await redis.stop();
    }
  });
  test('When a replica starts while an older manifest of its domain stands, then it publishes its own at once', async () => {
    // A replica killed before its debounced manifest update, or a redeploy with a changed folder, leaves a manifest
    // that later beats only keep alive: the new replica must replace it, or /v1/shards and routing stay stale.
    const redis = await startRedis();
    const client = new Redis(redis.url);
    const store = new HeartbeatStore(client, redis.prefix);
    const manifest = (sources: number) => ({ shard: 'alpha', engine: 'lexical' as const, sources, lines: 3, tokens: 4, topTerms: ['x'], loadedAt: Date.now() });
    const info = { shard: 'alpha', replica: 'a-2', host: hostname(), pid: 2, metricsPort: 0, startedAt: Date.now() };
    const heartbeat = new Heartbeat(store, info, manifest(23), 60_000, 6000, createLogger({ service: 'shard', level: 'silent' }));
    try {
      await store.publishManifest(manifest(22), 6000);
      await heartbeat.start();
      assert.equal((await store.manifest('alpha'))?.sources, 23);
    } finally {
      await heartbeat.stop();
      client.disconnect();
      await redis.stop();
    }
  });
  test('When a replica has been dead for over 10 × the heartbeat TTL, then both its heartbeat and its replica record are forgotten', async () => {
    const redis = await startRedis();
    const client = new Redis(redis.url);
    try {
      const store = new HeartbeatStore(client, redis.prefix);
      const now = Date.now();
      const info = (replica: string) => ({ shard: 'alpha', replica, host: hostname(), pid: 1, metricsPort: 0, startedAt: now });
      await store.beat(info('a-dead'), 6000, now - 61_000);
      await store.beat(info('a-live'), 6000, now);
      assert.deepEqual((await store.live(6000, now)).map((s) => s.replicas), [['a-live']]);
      assert.deepEqual((await store.replicaInfo()).map((r) => r.replica), ['a-live']);
    } finally {
      client.disconnect();
      await redis.stop();
    }
  });
});
