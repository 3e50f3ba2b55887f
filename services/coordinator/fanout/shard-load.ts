/**
 * How busy a shard is right now, for /v1/shards: jobs waiting in its queue,
 * jobs being worked on, and the median of its recent query round trips.
 */
import type { Dispatcher } from './dispatcher.js';

export interface ShardLoad {
  /** Jobs in `shard.<domain>`: waiting (incl. prioritized) and active; null when Redis did not answer. */
  queue: { waiting: number; active: number } | null;
  /** Median round trip (job added → verified result) of the last 100 successful queries this coordinator sent, ms; null before the first. */
  p50Ms: number | null;
  /** How many round trips the p50 is taken over. */
  p50Samples: number;
}

export async function shardLoad(dispatcher: Dispatcher, shard: string): Promise<ShardLoad> {
  let queue: ShardLoad['queue'] = null;
  try {
    const counts = await dispatcher.queue(shard).getJobCounts('waiting', 'prioritized', 'active');
    queue = { waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0), active: counts.active ?? 0 };
  } catch {
    // Redis down: the rest of the row still helps.
  }
  const p50 = dispatcher.latencies.p50(shard);
  return { queue, p50Ms: p50 === null ? null : Math.round(p50 * 100) / 100, p50Samples: dispatcher.latencies.count(shard) };
}
