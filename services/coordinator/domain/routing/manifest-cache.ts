/**
 * The shards' published term statistics, for routed mode. A manifest changes
 * only when a replica reloads its domain, so it is read from Redis at most
 * once per `ttlMs` per shard rather than once per query.
 */
import type { HeartbeatStore } from '../../../../shared/fleet/heartbeat-store.js';
import type { RoutableDomain } from './route-by-terms.js';

export class ManifestCache {
  private readonly cached = new Map<string, { at: number; domain: RoutableDomain }>();

  constructor(
    private readonly store: Pick<HeartbeatStore, 'manifest'>,
    private readonly ttlMs = 10_000,
  ) {}

  /** One entry per shard; a shard whose manifest is missing or has no statistics comes back without `terms` (always asked). */
  async domains(shards: readonly string[], now = Date.now()): Promise<RoutableDomain[]> {
    return Promise.all(
      shards.map(async (shard) => {
        const hit = this.cached.get(shard);
        if (hit && now - hit.at < this.ttlMs) return hit.domain;
        const manifest = await this.store.manifest(shard).catch(() => undefined);
        const domain: RoutableDomain = manifest?.terms ? { shard, terms: manifest.terms } : { shard };
        this.cached.set(shard, { at: now, domain });
        return domain;
      }),
    );
  }
}
