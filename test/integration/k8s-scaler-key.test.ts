/**
 * The list each KEDA ScaledObject in deploy/k8s watches is the one BullMQ 6
 * really fills: with no consumer and then with the queue paused, jobs the real
 * coordinator sends make LLEN on exactly that key grow. A wrong key reads 0
 * forever and never scales, so the test also shows that near-miss keys stay 0.
 */
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { after, before, describe, test } from 'node:test';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { parseCoordinatorConfig } from '../../services/coordinator/config.js';
import { startCoordinator, type RunningCoordinator } from '../../services/coordinator/start.js';
import { HeartbeatStore } from '../../shared/fleet/heartbeat-store.js';
import { createLogger } from '../../shared/log/logger.js';
import { shardQueueName } from '../../shared/queues/names.js';
import { startRedis, type RedisHandle } from '../helpers/redis-server.js';
import { newKeys, postQuery, waitFor } from '../helpers/fleet-processes.js';
import { fleetConfigMap, shardScalerTrigger } from '../helpers/k8s-manifests.js';

const DOMAIN = 'moby-dick-1';

describe('KEDA scaler key against a live BullMQ', () => {
  let redis: RedisHandle;
  let client: Redis;
  let coordinator: RunningCoordinator;
  let beat: NodeJS.Timeout | undefined;
  let listKey: string;
  const pending: Promise<unknown>[] = [];

  before(async () => {
    redis = await startRedis();
    client = new Redis(redis.url);
    // The manifests name the key under the ConfigMap's MEMFLEET_PREFIX; this test's fleet runs under its own prefix.
    const manifestPrefix = fleetConfigMap().MEMFLEET_PREFIX!;
    const { listName } = shardScalerTrigger(DOMAIN).metadata;
    assert.ok(listName.startsWith(`${manifestPrefix}:`), `listName ${listName} must start with the ConfigMap prefix "${manifestPrefix}:"`);
    listKey = `${redis.prefix}:${listName.slice(manifestPrefix.length + 1)}`;
    coordinator = await startCoordinator(
      parseCoordinatorConfig({ REDIS_URL: redis.url, MEMFLEET_PREFIX: redis.prefix, ...newKeys(), PORT: '0', STALE_JOB_SEC: '600' }),
      createLogger({ service: 'coordinator', level: 'silent' }),
    );
    // The domain's replicas are "paused": a fresh heartbeat, so the coordinator asks it, but no worker consumes.
    const store = new HeartbeatStore(client, redis.prefix);
    const alive = () => store.beat({ shard: DOMAIN, replica: `${DOMAIN}-1`, host: hostname(), pid: 1, metricsPort: 0, startedAt: Date.now() }, 6000);
    await store.publishManifest({ shard: DOMAIN, engine: 'lexical', sources: 1, lines: 1, tokens: 1, topTerms: [], loadedAt: Date.now() }, 6000);
    await alive();
    beat = setInterval(() => void alive(), 1000);
  });

  after(async () => {
    if (beat) clearInterval(beat);
    await Promise.allSettled(pending);
    await coordinator?.close();
    client?.disconnect();
    await redis?.stop();
  });

  const ask = (n: number) => {
    for (let i = 0; i < n; i++) pending.push(postQuery(coordinator.url, { question: `Who is Queequeg ${i}?`, shards: [DOMAIN], timeoutMs: 6000 }));
  };

  test('When jobs for an unconsumed domain are sent through the coordinator, then LLEN on the ScaledObject listName grows with them', async () => {
    assert.equal(await client.type(listKey), 'none');
    ask(3);
    await waitFor(`LLEN ${listKey} = 3`, async () => (await client.llen(listKey)) === 3, 5000);
    assert.equal(await client.type(listKey), 'list');
  });

  test('When the queue is paused (BullMQ 6 keeps paused jobs in wait), then LLEN on the same key keeps growing', async () => {
    const queue = new Queue(shardQueueName(DOMAIN), { connection: client, prefix: redis.prefix });
    try {
      await queue.pause();
      assert.equal(await queue.isPaused(), true);
      ask(2);
      await waitFor(`LLEN ${listKey} = 5`, async () => (await client.llen(listKey)) === 5, 5000);
      assert.equal(await queue.getWaitingCount(), 5, 'BullMQ counts the same jobs as waiting');
      // Near misses a hand-written ScaledObject might name read 0 (or are no list at all).
      for (const wrong of [`${redis.prefix}:${shardQueueName(DOMAIN)}:paused`, `${redis.prefix}:${shardQueueName(DOMAIN)}:waiting`, `bull:${shardQueueName(DOMAIN)}:wait`, `${shardQueueName(DOMAIN)}:wait`]) {
        assert.equal(await client.llen(wrong), 0, wrong);
      }
    } finally {
      await queue.close();
    }
  });
});
