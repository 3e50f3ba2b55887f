/**
 * Which coordinator processes are alive, so a query whose coordinator died is
 * reported as failed at once instead of "running" until a timeout guesses it.
 *
 * Each process keeps `<prefix>:coordinator:<instance>` alive with a TTL and
 * stamps its running queries with that instance id (see query-store.ts). A
 * graceful stop deletes the key only after the in-flight queries finished; a
 * crash lets it expire.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

/** A crashed coordinator's queries read as abandoned this long after its last beat, at most. */
export const PRESENCE_TTL_MS = 10_000;
const REFRESH_MS = 3_000;

export function newInstanceId(): string {
  return `c_${randomBytes(8).toString('base64url')}`;
}

export function presenceKey(prefix: string, instanceId: string): string {
  return `${prefix}:coordinator:${instanceId}`;
}

export class CoordinatorPresence {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    readonly instanceId: string,
  ) {}

  async start(): Promise<void> {
    await this.beat();
    this.timer = setInterval(() => void this.beat().catch(() => undefined), REFRESH_MS);
    this.timer.unref();
  }

  /** True while the coordinator `instanceId` beats; throws when Redis cannot be reached. */
  async isAlive(instanceId: string): Promise<boolean> {
    if (instanceId === this.instanceId) return true;
    return (await this.redis.exists(presenceKey(this.prefix, instanceId))) === 1;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.redis.del(presenceKey(this.prefix, this.instanceId)).catch(() => 0);
  }

  private async beat(): Promise<void> {
    await this.redis.set(presenceKey(this.prefix, this.instanceId), String(Date.now()), 'PX', PRESENCE_TTL_MS);
  }
}
