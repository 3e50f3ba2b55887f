/**
 * What BullMQ keeps in Redis after a shard job finishes (issue 11: 3,000
 * queries once grew Redis from 18 MB to 432 MB). Two things held every
 * signed result:
 *
 * - each queue's `events` stream, where every `completed` event carries the
 *   job's return value: 10,000 events per queue by default. memfleet reads no
 *   events stream (results come over the result channel, result-channel.ts),
 *   so the stream is capped short; it stays for tools that listen to it live
 *   (BullMQ's QueueEvents).
 * - finished jobs, kept 5 minutes (up to 10,000 per queue). A finished query
 *   job is needed only until its query's deadline (the result waiter looks a
 *   job up directly when its result message was missed), so it is kept that
 *   long at most, and only the newest ones.
 *
 * The coordinator sets both on every job it adds and on its queues; shards set
 * the same as worker defaults, for jobs added without them (by anyone else).
 */

/** BullMQ's `removeOnComplete`/`removeOnFail` shape: keep the newest `count` jobs, none older than `age` seconds. */
export interface KeepFinished {
  age: number;
  count: number;
}

export interface QueueRetention {
  /**
   * Approximate cap on each shard queue's events stream (BullMQ's
   * `streams.events.maxLen`, which a Queue writes into the queue's meta hash
   * and every worker script trims to; Redis trims whole stream nodes, so the
   * length can run up to 100 entries over). QUEUE_EVENTS_MAX_LEN. @defaultValue 200
   */
  eventsMaxLen: number;
  /** Completed jobs (their signed results) kept per queue. @defaultValue \{ age: MAX_QUERY_TIMEOUT_MS in seconds, count: KEEP_COMPLETED_JOBS (100) \} */
  completed: KeepFinished;
  /** Failed jobs kept per queue (their reasons show in /admin/queues). @defaultValue \{ age: 3600, count: 1000 \} */
  failed: KeepFinished;
}

export const DEFAULT_EVENTS_MAX_LEN = 200;
export const DEFAULT_KEEP_COMPLETED_JOBS = 100;
const KEEP_FAILED: KeepFinished = Object.freeze({ age: 3_600, count: 1_000 });

/** The retention for a coordinator whose longest query deadline is `maxTimeoutMs`. */
export function queueRetention(opts: { maxTimeoutMs: number; eventsMaxLen?: number; keepCompletedJobs?: number }): QueueRetention {
  return {
    eventsMaxLen: opts.eventsMaxLen ?? DEFAULT_EVENTS_MAX_LEN,
    completed: { age: Math.max(1, Math.ceil(opts.maxTimeoutMs / 1000)), count: opts.keepCompletedJobs ?? DEFAULT_KEEP_COMPLETED_JOBS },
    failed: { ...KEEP_FAILED },
  };
}

/** A shard's worker defaults, for jobs added without retention: the coordinator's defaults (60 s, the default MAX_QUERY_TIMEOUT_MS). */
export const WORKER_RETENTION: QueueRetention = Object.freeze(queueRetention({ maxTimeoutMs: 60_000 }));
