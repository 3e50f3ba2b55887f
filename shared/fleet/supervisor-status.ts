/**
 * Where `memfleet up` keeps its report on the processes it supervises (each
 * one's pid, state and restart count, and why it was given up on; the shape
 * is shared/api/supervisor.ts). `up` writes it; the coordinator serves it at
 * GET /v1/supervisor, and `memfleet status` prints it under the shard table.
 *
 * Why a record written by the supervisor rather than a field in each shard's
 * heartbeat: only the supervisor knows about a process that is waiting out its
 * backoff or that it gave up on (neither beats), and the coordinator, which
 * has no heartbeat, is supervised too. One writer, one reader, one schema.
 *
 * A hash with one field per `up` (several may share a Redis and prefix); each
 * value carries `updatedAt`, and readers ignore and remove values not renewed
 * within the TTL, so a SIGKILLed `up` leaves no lasting row.
 */
import type { Redis } from 'ioredis';
import { SupervisorStatusSchema, type SupervisorStatus } from '../api/supervisor.js';
import { keys } from '../queues/names.js';

export const SUPERVISOR_REFRESH_MS = 5_000;
export const SUPERVISOR_TTL_MS = 15_000;

export type { SupervisedProcess, SupervisorStatus } from '../api/supervisor.js';

const supervisorsKey = keys.supervisors;

export class SupervisorStatusStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async write(status: SupervisorStatus): Promise<void> {
    await this.redis.hset(supervisorsKey(this.prefix), status.id, JSON.stringify(status));
  }

  async remove(id: string): Promise<void> {
    await this.redis.hdel(supervisorsKey(this.prefix), id);
  }

  /** Every supervisor that renewed its record within the TTL; removes the others. */
  async list(now = Date.now()): Promise<SupervisorStatus[]> {
    const all = await this.redis.hgetall(supervisorsKey(this.prefix));
    const live: SupervisorStatus[] = [];
    const stale: string[] = [];
    for (const [id, raw] of Object.entries(all)) {
      let value: unknown;
      try {
        value = JSON.parse(raw);
      } catch {
        value = undefined;
      }
      const parsed = SupervisorStatusSchema.safeParse(value);
      if (parsed.success && now - parsed.data.updatedAt <= SUPERVISOR_TTL_MS) live.push(parsed.data);
      else stale.push(id);
    }
    if (stale.length > 0) await this.redis.hdel(supervisorsKey(this.prefix), ...stale);
    return live.sort((a, b) => a.startedAt - b.startedAt);
  }
}
