/**
 * The checks every job passes before a shard acts on it, whatever its kind:
 * the envelope (kid, signature, timestamp, nonce) first, then the payload
 * schema. Rejections are counted and logged without the body, and thrown as
 * unrecoverable so BullMQ never retries them.
 */
import type { z } from 'zod';
import { verifyEnvelope, type Keyring, type NonceCache } from '../../../shared/envelope/index.js';
import { describeIssues } from '../../../shared/config/env.js';
import type { FleetMetrics } from '../../../shared/metrics/registry.js';
import type { Logger } from '../../../shared/log/logger.js';
import { RejectedJobError, type IncomingJob } from './job.js';

export interface VerifyJobDeps {
  shard: string;
  queryKeys: Keyring;
  toleranceSec: number;
  metrics: FleetMetrics;
  log: Logger;
}

/** @returns the payload, parsed with `schema`; throws RejectedJobError otherwise. */
export async function verifyJob<S extends z.ZodType>(
  job: IncomingJob,
  nonceCache: NonceCache,
  schema: S,
  what: string,
  deps: VerifyJobDeps,
): Promise<z.infer<S>> {
  const { shard, metrics, log } = deps;
  const verified = await verifyEnvelope(job.data, { keyring: deps.queryKeys, toleranceSec: deps.toleranceSec, nonceCache });
  if (!verified.ok) {
    metrics.envelopeRejected.inc({ reason: verified.reason });
    metrics.jobsProcessed.inc({ shard, outcome: 'rejected' });
    log.warn({ jobId: job.id, kind: what, reason: verified.reason, detail: verified.detail }, 'job rejected: envelope failed verification');
    throw new RejectedJobError('rejected', `envelope rejected: ${verified.reason} (${verified.detail})`);
  }
  let payload: unknown;
  try {
    payload = JSON.parse(verified.body);
  } catch {
    payload = undefined;
  }
  const parsed = schema.safeParse(payload);
  if (!parsed.success) {
    metrics.envelopeRejected.inc({ reason: 'invalid_payload' });
    metrics.jobsProcessed.inc({ shard, outcome: 'rejected' });
    const why = payload === undefined ? 'body is not JSON' : describeIssues(parsed.error, 'job.');
    log.warn({ jobId: job.id, kind: what, reason: 'invalid_payload', detail: why }, 'job rejected: payload failed validation');
    throw new RejectedJobError('rejected', `invalid ${what} payload: ${why}`);
  }
  return parsed.data as z.infer<S>;
}
