/**
 * One query job, start to finish: verify the envelope before anything else,
 * validate the payload, answer with the engine, sign the result. Side effects
 * come in through `deps`, so this reads as the shard's whole protocol.
 */
import { signEnvelope, type Envelope, type Keyring, type NonceCache } from '../../../shared/envelope/index.js';
import type { FleetMetrics } from '../../../shared/metrics/registry.js';
import { QueryJobSchema, type ShardResult } from '../../../shared/queues/schemas.js';
import type { Logger } from '../../../shared/log/logger.js';
import type { Engine } from '../engines/engine.js';
import type { IncomingJob } from './job.js';
import { RejectedJobError } from './job.js';
import type { FinishedJobs } from './finished-jobs.js';
import { verifyJob } from './verify-job.js';

export interface HandleQueryDeps {
  shard: string;
  replica: string;
  engine: Engine;
  /** This domain's derived keys: verify jobs with the query key, sign results with the result key. */
  queryKeys: Keyring;
  resultKeys: Keyring;
  toleranceSec: number;
  finishedJobs: FinishedJobs;
  metrics: FleetMetrics;
  log: Logger;
  /** Written sources (services/shard/memory): brings the replica up to a job's version before it answers. */
  memory?: MemoryVersion;
}

/** The part of MemorySync a job handler needs. */
export interface MemoryVersion {
  /** Resolves once the replica answers at `version` or later; returns the version it is at. */
  ensure(version: number | undefined): Promise<number>;
}

export { RejectedJobError, type IncomingJob } from './job.js';

export async function handleQuery(job: IncomingJob, nonceCache: NonceCache, deps: HandleQueryDeps): Promise<Envelope> {
  const pickedAt = Date.now();
  const { shard, metrics, log } = deps;
  const queueWaitMs = Math.max(0, pickedAt - job.timestamp);

  const query = await verifyJob(job, nonceCache, QueryJobSchema, 'query', deps);

  if (query.deadline <= pickedAt) {
    metrics.jobsProcessed.inc({ shard, outcome: 'expired' });
    log.info({ queryId: query.queryId, jobId: job.id, queueWaitMs }, 'job expired before pick-up');
    throw new RejectedJobError('expired', `deadline passed ${pickedAt - query.deadline} ms before a replica picked the job up`);
  }
  metrics.shardQueueWait.observe({ shard }, queueWaitMs / 1000);

  // Read your writes: a replica behind the version the coordinator saw catches up first.
  const version = deps.memory ? await deps.memory.ensure(query.version) : undefined;
  const started = performance.now();
  const answer = await deps.engine.answer(
    { question: query.question, topK: query.topK, conversation: query.conversation, ...(query.termStats ? { termStats: query.termStats } : {}) },
    AbortSignal.timeout(Math.max(1, query.deadline - Date.now())),
  );
  const engineMs = performance.now() - started;
  metrics.engineDuration.observe({ shard, engine: deps.engine.name }, engineMs / 1000);

  const result: ShardResult = {
    queryId: query.queryId,
    shard,
    replica: deps.replica,
    engine: deps.engine.name,
    answer: answer.answer,
    citations: answer.citations.slice(0, query.topK),
    usage: answer.usage,
    timings: { queueWaitMs, engineMs },
    ...(version !== undefined ? { version } : {}),
  };
  metrics.jobsProcessed.inc({ shard, outcome: 'ok' });
  log.info(
    {
      queryId: query.queryId,
      jobId: job.id,
      outcome: 'ok',
      citations: result.citations.length,
      queueWaitMs: round(queueWaitMs),
      engineMs: round(engineMs),
    },
    'job answered',
  );
  return signEnvelope(JSON.stringify(result), deps.resultKeys);
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
