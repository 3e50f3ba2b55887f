/**
 * Scenario 7: how much Redis memory queries leave behind (issue 11: 3,000
 * queries once took Redis from 18 MB to 432 MB, BullMQ's `events` streams
 * and finished jobs holding every signed result). A private redis-server of
 * its own, so nothing else runs in it; the coordinator and four lexical
 * shards on the demo contexts; `used_memory` from INFO memory before and
 * after each batch of queries (16 callers), and what BullMQ keeps per queue.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { startPrivateRedis } from '../../services/cli/up/private-redis.js';
import { generateKeyring } from '../../shared/envelope/index.js';
import { shardQueueName } from '../../shared/queues/names.js';
import type { BenchContext } from '../context.js';
import { waitForReplicas } from '../fleet.js';
import { askFleet, JsonClient } from '../http-client.js';
import { DEMO_QUESTIONS, FANOUT_DOMAINS } from '../questions.js';
import { startCoordinator, startShard, type BenchProcess } from '../services.js';

export interface RedisMemoryBatch {
  queries: number;
  errors: number;
  /** used_memory after the batch minus before it, MB. */
  growthMb: number;
}

export interface RedisMemoryResult {
  /** used_memory once the fleet was up and warmed, MB. */
  baselineMb: number;
  /** The first batch from an empty history, then the next ones (the caps are reached by then). */
  batches: RedisMemoryBatch[];
  /** Per queue at the end: the events stream's length, and completed jobs kept. */
  queues: { shard: string; eventsLength: number; completedJobs: number }[];
  /** At the end, by kind of key (ids replaced by `*`), largest first: keys and MEMORY USAGE, MB. */
  byKind: { kind: string; keys: number; mb: number }[];
}

export const QUERIES_PER_BATCH = 1_000;
const BATCHES = 2;
const CONCURRENCY = 16;

export async function runRedisMemory(ctx: BenchContext): Promise<RedisMemoryResult> {
  const { say } = ctx;
  say('redis memory: a private redis-server, a coordinator and 4 lexical shards');
  const redis = await startPrivateRedis();
  const prefix = `mfmem-${randomBytes(4).toString('hex')}`;
  const env = {
    REDIS_URL: redis.url,
    MEMFLEET_PREFIX: prefix,
    MEMFLEET_HMAC_KEYS: generateKeyring('mem-q'),
    MEMFLEET_SHARD_HMAC_KEYS: generateKeyring('mem-r'),
    LOG_LEVEL: 'warn',
  };
  const admin = new Redis(redis.url);
  const processes: BenchProcess[] = [];
  try {
    const coordinator = await startCoordinator(env, ctx.nodeFlags);
    processes.push(coordinator);
    for (const domain of FANOUT_DOMAINS) processes.push(await startShard({ domain, contexts: ctx.demoContexts, engine: 'lexical' }, env, ctx.nodeFlags));
    await waitForReplicas(coordinator.url, Object.fromEntries(FANOUT_DOMAINS.map((d) => [d, 1])));

    const client = new JsonClient(coordinator.url, CONCURRENCY * 2);
    let asked = 0;
    const ask = () => askFleet(client, { question: DEMO_QUESTIONS[asked++ % DEMO_QUESTIONS.length] as string, shards: [...FANOUT_DOMAINS], topK: 5 });
    const run = async (count: number): Promise<number> => {
      let next = 0;
      let errors = 0;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < count) {
            next++;
            await ask().catch(() => errors++);
          }
        }),
      );
      return errors;
    };
    try {
      await run(50); // warm-up: queues created, connections open, JIT done
      const baseline = await usedMemory(admin);
      const batches: RedisMemoryBatch[] = [];
      let before = baseline;
      for (let b = 0; b < BATCHES; b++) {
        say(`redis memory: batch ${b + 1} of ${BATCHES} (${QUERIES_PER_BATCH} queries)`);
        const errors = await run(QUERIES_PER_BATCH);
        const after = await usedMemory(admin);
        batches.push({ queries: QUERIES_PER_BATCH, errors, growthMb: (after - before) / 1e6 });
        before = after;
      }
      const queues = [];
      for (const shard of FANOUT_DOMAINS) {
        const base = `${prefix}:${shardQueueName(shard)}`;
        queues.push({ shard, eventsLength: await admin.xlen(`${base}:events`), completedJobs: await admin.zcard(`${base}:completed`) });
      }
      return { baselineMb: baseline / 1e6, batches, queues, byKind: await memoryByKind(admin, prefix) };
    } finally {
      client.close();
    }
  } finally {
    await Promise.all(processes.map((p) => p.stop()));
    admin.disconnect();
    await redis.stop();
  }
}

/** Every key under `prefix`, grouped by its shape (query and job ids become `*`), with MEMORY USAGE summed. */
async function memoryByKind(client: Redis, prefix: string): Promise<RedisMemoryResult['byKind']> {
  const kinds = new Map<string, { keys: number; bytes: number }>();
  let cursor = '0';
  do {
    const [next, found] = await client.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1_000);
    cursor = next;
    for (const key of found) {
      const kind = key
        .slice(prefix.length + 1)
        .replace(/q_[A-Za-z0-9_-]+/g, '*')
        .replace(/r_[A-Za-z0-9_-]+/g, '*')
        .replace(/[A-Za-z0-9_-]{20,}/g, '*');
      const bytes = (await client.memory('USAGE', key)) ?? 0;
      const entry = kinds.get(kind) ?? { keys: 0, bytes: 0 };
      entry.keys++;
      entry.bytes += bytes;
      kinds.set(kind, entry);
    }
  } while (cursor !== '0');
  return [...kinds]
    .map(([kind, v]) => ({ kind, keys: v.keys, mb: v.bytes / 1e6 }))
    .sort((a, b) => b.mb - a.mb)
    .slice(0, 8);
}

async function usedMemory(client: Redis): Promise<number> {
  const info = await client.info('memory');
  const value = /^used_memory:(\d+)/m.exec(info)?.[1];
  if (value === undefined) throw new Error('INFO memory has no used_memory field');
  return Number(value);
}
