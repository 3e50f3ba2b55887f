/** Query state and results in Redis with a TTL, so any coordinator (or a restarted one) can serve GET /v1/queries/:id. */
import type { Redis } from 'ioredis';
import { keys } from '../../../shared/queues/names.js';
import type { QueryResponse } from '../domain/types.js';

export type QueryRecord =
  | { id: string; status: 'running'; createdAt: number; deadline: number; question: string }
  | { id: string; status: 'done'; createdAt: number; deadline: number; question: string; result: QueryResponse }
  | { id: string; status: 'failed'; createdAt: number; deadline: number; question: string; error: { code: string; message: string } };

export class QueryStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly ttlSec: number,
  ) {}

  async put(record: QueryRecord): Promise<void> {
    await this.redis.set(keys.query(this.prefix, record.id), JSON.stringify(record), 'EX', this.ttlSec);
  }

  async get(id: string): Promise<QueryRecord | undefined> {
    const raw = await this.redis.get(keys.query(this.prefix, id));
    return raw ? (JSON.parse(raw) as QueryRecord) : undefined;
  }
}
