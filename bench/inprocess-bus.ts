/**
 * memfleet's coordinator use case without HTTP: the same QueryService,
 * Dispatcher, ResultWaiter, QueryStore and ShardDirectory that
 * services/coordinator/start.ts wires, called directly in the benchmark's own
 * process. Measured next to the HTTP numbers, it splits the fleet's overhead
 * into "bus" (signing, jobs, completion, merge, query state) and "HTTP hop".
 */
import { HeartbeatStore } from '../shared/fleet/heartbeat-store.js';
import { DomainKeyCache, MemoryNonceCache, deriveRecordKeyring } from '../shared/envelope/index.js';
import { parseMasterKeys } from '../shared/config/keys.js';
import { createLogger } from '../shared/log/logger.js';
import { createMetrics } from '../shared/metrics/registry.js';
import { createRedis, waitForRedis } from '../shared/redis/connection.js';
import { QueryStore } from '../services/coordinator/data-access/query-store.js';
import { QueryService } from '../services/coordinator/domain/query-service.js';
import { Dispatcher } from '../services/coordinator/fanout/dispatcher.js';
import { ResultWaiter } from '../services/coordinator/fanout/result-waiter.js';
import { ShardDirectory } from '../services/coordinator/fanout/shard-directory.js';
import { QueueEventsWaiter } from './ablation/queue-events-waiter.js';

export interface InProcessBus {
  /** Rejects unless every shard answered ok. */
  ask(question: string, shards: string[], topK: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * @param completion - how the coordinator learns that a job finished: memfleet's pub/sub result channel, or
 *   the QueueEvents listeners it used before (bench/ablation/queue-events-waiter.ts), to show the difference
 */
export async function startInProcessBus(
  env: { REDIS_URL: string; MEMFLEET_PREFIX: string; MEMFLEET_HMAC_KEYS: string; MEMFLEET_SHARD_HMAC_KEYS: string },
  completion: 'result-channel' | 'queue-events' = 'result-channel',
): Promise<InProcessBus> {
  const log = createLogger({ service: 'coordinator', level: 'warn' });
  const redis = createRedis(env.REDIS_URL, 'request', 'memfleet-bench-inprocess');
  redis.on('error', () => undefined);
  await waitForRedis(redis, 'the benchmark Redis');
  const metrics = createMetrics('coordinator');
  // The old waiter has the same public methods; the cast only crosses TypeScript's nominal typing of private fields.
  const waiter =
    completion === 'queue-events'
      ? (new QueueEventsWaiter(env.REDIS_URL, env.MEMFLEET_PREFIX, log) as unknown as ResultWaiter)
      : new ResultWaiter(env.REDIS_URL, env.MEMFLEET_PREFIX, log);
  const masters = parseMasterKeys(env);
  const dispatcher = new Dispatcher({
    connection: redis,
    prefix: env.MEMFLEET_PREFIX,
    keys: new DomainKeyCache(masters),
    toleranceSec: 300,
    resultNonces: new MemoryNonceCache(),
    waiter,
    metrics,
  });
  const directory = new ShardDirectory(new HeartbeatStore(redis, env.MEMFLEET_PREFIX), 6_000);
  const service = new QueryService(directory, dispatcher, new QueryStore(redis, env.MEMFLEET_PREFIX, 3_600, { recordKeys: deriveRecordKeyring(masters) }), metrics, log);
  return {
    ask: async (question, shards, topK, timeoutMs = 10_000) => {
      const response = await service.run({ question, shards, mode: 'broadcast', topK, timeoutMs });
      const bad = response.shards.filter((s) => s.status !== 'ok');
      if (bad.length > 0) throw new Error(`shards not ok: ${bad.map((s) => `${s.shard} ${s.status} ${s.error ?? ''}`).join('; ')}`);
    },
    close: async () => {
      await waiter.close();
      await dispatcher.close();
      redis.disconnect();
    },
  };
}
