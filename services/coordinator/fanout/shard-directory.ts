/**
 * The coordinator's view of the fleet: live shards from heartbeats, cached
 * briefly so a burst of queries costs one Redis round trip, not one each.
 */
import type { HeartbeatStore, LiveShard } from '../../../shared/fleet/heartbeat-store.js';

export class ShardDirectory {
  private cached: { at: number; live: LiveShard[]; known: string[] } | undefined;

  constructor(
    private readonly store: HeartbeatStore,
    private readonly ttlMs: number,
    private readonly cacheMs = 500,
  ) {}

  async snapshot(): Promise<{ live: LiveShard[]; known: string[] }> {
    const now = Date.now();
    if (this.cached && now - this.cached.at < this.cacheMs) return this.cached;
    const [live, known] = await Promise.all([this.store.live(this.ttlMs, now), this.store.knownShards(this.ttlMs, now)]);
    this.cached = { at: now, live, known };
    return this.cached;
  }

  invalidate(): void {
    this.cached = undefined;
  }
}
