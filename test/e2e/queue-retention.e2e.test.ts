/**
 * Issue 11, finding 9: Redis must not keep every signed result. With the
 * coordinator's defaults, after hundreds of queries each shard queue's BullMQ
 * `events` stream stays near its cap and only the newest completed jobs are
 * kept. Asserted on key sizes (XLEN, ZCARD, EXISTS), not on time or memory.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { DEFAULT_EVENTS_MAX_LEN, DEFAULT_KEEP_COMPLETED_JOBS } from '../../shared/queues/queue-retention.js';
import { shardQueueName } from '../../shared/queues/names.js';
import { postQuery, waitFor } from '../helpers/fleet-processes.js';
import { startFixtureFleet, type FixtureFleet } from '../helpers/fixture-fleet.js';

const QUERIES = 300;
const CONCURRENCY = 8;
/** Redis trims a stream by whole nodes (stream-node-max-entries, 100 by default) under MAXLEN ~. */
const STREAM_NODE_ENTRIES = 100;
const QUESTIONS = ['Who is the captain of the schooner Albatross?', 'plum jam cinnamon', 'How many degrees did the tail of comet Halvorsen stretch?'];

describe('what Redis keeps of finished shard jobs', () => {
  let fleet: FixtureFleet;
  let redis: Redis;
  const queryIds: string[] = [];

  before(async () => {
    // Defaults only: no retention setting in the environment.
    fleet = await startFixtureFleet({ domains: ['harbor', 'kitchen'] });
    redis = new Redis(fleet.redis.url);
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < QUERIES) {
          const i = next++;
          const { status, json } = await postQuery(fleet.coordinator.url, { question: QUESTIONS[i % QUESTIONS.length], shards: ['harbor', 'kitchen'] });
          assert.equal(status, 200, JSON.stringify(json));
          queryIds[i] = String(json.id);
        }
      }),
    );
  });

  after(async () => {
    redis?.disconnect();
    await fleet?.stop();
  });

  const key = (shard: string, suffix: string) => `${fleet.redis.prefix}:${shardQueueName(shard)}:${suffix}`;
  /** The stored job of one query on one shard: its id is `<queryId>.<shard>@<coordinatorId>` (shared/queues/reply-address.ts). */
  const jobKeys = (shard: string, queryId: string) => redis.keys(key(shard, `${queryId}.${shard}@c_*`));

  test('When hundreds of queries have been answered, then each queue’s events stream stays within its cap', async () => {
    for (const shard of ['harbor', 'kitchen']) {
      const length = await redis.xlen(key(shard, 'events'));
      // Four events per job (added, waiting, active, completed): uncapped, this would be about 1,200.
      assert.ok(length <= DEFAULT_EVENTS_MAX_LEN + STREAM_NODE_ENTRIES, `${shard} events stream holds ${length} entries`);
      assert.equal(await redis.hget(key(shard, 'meta'), 'opts.maxLenEvents'), String(DEFAULT_EVENTS_MAX_LEN));
    }
  });

  test('When hundreds of queries have been answered, then only the newest completed jobs are kept, and the oldest are gone', async () => {
    for (const shard of ['harbor', 'kitchen']) {
      const completed = await redis.zcard(key(shard, 'completed'));
      assert.ok(completed <= DEFAULT_KEEP_COMPLETED_JOBS, `${shard} keeps ${completed} completed jobs`);
      assert.ok(completed > 0, `${shard} keeps no completed job at all: the missed-message look-up would find nothing`);
      assert.deepEqual(await jobKeys(shard, queryIds[0]!), [], `the first query's ${shard} job is still stored`);
      // The shard announces a result just before BullMQ records the job completed: give that write a moment.
      await waitFor(`the last query's ${shard} job to be recorded`, async () => (await jobKeys(shard, queryIds[QUERIES - 1]!)).length === 1, 5_000);
    }
  });
});
