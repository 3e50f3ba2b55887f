/**
 * Shard process entry point: load the domain, build the engine, then consume
 * `shard.<domain>` until told to stop.
 */
import { hostname } from 'node:os';
import { Worker, type Job } from 'bullmq';
import { HeartbeatStore } from '../../shared/fleet/heartbeat-store.js';
import type { Manifest, ReplicaInfo } from '../../shared/fleet/manifest.js';
import { createLogger, type Logger } from '../../shared/log/logger.js';
import { redactUrl } from '../../shared/log/redact.js';
import { createMetrics, primeShardSeries, type FleetMetrics } from '../../shared/metrics/registry.js';
import { shardQueueName, shardQueuePrefix } from '../../shared/queues/names.js';
import { READ_JOB_NAME, OPTIONAL_QUERY_JOB_FIELDS } from '../../shared/queues/schemas.js';
import { WORKER_RETENTION } from '../../shared/queues/queue-retention.js';
import { createRedis, isClusterClient, waitForRedis } from '../../shared/redis/connection.js';
import type { Envelope } from '../../shared/envelope/index.js';
import type { ShardConfig } from './config.js';
import { loadDomainContext } from './domain/load-domain.js';
import { createEngine } from './engines/create-engine.js';
import { startMetricsServer } from './http/metrics-server.js';
import { handleQuery, RejectedJobError, type HandleQueryDeps } from './worker/handle-query.js';
import { MemoryStore } from '../../shared/memory/memory-store.js';
import { createMemoryMetrics } from '../../shared/memory/metrics.js';
import { MAX_SOURCE_BYTES_LIMIT, memoryKeyring } from '../../shared/memory/record.js';
import { MemorySync } from './memory/memory-sync.js';
import { listenForWrites } from './memory/write-listener.js';
import { handleRead, indexSources } from './worker/handle-read.js';
import { Heartbeat } from './worker/heartbeat.js';
import { FinishedJobs } from './worker/finished-jobs.js';
import { JobNonceCache } from './worker/job-nonce-cache.js';
import { prewarm, type PrewarmOutcome } from './worker/prewarm.js';
import { ResultPublisher } from './worker/result-publisher.js';

export interface RunningShard {
  config: ShardConfig;
  metrics: FleetMetrics;
  metricsPort: number;
  log: Logger;
  /** Stops taking jobs, lets active ones finish, withdraws the heartbeat, closes connections. */
  close(): Promise<void>;
}

