/**
 * Job ids this domain has already finished, so a finished job that comes back
 * under its own id (removed and re-added by someone with Redis access) is
 * refused instead of answered, and paid for, again.
 *
 * A job is marked only once BullMQ has recorded it finished (the worker's
 * `completed`/`failed` events): a job that stalled because its replica died is
 * not finished, so the survivor still works it (docs/reliability.md, 1).
 *
 * The mark lives in Redis (`<prefix>:done:<domain>:<jobId>`), shared by the
 * domain's replicas, and in this replica's memory. Both last as long as the
 * job's envelope could still pass the timestamp check (afterwards the envelope
 * itself is refused as stale). The memory copy is what holds when someone who
 * can write to Redis deletes the Redis mark: each replica still answers a job
 * id at most once.
 */
import type { Redis } from 'ioredis';
import { keys } from '../../../shared/queues/names.js';
import { batchWrites } from '../../../shared/redis/write-batching.js';

/** Sweep expired entries after this many marks, so memory stays bounded without a timer. */
const SWEEP_EVERY = 1024;

export class FinishedJobs {
  /** jobId → epoch ms until which its envelope is valid; set when a verified job starts. */
  readonly #started = new Map<string, number>();
  /** jobId → epoch ms until which it stays marked finished. */
  readonly #finished = new Map<string, number>();
  #marksSinceSweep = 0;

  /** @param redis - undefined keeps the marks in memory only (unit tests, single-replica tools) */
  constructor(
    private readonly redis: Redis | undefined,
    private readonly prefix: string,
    private readonly domain: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** True when this job id was finished by any replica of the domain (and its envelope could still be valid). */
  async wasFinished(jobId: string): Promise<boolean> {
    const until = this.#finished.get(jobId);
    if (until !== undefined && until > this.now()) return true;
    if (!this.redis) return false;
    return (await this.redis.exists(keys.finishedJob(this.prefix, this.domain, jobId))) === 1;
  }

  /**
   * Records that a verified job is being worked, and until when its envelope is valid.
   * @param validUntilSec - envelope `ts` + tolerance, epoch seconds
   */
  started(jobId: string, validUntilSec: number): void {
    this.#started.set(jobId, validUntilSec * 1000);
  }

  /** Marks a job finished, once BullMQ has recorded it so; jobs that never passed verification are not marked. */
  async finished(jobId: string): Promise<void> {
    const validUntil = this.#started.get(jobId);
    if (validUntil === undefined) return;
    this.#started.delete(jobId);
    const now = this.now();
    // One second past the envelope's last acceptable moment, never less than one second.
    const ttlMs = Math.max(1000, validUntil - now + 1000);
    this.#finished.set(jobId, now + ttlMs);
    this.#sweepOccasionally(now);
    if (!this.redis) return;
    // Joins whatever else this tick sends (the next job's fetch or checks) instead of a write of its own.
    batchWrites(this.redis);
    await this.redis.set(keys.finishedJob(this.prefix, this.domain, jobId), '1', 'PX', ttlMs);
  }

  /** Entries held in memory (finished and started), for tests. */
  get size(): number {
    return this.#finished.size + this.#started.size;
  }

  #sweepOccasionally(now: number): void {
    if (++this.#marksSinceSweep < SWEEP_EVERY) return;
    this.#marksSinceSweep = 0;
    for (const [jobId, until] of this.#finished) if (until <= now) this.#finished.delete(jobId);
    // A started job that never finished here (its lock moved to another replica) is forgotten with its envelope.
    for (const [jobId, until] of this.#started) if (until + 1000 <= now) this.#started.delete(jobId);
  }
}
