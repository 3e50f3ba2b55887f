/**
 * A broadcast asks every live domain. A domain that is known (it beat within
 * the last 10 heartbeat TTLs) but has no live replica would otherwise vanish
 * from the answer, and the caller could not tell the answer is partial; it is
 * reported as `timeout` at once instead — without a job, which nobody would take.
 */
import type { ShardReply } from './merge.js';

export function downShardReplies(
  request: { shards?: readonly string[]; mode: string },
  asked: readonly string[],
  known: readonly string[],
): ShardReply[] {
  // Named shards are asked anyway (select-shards.ts); routed queries leave domains out on purpose.
  if (request.mode !== 'broadcast' || (request.shards && request.shards.length > 0)) return [];
  const askedSet = new Set(asked);
  return known
    .filter((shard) => !askedSet.has(shard))
    .map((shard) => ({ outcome: { shard, status: 'timeout' as const, latencyMs: 0, error: 'no live replica: the domain is down (GET /v1/shards)' } }));
}
