/**
 * Tells the coordinator that added a job that it finished, the moment the shard knows
 * (shared/queues/result-channel.ts): one PUBLISH with the signed result or the
 * failure reason, signed with the domain's result key like a result. BullMQ still records the job's return value or failure, and
 * that record is what a coordinator falls back on if this message is lost, so
 * a failed publish is logged and never fails the job.
 */
import type { Redis } from 'ioredis';
import { signEnvelope, type Keyring } from '../../../shared/envelope/index.js';
import type { Logger } from '../../../shared/log/logger.js';
import type { JobFailure } from '../../../shared/queues/schemas.js';
import { replyChannel } from '../../../shared/queues/reply-address.js';
import { encodeOutcome } from '../../../shared/queues/result-channel.js';
import { batchWrites } from '../../../shared/redis/write-batching.js';

/** JobFailureSchema's limit on `reason`. */
const MAX_REASON_CHARS = 2_000;

export class ResultPublisher {
  private warned = false;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly log: Logger,
    /** The domain, and its result keyring that signs failures. */
    private readonly signer: { shard: string; resultKeys: Keyring },
  ) {}

  completed(jobId: string, value: unknown): void {
    this.send(jobId, encodeOutcome({ jobId, kind: 'completed', value }));
  }

  failed(jobId: string, reason: string): void {
    const body: JobFailure = { jobId, shard: this.signer.shard, reason: reason.length > MAX_REASON_CHARS ? `${reason.slice(0, MAX_REASON_CHARS - 1)}…` : reason };
    this.send(jobId, encodeOutcome({ jobId, kind: 'failed', failure: signEnvelope(JSON.stringify(body), this.signer.resultKeys) }));
  }

  /** Not awaited: the job completes in BullMQ either way, and waiting would only delay that. */
  private send(jobId: string, message: string): void {
    // The message and BullMQ's completion of the job, issued right after, leave in one socket write.
    batchWrites(this.redis);
    // Only the coordinator that added the job hears it (shared/queues/reply-address.ts).
    this.redis.publish(replyChannel(this.prefix, jobId), message).then(
      () => (this.warned = false),
      (err: unknown) => {
        if (this.warned) return;
        this.warned = true;
        this.log.warn({ err }, 'could not publish a job outcome; coordinators will find it at their deadline');
      },
    );
  }
}
