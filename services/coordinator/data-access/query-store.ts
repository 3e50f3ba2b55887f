/** Query state and results in Redis with a TTL, so any coordinator (or a restarted one) can serve GET /v1/queries/:id. */
import type { Redis } from 'ioredis';
import { keys } from '../../../shared/queues/names.js';
import { batchWrites } from '../../../shared/redis/write-batching.js';
import type { QueryResponse } from '../../../shared/api/query.js';
import type { CoordinatorPresence } from './coordinator-presence.js';

/** Without an owner to ask (records from older versions), a running query counts as abandoned this long after its deadline. */
const ABANDONED_AFTER_DEADLINE_MS = 30_000;

export type QueryRecord =
  /** `owner`: the coordinator instance running it (set by the store; see coordinator-presence.ts). */
  | { id: string; status: 'running'; createdAt: number; deadline: number; question: string; owner?: string }
  | { id: string; status: 'done'; createdAt: number; deadline: number; question: string; result: QueryResponse }
  | { id: string; status: 'failed'; createdAt: number; deadline: number; question: string; error: { code: string; message: string } };

export class QueryStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly ttlSec: number,
    private readonly presence?: CoordinatorPresence,
  ) {}

  async put(record: QueryRecord): Promise<void> {
    const stored = record.status === 'running' && this.presence ? { ...record, owner: this.presence.instanceId } : record;
    // A running record shares one socket write with the jobs of its fan-out; any other leaves at once
    // (a finished one must reach Redis before the answer reaches the caller: see query-service.ts).
    if (record.status === 'running') batchWrites(this.redis);
    await this.redis.set(keys.query(this.prefix, record.id), JSON.stringify(stored), 'EX', this.ttlSec);
  }

  /**
   * True when nobody will ever finish this running query: its coordinator
   * stopped beating (crash, kill), or, for a record without an owner, its
   * deadline passed long ago.
   */
  async isAbandoned(record: QueryRecord & { status: 'running' }, now = Date.now()): Promise<boolean> {
    if (now > record.deadline + ABANDONED_AFTER_DEADLINE_MS) return true;
    if (record.owner === undefined || !this.presence) return false;
    return !(await this.presence.isAlive(record.owner));
  }

  async get(id: string): Promise<QueryRecord | undefined> {
    const raw = await this.redis.get(keys.query(this.prefix, id));
    return raw ? (JSON.parse(raw) as QueryRecord) : undefined;
  }
}
