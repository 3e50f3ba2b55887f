/**
 * The settings both sides of the comparison share, so raw BullMQ and memfleet
 * do the same amount of queue work: same worker concurrency, same lock
 * settings, same retention of finished jobs as memfleet's shards and
 * dispatcher (services/shard/config.ts defaults, fanout/dispatcher.ts).
 */
export const WORKER_CONCURRENCY = 8;
export const LOCK_DURATION_MS = 5_000;
export const STALLED_INTERVAL_MS = 2_000;
export const MAX_STALLED_COUNT = 2;
export const KEEP_COMPLETED = { age: 300, count: 10_000 };
export const KEEP_FAILED = { age: 3_600, count: 10_000 };
/** Same events-stream read timeout as memfleet's result waiter. */
export const EVENTS_BLOCKING_TIMEOUT_MS = 5_000;
