/**
 * Keeps this `up`'s supervisor record in Redis current (shared/fleet/supervisor-status.ts):
 * on every change of a child, and every few seconds so readers know `up` is alive.
 * Best effort: a Redis outage must never disturb supervision, so write errors are dropped
 * and the next change or refresh writes again.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { SupervisedProcess, SupervisorStatus } from '../../../shared/api/supervisor.js';
import { SUPERVISOR_REFRESH_MS, SupervisorStatusStore } from '../../../shared/fleet/supervisor-status.js';
import { createRedis } from '../../../shared/redis/connection.js';
import { describeExit, type SupervisedChild } from './supervised-child.js';

export class StatusPublisher {
  private readonly redis: Redis;
  private readonly store: SupervisorStatusStore;
  private readonly id = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  private readonly startedAt = Date.now();
  private timer: NodeJS.Timeout | undefined;
  private pending = false;

  constructor(
    redisUrl: string,
    prefix: string,
    private readonly children: () => readonly SupervisedChild[],
  ) {
    this.redis = createRedis(redisUrl, 'request', 'memfleet-up');
    this.redis.on('error', () => undefined);
    // Writes are not queued while disconnected: write as soon as the connection is (again) ready.
    this.redis.on('ready', () => this.publish());
    this.store = new SupervisorStatusStore(this.redis, prefix);
  }

  start(): void {
    this.publish();
    this.timer = setInterval(() => this.publish(), SUPERVISOR_REFRESH_MS);
    this.timer.unref();
  }

  /** Coalesces bursts of changes (a stop touches every child) into one write. */
  publish(): void {
    if (this.pending) return;
    this.pending = true;
    setImmediate(() => {
      this.pending = false;
      this.store.write(this.snapshot()).catch(() => undefined);
    });
  }

  snapshot(): SupervisorStatus {
    return {
      id: this.id,
      host: hostname(),
      pid: process.pid,
      startedAt: this.startedAt,
      updatedAt: Date.now(),
      processes: this.children().map(
        (c): SupervisedProcess => ({
          name: c.name,
          role: c.spec.role,
          ...(c.spec.domain ? { domain: c.spec.domain } : {}),
          pid: c.pid ?? null,
          state: c.state,
          restarts: c.restarts,
          ...(c.lastExit ? { lastExit: { reason: describeExit(c.lastExit), at: c.lastExit.at } } : {}),
          ...(c.gaveUpReason ? { gaveUp: c.gaveUpReason } : {}),
        }),
      ),
    };
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.store.remove(this.id).catch(() => undefined);
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
