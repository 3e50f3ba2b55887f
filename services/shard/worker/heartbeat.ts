/** Publishes this replica's heartbeat and its domain's manifest on an interval. */
import type { HeartbeatStore } from '../../../shared/fleet/heartbeat-store.js';
import type { Manifest, ReplicaInfo } from '../../../shared/fleet/manifest.js';
import type { Logger } from '../../../shared/log/logger.js';

export class Heartbeat {
  private timer: NodeJS.Timeout | undefined;
  private failing = false;

  constructor(
    private readonly store: HeartbeatStore,
    private readonly info: ReplicaInfo,
    private readonly manifest: Manifest,
    private readonly intervalMs: number,
    private readonly ttlMs: number,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    await this.beat();
    this.timer = setInterval(() => void this.beat(), this.intervalMs);
    this.timer.unref();
  }

  private async beat(): Promise<void> {
    try {
      const { manifestMissing } = await this.store.beat(this.info, this.ttlMs);
      if (manifestMissing) await this.store.publishManifest(this.manifest, this.ttlMs);
      if (this.failing) this.log.info('heartbeat restored');
      this.failing = false;
    } catch (err) {
      // Log once per outage, not once per beat.
      if (!this.failing) this.log.warn({ err }, 'heartbeat failed: is Redis reachable? retrying');
      this.failing = true;
    }
  }

  /** Stops beating and withdraws the replica so coordinators stop counting it at once. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.store.remove(this.info.shard, this.info.replica).catch(() => undefined);
  }
}