export async function startShard(config: ShardConfig, log?: Logger): Promise<RunningShard> {
  const logger = log ?? createLogger({ service: 'shard', level: config.logLevel, base: { shard: config.domain, replica: config.replica } });
  const t0 = performance.now();
  const ctx = await loadDomainContext(config.contextsDir, config.domain, {
    maxTokens: config.maxDomainTokens,
    followExternalSymlinks: config.followExternalSymlinks,
    // The link and where it leads, never the file's content.
    onSkippedLink: (link) =>
      logger.warn(link, 'skipped a link that leads outside the domain folder: its file is not served (set FOLLOW_EXTERNAL_SYMLINKS=true to serve it)'),
  });
  // Before the engine: the Claude engine counts its tokens and rejected citations in these metrics.
  const metrics = createMetrics('shard', { shard: config.domain });
  const engine = await createEngine(config.engine, ctx, { anthropic: config.anthropic, metrics, log: logger });
  primeShardSeries(metrics, config.domain, engine.name);
  const loadMs = performance.now() - t0;
  // Said once per file, so a skipped file is never a silent gap in the answers (`memfleet up` shows these lines).
  for (const s of ctx.skipped ?? []) logger.warn({ source: s.source, reason: s.reason }, 'source skipped');
  for (const w of ctx.warnings ?? []) logger.warn({ source: w.source, warning: w.warning }, 'source read as Latin-1');
  logger.info(
    { sources: ctx.sources.length, skipped: ctx.skipped?.length ?? 0, lines: ctx.totalLines, tokens: ctx.tokens, engine: engine.name, loadMs: Math.round(loadMs) },
    'domain loaded',
  );

  const redis = createRedis(config.redisUrl, 'blocking', `memfleet-shard-${config.domain}`);
  redis.on('error', () => undefined); // reconnects by itself; outages surface through readiness and heartbeat logs
  await waitForRedis(redis, redactUrl(config.redisUrl));

  const finishedJobs = new FinishedJobs(redis, config.prefix, config.domain);
  const deps: HandleQueryDeps = {
    shard: config.domain,
    replica: config.replica,
    engine,
    queryKeys: config.domainKeys.query,
    resultKeys: config.domainKeys.result,
    toleranceSec: config.envelopeToleranceSec,
    finishedJobs,
    metrics,
    log: logger,
  };
  // Written sources (docs/architecture.md, "Memory that grows"): published folder facts for the
  // coordinator's write checks, then everything written so far, before the first job.
  const memoryStore = new MemoryStore(redis, config.prefix);
  const memoryMetrics = createMemoryMetrics(metrics.registry);
  memoryMetrics.version.set({ shard: config.domain }, 0);
  memoryMetrics.writeVisible.zero({ shard: config.domain });
  await memoryStore.publishFolder(config.domain, { budget: config.maxDomainTokens, tokens: ctx.tokens }, ctx.sources.map((s) => s.source));
  let sourceIndex = indexSources(ctx);
  let heartbeat: Heartbeat | undefined;
  const info: ReplicaInfo = {
    shard: config.domain,
    replica: config.replica,
    host: hostname(),
    pid: process.pid,
    metricsPort: 0,
    startedAt: Date.now(),
    jobFields: [...OPTIONAL_QUERY_JOB_FIELDS],
  };
  const memory = new MemorySync(
    {
      domain: config.domain,
      store: memoryStore,
      keyring: memoryKeyring(config.domainKeys),
      maxSourceBytes: MAX_SOURCE_BYTES_LIMIT,
      engine,
      metrics,
      memoryMetrics,
      log: logger,
      onChange: (sync) => {
        sourceIndex = indexSources(ctx, sync.written());
        heartbeat?.updateManifest(buildManifest);
      },
    },
    new Set(ctx.sources.map((s) => s.source)),
  );
  await memory.catchUp();
  // Read at each heartbeat (JSON.stringify calls the getter), so a burst of writes costs no digest per write.
  Object.defineProperty(info, 'memory', { enumerable: true, get: () => ({ version: memory.version, digest: memory.state.digest() }) });
  const subscriber = createRedis(config.redisUrl, 'blocking', `memfleet-shard-${config.domain}-writes`);
  subscriber.on('error', () => undefined);
  await listenForWrites({
    subscriber,
    prefix: config.prefix,
    domain: config.domain,
    keyring: memoryKeyring(config.domainKeys),
    toleranceSec: config.envelopeToleranceSec,
    sync: memory,
    metrics,
    log: logger,
  });
  deps.memory = memory;
  const readDeps = { ...deps, sources: () => sourceIndex };
  const outcomes = new ResultPublisher(redis, config.prefix, logger, { shard: config.domain, resultKeys: config.domainKeys.result });

  const worker = new Worker<unknown, Envelope>(
    shardQueueName(config.domain),
    async (job: Job<unknown, Envelope>) => {
      try {
        const incoming = { id: String(job.id), timestamp: job.timestamp, data: job.data };
        const nonces = new JobNonceCache(redis, config.prefix, String(job.id));
        // Reads (console, MCP resources) share the queue and the envelope checks; see handle-read.ts.
        const result = job.name === READ_JOB_NAME ? await handleRead(incoming, nonces, readDeps) : await handleQuery(incoming, nonces, deps);
        outcomes.completed(String(job.id), result); // the coordinator learns it now, not from BullMQ's event stream
        return result;
      } catch (err) {
        if (!(err instanceof RejectedJobError)) {
          metrics.jobsProcessed.inc({ shard: config.domain, outcome: 'error' });
          logger.error({ err, jobId: job.id }, 'job failed in the engine');
        }
        outcomes.failed(String(job.id), err instanceof Error ? err.message : String(err));
        throw err;
      }
    },
    {
      connection: redis,
      prefix: shardQueuePrefix(config.prefix, config.domain, isClusterClient(redis)),
      // Stored on every job as processedBy: shows which replica held a job when one crashes (docs/reliability.md).
      name: config.replica,
      concurrency: config.concurrency,
      lockDuration: config.lockDurationMs,
      stalledInterval: config.stalledIntervalMs,
      maxStalledCount: config.maxStalledCount,
      // For jobs added without their own retention (the coordinator always sets it): never keep them forever.
      removeOnComplete: WORKER_RETENTION.completed,
      removeOnFail: WORKER_RETENTION.failed,
      autorun: false,
    },
  );
  worker.on('error', (err) => logger.warn({ err }, 'worker error (will retry)'));
  // Marked only once BullMQ recorded the job finished, so a stalled job (its replica died) is still worked by another.
  const markFinished = (job: Job | undefined) => {
    if (!job?.id || !job.finishedOn) return; // a failed job BullMQ will retry is not finished
    finishedJobs.finished(String(job.id)).catch((err: unknown) => logger.warn({ err, jobId: job.id }, 'could not mark a job finished in Redis; this replica still remembers it'));
  };
  worker.on('completed', markFinished);
  worker.on('failed', markFinished);

  const { server, port } = await startMetricsServer(
    metrics.registry,
    {
      ready: async () => {
        if (redis.status !== 'ready') return { ok: false, detail: `redis ${redis.status}` };
        if (!worker.isRunning()) return { ok: false, detail: 'worker not running' };
        return { ok: true, detail: 'consuming' };
      },
    },
    config.host,
    config.metricsPort,
  );

  info.metricsPort = port;
  function buildManifest(): Manifest {
    const written = memory.written();
    return {
      shard: config.domain,
      engine: engine.name,
      sources: ctx.sources.length + written.length,
      lines: ctx.totalLines + written.reduce((n, f) => n + f.lines.length, 0),
      tokens: ctx.tokens + memory.state.tokens,
      topTerms: engine.topTerms(200),
      ...(engine.domainTerms ? { terms: engine.domainTerms() } : {}),
      loadedAt: Date.now(),
      written: written.length,
      ...(prefixCost ? { prefix: prefixCost } : {}),
    };
  }

  // A Claude shard writes its cached prefix first (one replica per prefix, a few domains at a time), so its
  // first questions read the cache instead of all writing it at once (docs/claude.md, "Warm-up").
  let warmOutcome: PrewarmOutcome | undefined;
  const target = engine.warmTarget?.();
  if (target && config.anthropic?.warmup.enabled) {
    const { timeoutMs, concurrency } = config.anthropic.warmup;
    warmOutcome = await prewarm(target, { redis, prefix: config.prefix, domain: config.domain, timeoutMs, concurrency, log: logger });
  }
  const cost = engine.prefixCost?.();
  const prefixCost: Manifest['prefix'] = cost ? { ...cost, ...(warmOutcome ? { warmed: warmOutcome.status === 'warmed' } : {}) } : undefined;
  heartbeat = new Heartbeat(new HeartbeatStore(redis, config.prefix), info, buildManifest(), config.heartbeatIntervalMs, config.heartbeatTtlMs, logger);

  void worker.run().catch((err: unknown) => logger.error({ err }, 'worker stopped unexpectedly'));
  await worker.waitUntilReady();
  await heartbeat.start();
  logger.info(
    { queue: shardQueueName(config.domain), metricsPort: port, concurrency: config.concurrency, startMs: Math.round(performance.now() - t0) },
    'shard ready',
  );

  let closing: Promise<void> | undefined;
  return {
    config,
    metrics,
    metricsPort: port,
    log: logger,
    close: () => {
      closing ??= (async () => {
        logger.info('shard stopping: finishing active jobs');
        await heartbeat?.stop();
        await worker.close();
        await server.close();
        await subscriber.quit().catch(() => subscriber.disconnect());
        await redis.quit().catch(() => redis.disconnect());
        logger.info('shard stopped');
      })();
      return closing;
    },
  };
}
