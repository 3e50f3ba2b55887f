/**
 * The coordinator's view of the fleet: live shards from heartbeats, cached
 * briefly so a burst of queries costs one Redis round trip, not one each.
 */
import { jobFieldsByShard, type HeartbeatStore, type LiveShard } from '../../../shared/fleet/heartbeat-store.js';

export interface Snapshot {
  at: number;
  live: LiveShard[];
  known: string[];
  /** Per live shard, the optional query-job fields all its live replicas understand. */
  jobFields: Map<string, Set<string>>;
}

export class ShardDirectory {
  private cached: Snapshot | undefined;

  constructor(
    private readonly store: HeartbeatStore,
    private readonly ttlMs: number,
    private readonly cacheMs = 500,
  ) {}

  async snapshot(): Promise<Snapshot> {
    const now = Date.now();
    if (this.cached && now - this.cached.at < this.cacheMs) return this.cached;
    const [live, known, infos] = await Promise.all([this.store.live(this.ttlMs, now), this.store.knownShards(this.ttlMs, now), this.store.replicaInfo()]);
    this.cached = { at: now, live, known, jobFields: jobFieldsByShard(live, infos) };
    return this.cached;
  }

  invalidate(): void {
    this.cached = undefined;
  }
}
