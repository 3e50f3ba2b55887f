/**
 * The checks every job passes before a shard acts on it, whatever its kind:
 * the envelope (kid, signature, timestamp) first, then the address signed into
 * the body (this shard, this job id), then the nonce, then that the job id was
 * not already answered, then the payload schema. The nonce claim and the
 * already-answered look-up leave in one socket write and come back in one
 * round trip (Redis applies them in that order). Rejections are counted and
 * logged without the body, and thrown as unrecoverable so BullMQ never retries
 * them.
 */
import type { z } from 'zod';
import { verifyEnvelope, type BodyCheck, type Keyring, type NonceCache, type RejectReason } from '../../../shared/envelope/index.js';
import { describeIssues } from '../../../shared/config/env.js';
import type { FleetMetrics } from '../../../shared/metrics/registry.js';
import type { Logger } from '../../../shared/log/logger.js';
import { JobAddressSchema } from '../../../shared/queues/schemas.js';
import type { FinishedJobs } from './finished-jobs.js';
import { RejectedJobError, type IncomingJob } from './job.js';

export interface VerifyJobDeps {
  shard: string;
  /** This domain's query keyring (derived; verifies jobs for this domain only). */
  queryKeys: Keyring;
  toleranceSec: number;
  /** Job ids this domain already answered. */
  finishedJobs: FinishedJobs;
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
  const refuse = (reason: RejectReason, detail: string): never => {
    metrics.envelopeRejected.inc({ reason });
    metrics.jobsProcessed.inc({ shard, outcome: 'rejected' });
    if (reason === 'invalid_payload') {
      log.warn({ jobId: job.id, kind: what, reason, detail }, 'job rejected: payload failed validation');
      throw new RejectedJobError('rejected', `invalid ${what} payload: ${detail}`);
    }
    log.warn({ jobId: job.id, kind: what, reason, detail }, 'job rejected: envelope failed verification');
    throw new RejectedJobError('rejected', `envelope rejected: ${reason} (${detail})`);
  };

  // Parsed once, inside the envelope check, so the address is checked before the nonce is claimed.
  let payload: unknown;
  const checkAddress: BodyCheck = (body) => {
    try {
      payload = JSON.parse(body);
    } catch {
      return { reason: 'invalid_payload', detail: 'body is not JSON' };
    }
    const address = JobAddressSchema.safeParse(payload);
    if (!address.success) return { reason: 'invalid_payload', detail: describeIssues(address.error, 'job.') };
    if (address.data.shard !== shard) return { reason: 'wrong_shard', detail: `signed for shard ${address.data.shard}, received by shard ${shard}` };
    if (address.data.jobId !== job.id) return { reason: 'wrong_job_id', detail: `signed for job id ${address.data.jobId}, carried by job ${job.id}` };
    return undefined;
  };

  // The look-up is issued right after the claim, in the same tick: both reach Redis in one write.
  let finishedLookUp: Promise<boolean> | undefined;
  const claimThenLookUp: NonceCache = {
    claim: (nonce, ttlSec) => {
      const claimed = nonceCache.claim(nonce, ttlSec);
      finishedLookUp = deps.finishedJobs.wasFinished(job.id);
      // Read below only when the claim succeeded; a failed claim must not leave it unhandled.
      finishedLookUp.catch(() => undefined);
      return claimed;
    },
  };

  const verified = await verifyEnvelope(job.data, { keyring: deps.queryKeys, toleranceSec: deps.toleranceSec, nonceCache: claimThenLookUp, checkBody: checkAddress });
  if (!verified.ok) return refuse(verified.reason, verified.detail);

  if (await (finishedLookUp ?? deps.finishedJobs.wasFinished(job.id))) {
    return refuse('already_answered', `job ${job.id} was already answered; a job id is answered once`);
  }

  const parsed = schema.safeParse(payload);
  if (!parsed.success) return refuse('invalid_payload', describeIssues(parsed.error, 'job.'));
  deps.finishedJobs.started(job.id, verified.ts + deps.toleranceSec);
  return parsed.data as z.infer<S>;
}
