/** Publishes this replica's heartbeat and its domain's manifest on an interval. */
import type { HeartbeatStore } from '../../../shared/fleet/heartbeat-store.js';
import type { Manifest, ReplicaInfo } from '../../../shared/fleet/manifest.js';
import type { Logger } from '../../../shared/log/logger.js';

export class Heartbeat {
  private timer: NodeJS.Timeout | undefined;
  private failing = false;
  private republish: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: HeartbeatStore,
    private readonly info: ReplicaInfo,
    private manifest: Manifest,
    private readonly intervalMs: number,
    private readonly ttlMs: number,
    private readonly log: Logger,
  ) {}

  /**
   * The first beat always publishes this replica's manifest: a manifest left by
   * an earlier replica (killed before its debounced update, or built from an
   * older folder before a redeploy) would otherwise stand as long as any
   * replica keeps beating, since beats only refresh its expiry.
   */
  async start(): Promise<void> {
    await this.beat(true);
    this.timer = setInterval(() => void this.beat(), this.intervalMs);
    this.timer.unref();
  }

  private async beat(publish = false): Promise<void> {
    try {
      const { manifestMissing } = await this.store.beat(this.info, this.ttlMs);
      if (publish || manifestMissing) await this.store.publishManifest(this.manifest, this.ttlMs);
      if (this.failing) this.log.info('heartbeat restored');
      this.failing = false;
    } catch (err) {
      // Log once per outage, not once per beat.
      if (!this.failing) this.log.warn({ err }, 'heartbeat failed: is Redis reachable? retrying');
      this.failing = true;
    }
  }

  /**
   * The domain changed at runtime (written sources): build and publish the new
   * manifest soon, at most once a second however many writes arrive (building
   * it ranks the whole vocabulary, too costly to do per write).
   */
  updateManifest(build: () => Manifest): void {
    if (this.republish) return;
    this.republish = setTimeout(() => {
      this.republish = undefined;
      this.manifest = build();
      this.store.publishManifest(this.manifest, this.ttlMs).catch(() => undefined);
    }, 1_000);
    this.republish.unref();
  }

  /** Stops beating and withdraws the replica so coordinators stop counting it at once. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.republish) clearTimeout(this.republish);
    this.timer = undefined;
    this.republish = undefined;
    await this.store.remove(this.info.shard, this.info.replica).catch(() => undefined);
  }
}
