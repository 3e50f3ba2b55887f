/**
 * Three coordinators on one fleet, as processes behind a round-robin client.
 * Each shard result goes only to the coordinator that added the job (its id in
 * the job id, one channel per coordinator): N coordinators cost N result
 * messages, not N². Any coordinator reads any query back. One coordinator is
 * SIGKILLed while it holds queries in flight: its callers see the connection
 * end, its queries read as failed/abandoned from the others, nothing hangs,
 * and the other two carry on.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { replyAddressOf } from '../../shared/queues/reply-address.js';
import { startRedis, type RedisHandle } from '../helpers/redis-server.js';
import { newKeys, startCoordinatorProcess, startShardProcess, waitFor, waitForShards, type CoordinatorProcess, type ServiceProcess } from '../helpers/fleet-processes.js';
import { ask, QUESTIONS, shardsOf, sleep, type QueryOutcome } from '../helpers/fault-kit.js';
import { storedRecordBody } from '../helpers/stored-record.js';

const DEADLINE_MS = 8000;

describe('many coordinators on one fleet', () => {
  let redis: RedisHandle;
  let client: Redis;
  let listener: Redis;
  const coordinators: CoordinatorProcess[] = [];
  const shards: ServiceProcess[] = [];
  /** Every result message seen, by channel. */
  const messages = new Map<string, string[]>();

  before(async () => {
    redis = await startRedis();
    client = new Redis(redis.url);
    listener = new Redis(redis.url);
    listener.on('pmessage', (_pattern: string, channel: string, text: string) => {
      const jobId = (JSON.parse(text) as { jobId: string }).jobId;
      messages.set(channel, [...(messages.get(channel) ?? []), jobId]);
    });
    await listener.psubscribe(`${redis.prefix}:results*`);
    const env = { REDIS_URL: redis.url, MEMFLEET_PREFIX: redis.prefix, ...newKeys(), QUERY_TIMEOUT_MS: String(DEADLINE_MS) };
    for (let i = 0; i < 3; i++) coordinators.push(await startCoordinatorProcess(env));
    for (const domain of ['harbor', 'kitchen']) shards.push(await startShardProcess(domain, env));
    for (const c of coordinators) await waitForShards(c.url, { harbor: 1, kitchen: 1 });
  });

  after(async () => {
    for (const s of shards) s.proc.kill('SIGCONT');
    await Promise.all(shards.map((s) => s.stop()));
    await Promise.all(coordinators.map((c) => c.stop()));
    listener?.disconnect();
    client?.disconnect();
    await redis?.stop();
  });

  test('When queries go round-robin over three coordinators, then each result message reaches only the coordinator that asked, and any coordinator reads any query', async () => {
    const outcomes: QueryOutcome[] = [];
    for (let i = 0; i < 12; i++) outcomes.push(await ask(coordinators[i % 3]!.url, { question: QUESTIONS[i % QUESTIONS.length], timeoutMs: DEADLINE_MS }));
    for (const o of outcomes) {
      assert.equal(o.status, 200);
      assert.deepEqual(shardsOf(o).map((s) => s.status), ['ok', 'ok']);
    }
    await sleep(200);
    const fleetWide = messages.get(`${redis.prefix}:results`) ?? [];
    assert.deepEqual(fleetWide, [], 'nothing on the fleet-wide channel');
    const channels = [...messages.keys()];
    assert.equal(channels.length, 3, `one channel per coordinator: ${channels.join(', ')}`);
    let total = 0;
    for (const [channel, jobIds] of messages) {
      assert.equal(jobIds.length, 8, `${channel}: 4 queries × 2 shards, one message each`);
      for (const jobId of jobIds) assert.equal(`${redis.prefix}:results:${replyAddressOf(jobId)}`, channel, `${jobId} on its coordinator's channel`);
      total += jobIds.length;
    }
    assert.equal(total, 12 * 2, 'result messages = queries × shards, whatever the number of coordinators');

    // A query one coordinator ran, read from each of the others.
    const id = String(outcomes[0]!.json.id);
    for (const c of coordinators.slice(1)) {
      const res = await fetch(`${c.url}/v1/queries/${id}`);
      assert.equal(res.status, 200);
      assert.equal(((await res.json()) as { status: string }).status, 'done');
    }
  });

  test('When one coordinator is SIGKILLed with queries in flight, then its queries end abandoned, none hangs, and the others answer theirs and new ones', async () => {
    const [a, victim, c] = coordinators as [CoordinatorProcess, CoordinatorProcess, CoordinatorProcess];
    // Freeze the shards so every coordinator holds queries in flight at the kill.
    for (const s of shards) s.proc.kill('SIGSTOP');
    const inFlight = Array.from({ length: 9 }, (_, i) => {
      const to = coordinators[i % 3]!;
      return ask(to.url, { question: QUESTIONS[i % QUESTIONS.length], timeoutMs: DEADLINE_MS }, { timeoutMs: DEADLINE_MS + 20_000 }).then((o) => ({ to, o }));
    });
    await waitFor('9 queries recorded as running', async () => (await runningIds()).length === 9, 10_000);
    await victim.kill();
    for (const s of shards) s.proc.kill('SIGCONT');
    const ended = await Promise.all(inFlight);

    for (const { to, o } of ended) {
      assert.notEqual(o.networkError, 'TimeoutError', 'no query hangs');
      if (to === victim) {
        assert.equal(o.status, 0, 'the killed coordinator never answers');
      } else {
        assert.equal(o.status, 200);
        assert.deepEqual(shardsOf(o).map((s) => s.status), ['ok', 'ok'], 'the others answer completely');
      }
    }

    // The killed coordinator's queries: read from the survivors, failed/abandoned once its presence lapses (≤ 10 s).
    const orphans = await runningIds();
    assert.equal(orphans.length, 3, 'the three queries of the killed coordinator stay running in Redis');
    for (const id of orphans) {
      await waitFor(`${id} abandoned`, async () => {
        const res = await fetch(`${a.url}/v1/queries/${id}`);
        const body = (await res.json()) as { status: string; error?: { code: string } };
        return res.status === 200 && body.status === 'failed' && body.error?.code === 'abandoned';
      }, 20_000);
      const res = await fetch(`${c.url}/v1/queries/${id}`);
      assert.equal(((await res.json()) as { error?: { code: string } }).error?.code, 'abandoned');
    }

    // The survivors carry on.
    for (let i = 0; i < 6; i++) {
      const o = await ask((i % 2 ? a : c).url, { question: QUESTIONS[i % QUESTIONS.length], timeoutMs: DEADLINE_MS });
      assert.equal(o.status, 200);
      assert.deepEqual(shardsOf(o).map((s) => s.status), ['ok', 'ok']);
    }
  });

  /** Ids of the query records stored as running now. */
  async function runningIds(): Promise<string[]> {
    const out: string[] = [];
    for (const key of await client.keys(`${redis.prefix}:query:*`)) {
      // Records are sealed (finished ones compressed); the test only reads the body.
      const record = JSON.parse(storedRecordBody(await client.getBuffer(key))) as { status?: string; id?: string };
      if (record.status === 'running' && record.id) out.push(record.id);
    }
    return out;
  }
});
