/**
 * One query job, start to finish: verify the envelope before anything else,
 * validate the payload, answer with the engine, sign the result. Side effects
 * come in through `deps`, so this reads as the shard's whole protocol.
 */
import { UnrecoverableError } from 'bullmq';
import { signEnvelope, verifyEnvelope, type Envelope, type Keyring, type NonceCache } from '../../../shared/envelope/index.js';
import { describeIssues } from '../../../shared/config/env.js';
import type { FleetMetrics } from '../../../shared/metrics/registry.js';
import { QueryJobSchema, type ShardResult } from '../../../shared/queues/schemas.js';
import type { Logger } from '../../../shared/log/logger.js';
import type { Engine } from '../engines/engine.js';

export interface HandleQueryDeps {
  shard: string;
  replica: string;
  engine: Engine;
  queryKeys: Keyring;
  resultKeys: Keyring;
  toleranceSec: number;
  metrics: FleetMetrics;
  log: Logger;
}

export interface IncomingJob {
  id: string;
  /** When the job was added (epoch ms). */
  timestamp: number;
  data: unknown;
}

/** Thrown for jobs that must never be retried (bad envelope, bad payload, expired). */
export class RejectedJobError extends UnrecoverableError {
  constructor(
    readonly outcome: 'rejected' | 'expired',
    message: string,
  ) {
    super(message);
  }
}

export async function handleQuery(job: IncomingJob, nonceCache: NonceCache, deps: HandleQueryDeps): Promise<Envelope> {
  const pickedAt = Date.now();
  const { shard, metrics, log } = deps;
  const queueWaitMs = Math.max(0, pickedAt - job.timestamp);

  const verified = await verifyEnvelope(job.data, { keyring: deps.queryKeys, toleranceSec: deps.toleranceSec, nonceCache });
  if (!verified.ok) {
    metrics.envelopeRejected.inc({ reason: verified.reason });
    metrics.jobsProcessed.inc({ shard, outcome: 'rejected' });
    log.warn({ jobId: job.id, reason: verified.reason, detail: verified.detail }, 'job rejected: envelope failed verification');
    throw new RejectedJobError('rejected', `envelope rejected: ${verified.reason} (${verified.detail})`);
  }

  let payload: unknown;
  try {
    payload = JSON.parse(verified.body);
  } catch {
    payload = undefined;
  }
  const parsed = QueryJobSchema.safeParse(payload);
  if (!parsed.success) {
    metrics.envelopeRejected.inc({ reason: 'invalid_payload' });
    metrics.jobsProcessed.inc({ shard, outcome: 'rejected' });
    const why = payload === undefined ? 'body is not JSON' : describeIssues(parsed.error, 'job.');
    log.warn({ jobId: job.id, reason: 'invalid_payload', detail: why }, 'job rejected: payload failed validation');
    throw new RejectedJobError('rejected', `invalid query payload: ${why}`);
  }
  const query = parsed.data;

  if (query.deadline <= pickedAt) {
    metrics.jobsProcessed.inc({ shard, outcome: 'expired' });
    log.info({ queryId: query.queryId, jobId: job.id, queueWaitMs }, 'job expired before pick-up');
    throw new RejectedJobError('expired', `deadline passed ${pickedAt - query.deadline} ms before a replica picked the job up`);
  }
  metrics.shardQueueWait.observe({ shard }, queueWaitMs / 1000);

  const started = performance.now();
  const answer = await deps.engine.answer(
    { question: query.question, topK: query.topK, conversation: query.conversation },
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
