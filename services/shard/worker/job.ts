/** A job as the shard's handlers see it, and the error for jobs that must never be retried. */
import { UnrecoverableError } from 'bullmq';

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
