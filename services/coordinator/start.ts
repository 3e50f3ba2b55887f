/** Coordinator process entry point: wire Redis, queues, the query service and the HTTP API. */
import { HeartbeatStore } from '../../shared/fleet/heartbeat-store.js';
import { DomainKeyCache, MemoryNonceCache, deriveRecordKeyring } from '../../shared/envelope/index.js';
import { createLogger, type Logger } from '../../shared/log/logger.js';
import { redactUrl } from '../../shared/log/redact.js';
import { createMetrics, type FleetMetrics } from '../../shared/metrics/registry.js';
import { createRedis, waitForRedis } from '../../shared/redis/connection.js';
import type { CoordinatorConfig } from './config.js';
import { QueryStore } from './data-access/query-store.js';
import { CoordinatorPresence, newInstanceId } from './data-access/coordinator-presence.js';
import { QueryService } from './domain/query-service.js';
import { ManifestCache } from './domain/routing/manifest-cache.js';
import { Dispatcher } from './fanout/dispatcher.js';
import { ResultWaiter } from './fanout/result-waiter.js';
import { ShardDirectory } from './fanout/shard-directory.js';
import { StaleJobSweeper } from './fanout/stale-job-sweeper.js';
import { buildServer } from './http/server.js';
import { synthesisPolicy } from './domain/synthesis/synthesis-policy.js';
import { trackInFlight } from './http/in-flight.js';
import { MemoryStore } from '../../shared/memory/memory-store.js';
import { createMemoryMetrics } from '../../shared/memory/metrics.js';
import { SourceWriter } from './memory/source-writer.js';
import { ExpirySweeper } from './memory/expiry-sweeper.js';

export interface RunningCoordinator {
  url: string;
  port: number;
  metrics: FleetMetrics;
  log: Logger;
  /** Refuses new queries (503), lets in-flight ones finish, then closes everything. */
  close(): Promise<void>;
}

export async function startCoordinator(config: CoordinatorConfig, log?: Logger): Promise<RunningCoordinator> {
  const logger = log ?? createLogger({ service: 'coordinator', level: config.logLevel });
  const redis = createRedis(config.redisUrl, 'request', 'memfleet-coordinator');
  let redisDown = false;
  redis.on('error', (err) => {
    if (!redisDown) logger.warn({ err, redis: redactUrl(config.redisUrl) }, 'redis connection lost; reconnecting');
    redisDown = true;
  });
  redis.on('ready', () => {
    if (redisDown) logger.info('redis connection restored');
    redisDown = false;
  });
  await waitForRedis(redis, redactUrl(config.redisUrl));

  const metrics = createMetrics('coordinator');
  const memory = new MemoryStore(redis, config.prefix);
  const memoryMetrics = createMemoryMetrics(metrics.registry);
  const heartbeats = new HeartbeatStore(redis, config.prefix);
  const directory = new ShardDirectory(heartbeats, config.heartbeatTtlMs);
  const instanceId = newInstanceId();
  // Shard results come back on this coordinator's own channel (shared/queues/reply-address.ts).
  const waiter = new ResultWaiter(config.redisUrl, config.prefix, logger, instanceId);
  // Every domain's keys, derived from the masters on first use: jobs, results and written sources.
  const domainKeys = new DomainKeyCache(config.masterKeys);
  const dispatcher = new Dispatcher({
    connection: redis,
    prefix: config.prefix,
    keys: domainKeys,
    toleranceSec: config.envelopeToleranceSec,
    // Results are bound to their query id and shard and carry a fresh timestamp,
    // so a per-process nonce cache is enough and costs no Redis round trip.
    resultNonces: new MemoryNonceCache(),
    waiter,
    metrics,
    versionOf: (shard) => memory.version(shard),
    retention: config.retention,
  });
  // Running queries carry this instance's id, so after a crash they read as failed, not running (docs/reliability.md).
  const presence = new CoordinatorPresence(redis, config.prefix, instanceId);
  await presence.start();
  const store = new QueryStore(redis, config.prefix, config.queryTtlSec, {
    recordKeys: deriveRecordKeyring(config.masterKeys),
    presence,
    log: logger,
  });
  const sweeper = new StaleJobSweeper(directory, dispatcher, config.staleJobSec, config.queueSweepIntervalMs, logger);
  sweeper.start();
  const service = new QueryService(directory, dispatcher, store, metrics, logger, synthesisPolicy(config.synthesis, metrics, logger), {
    minScore: config.minScore,
    highScore: config.highScore,
    manifests: new ManifestCache(heartbeats),
  });

  const writer = new SourceWriter({ store: memory, directory, keys: domainKeys, maxSourceBytes: config.maxSourceBytes, metrics: memoryMetrics, log: logger });
  const expirySweeper = new ExpirySweeper(directory, writer, config.memorySweepIntervalMs, logger);
  expirySweeper.start();

  let draining = false;
  const server = buildServer({ config, redis, service, store, directory, heartbeats, dispatcher, metrics, log: logger, draining: () => draining, memory, writer });
  const inFlight = trackInFlight(server.server);
  await server.listen({ host: config.host, port: config.port });
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  logger.info({ url, redis: redactUrl(config.redisUrl), prefix: config.prefix, auth: Boolean(config.apiToken) }, 'coordinator listening');

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    metrics,
    log: logger,
    close: () => {
      closing ??= (async () => {
        draining = true;
        logger.info({ inFlight: inFlight.count() }, 'coordinator stopping: finishing in-flight queries');
        // Keep listening while they finish, so newcomers get a 503 they can act on rather than a refused
        // connection; bounded below the 30 s the CLI allows a stop (run-service.ts).
        await inFlight.idle(Math.min(config.maxTimeoutMs + 1_000, 25_000));
        await server.close();
        await sweeper.stop();
        await expirySweeper.stop();
        await presence.stop(); // after the in-flight queries were stored: none is left "running"
        await waiter.close();
        await dispatcher.close();
        await redis.quit().catch(() => redis.disconnect());
        logger.info('coordinator stopped');
      })();
      return closing;
    },
  };
}
