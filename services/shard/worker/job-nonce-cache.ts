/**
 * Replay protection that still lets BullMQ re-deliver a stalled job. The nonce
 * is claimed for the job id that first carried it: the same job seen again
 * (another replica took it over after a crash) passes, while the same envelope
 * inside any other job is a replay.
 */
import type { Redis } from 'ioredis';
import type { NonceCache } from '../../../shared/envelope/index.js';
import { keys } from '../../../shared/queues/names.js';
import { batchWrites } from '../../../shared/redis/write-batching.js';

export class JobNonceCache implements NonceCache {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly jobId: string,
  ) {}

  async claim(nonce: string, ttlSec: number): Promise<boolean> {
    const key = keys.nonce(this.prefix, 'query', nonce);
    // The job's already-answered look-up (verify-job.ts) follows in the same tick: one write for both.
    batchWrites(this.redis);
    const set = await this.redis.set(key, this.jobId, 'EX', ttlSec, 'NX');
    if (set === 'OK') return true;
    return (await this.redis.get(key)) === this.jobId;
  }
}
