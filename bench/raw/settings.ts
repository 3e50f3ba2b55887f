/**
 * The settings both sides of the comparison share, so raw BullMQ and memfleet
 * do the same amount of queue work: same worker concurrency, same lock
 * settings, same retention of finished jobs as memfleet's shards and
 * dispatcher (services/shard/config.ts defaults, fanout/dispatcher.ts).
 */
import { WORKER_RETENTION } from '../../shared/queues/queue-retention.js';

export const WORKER_CONCURRENCY = 8;
export const LOCK_DURATION_MS = 5_000;
export const STALLED_INTERVAL_MS = 2_000;
export const MAX_STALLED_COUNT = 2;
/** memfleet's default retention (shared/queues/queue-retention.ts). The events streams keep BullMQ's default length: the baseline reads them. */
export const KEEP_COMPLETED = WORKER_RETENTION.completed;
export const KEEP_FAILED = WORKER_RETENTION.failed;
/** Same events-stream read timeout as memfleet's result waiter. */
export const EVENTS_BLOCKING_TIMEOUT_MS = 5_000;
