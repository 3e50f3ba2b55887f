/**
 * Query state and results in Redis with a TTL, so any coordinator (or a
 * restarted one) can serve GET /v1/queries/:id.
 *
 * Finished records are stored compressed (raw DEFLATE, shared/envelope/sealed-record.ts:
 * about a third of their JSON) and every record is sealed with the coordinator's record key (derived from the query
 * master, which no shard holds: shared/envelope/domain-keys.ts), bound to their
 * query id. A record written into Redis by anyone else, or copied from another
 * id, does not open and is treated as absent: it is never served as a result.
 */
import type { Redis } from 'ioredis';
import { sealRecord, sealRecordCompressed, unsealRecord, type Keyring } from '../../../shared/envelope/index.js';
import type { Logger } from '../../../shared/log/logger.js';
import { keys } from '../../../shared/queues/names.js';
import { batchWrites } from '../../../shared/redis/write-batching.js';
import type { QueryResponse } from '../../../shared/api/query.js';
import type { CoordinatorPresence } from './coordinator-presence.js';

/** Without an owner to ask (records from older versions), a running query counts as abandoned this long after its deadline. */
const ABANDONED_AFTER_DEADLINE_MS = 30_000;

/** Records whose JSON is longer than this are stored compressed (finished queries: about 4 KB, a third of it compressed). */
const COMPRESS_FROM_CHARS = 1024;

export type QueryRecord =
  /** `owner`: the coordinator instance running it (set by the store; see coordinator-presence.ts). */
  | { id: string; status: 'running'; createdAt: number; deadline: number; question: string; owner?: string }
  | { id: string; status: 'done'; createdAt: number; deadline: number; question: string; result: QueryResponse }
  | { id: string; status: 'failed'; createdAt: number; deadline: number; question: string; error: { code: string; message: string } };

export interface QueryStoreOptions {
  /** Seals and opens records; only coordinators hold it. */
  recordKeys: Keyring;
  /** Running records carry this coordinator's instance id (see coordinator-presence.ts). */
  presence?: CoordinatorPresence | undefined;
  /** Where a record that does not open is reported (without its content). */
  log?: Logger | undefined;
}

export class QueryStore {
  private readonly presence: CoordinatorPresence | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly ttlSec: number,
    private readonly options: QueryStoreOptions,
  ) {
    this.presence = options.presence;
  }

  async put(record: QueryRecord): Promise<void> {
    const stored = record.status === 'running' && this.presence ? { ...record, owner: this.presence.instanceId } : record;
    // A running record shares one socket write with the jobs of its fan-out; a finished one with whatever
    // else this tick sends (other queries' jobs under load). Either leaves before the next tick, so a
    // finished one reaches Redis right as the answer reaches the caller (see query-service.ts).
    batchWrites(this.redis);
    const body = JSON.stringify(stored);
    // Small records (running, failed) gain little from compression and cost its CPU all the same.
    const sealed = (body.length > COMPRESS_FROM_CHARS ? sealRecordCompressed : sealRecord)(this.options.recordKeys, recordContext(record.id), body);
    await this.redis.set(keys.query(this.prefix, record.id), sealed, 'EX', this.ttlSec);
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

  /** The record, or undefined when there is none or it is not one this fleet's coordinators sealed for this id. */
  async get(id: string): Promise<QueryRecord | undefined> {
    const raw = await this.redis.getBuffer(keys.query(this.prefix, id));
    if (!raw) return undefined;
    const opened = unsealRecord(this.options.recordKeys, recordContext(id), raw);
    if (!opened.ok) {
      this.options.log?.warn({ queryId: id, reason: opened.reason }, 'ignored a stored query record that does not carry this fleet\'s seal (forged, or from an older version)');
      return undefined;
    }
    const record = JSON.parse(opened.body) as QueryRecord;
    // Sealed by us for this id; the check only guards against a bug writing one id's record under another.
    return record.id === id ? record : undefined;
  }
}

function recordContext(id: string): string {
  return `query:${id}`;
}
