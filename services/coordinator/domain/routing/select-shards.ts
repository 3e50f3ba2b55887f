/** Which shards a query goes to. Pure. */

export type QueryMode = 'broadcast' | 'routed';

export type Selection = { ok: true; shards: string[] } | { ok: false; code: 'unknown_shard' | 'no_shards'; message: string };

/**
 * Broadcast: every live domain, or the caller's list. A named shard that is
 * known but has no live replica is still selected, so the answer reports it
 * as `timeout` instead of silently leaving it out.
 */
export function selectShards(live: readonly string[], known: readonly string[], requested: readonly string[] | undefined): Selection {
  if (requested && requested.length > 0) {
    const all = new Set([...live, ...known]);
    const unknown = requested.filter((s) => !all.has(s));
    if (unknown.length > 0) {
      return {
        ok: false,
        code: 'unknown_shard',
        message: `Unknown shard${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}. Known shards: ${[...all].sort().join(', ') || 'none'} (GET /v1/shards lists them).`,
      };
    }
    return { ok: true, shards: [...new Set(requested)] };
  }
  if (live.length === 0) {
    return { ok: false, code: 'no_shards', message: 'No shard is alive: start at least one (memfleet shard --domain NAME --contexts DIR) and retry.' };
  }
  return { ok: true, shards: [...live] };
}
