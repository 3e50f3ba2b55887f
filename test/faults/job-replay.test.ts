/**
 * Issue 11, finding 2: a genuine query job captured from Redis and put back
 * under its own job id (remove + add, as the reviewer did) is answered at most
 * once, and the same envelope in another domain's queue is refused. Each
 * refusal is counted in memfleet_envelope_rejected_total{reason} and the
 * engine never runs for it. Even with the domain's Redis "finished" marks
 * deleted, the replica that answered remembers the job id.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { QueueEvents, type Job, type Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { shardQueueName } from '../../shared/queues/names.js';
import { startRedis, type RedisHandle } from '../helpers/redis-server.js';
import { freePort, newKeys, startCoordinatorProcess, startShardProcess, waitForShards, type CoordinatorProcess, type ServiceProcess } from '../helpers/fleet-processes.js';
import { ask, metricValue, shardQueue, shardsOf } from '../helpers/fault-kit.js';

const REPLAYS = 5;

describe('issue 11 (2): replayed jobs', () => {
  let redis: RedisHandle;
  let client: Redis;
  let coordinator: CoordinatorProcess | undefined;
  const shards = new Map<string, { proc: ServiceProcess; metricsUrl: string; queue: Queue; events: QueueEvents }>();

  before(async () => {
    redis = await startRedis();
    client = new Redis(redis.url);
    const env = { REDIS_URL: redis.url, MEMFLEET_PREFIX: redis.prefix, ...newKeys(), HEARTBEAT_INTERVAL_MS: '500', HEARTBEAT_TTL_MS: '3000' };
    coordinator = await startCoordinatorProcess(env);
    for (const domain of ['harbor', 'kitchen']) {
      const port = await freePort();
      const proc = await startShardProcess(domain, env, undefined, port);
      const events = new QueueEvents(shardQueueName(domain), { connection: { url: redis.url }, prefix: redis.prefix });
      await events.waitUntilReady();
      shards.set(domain, { proc, metricsUrl: `http://127.0.0.1:${port}`, queue: shardQueue(redis.url, redis.prefix, domain), events });
    }
    await waitForShards(coordinator.url, { harbor: 1, kitchen: 1 });
  });

  after(async () => {
    for (const s of shards.values()) {
      await s.events.close().catch(() => undefined);
      await s.queue.close().catch(() => undefined);
      await s.proc.stop();
    }
    await coordinator?.stop();
    client?.disconnect();
    await redis?.stop();
  });

  /** Adds `data` under `jobId` (removing any job of that id first) and waits for its end. */
  async function replay(domain: string, jobId: string, data: unknown): Promise<{ answered: boolean; reason: string }> {
    const { queue, events } = shards.get(domain)!;
    await queue.remove(jobId);
    const job: Job = await queue.add('query', data, { jobId });
    try {
      await job.waitUntilFinished(events, 20_000);
      return { answered: true, reason: '' };
    } catch (err) {
      return { answered: false, reason: err instanceof Error ? err.message : String(err) };
    }
  }

  async function metric(domain: string, name: string, labels: Record<string, string> = {}): Promise<number> {
    return metricValue(await (await fetch(`${shards.get(domain)!.metricsUrl}/metrics`)).text(), name, labels);
  }

  test('When a captured query job is re-added under its own id and into another domain, then it is answered once and every replay is refused and counted', async (t) => {
    const outcome = await ask(coordinator!.url, { question: 'Who is the captain of the schooner Albatross?', shards: ['harbor'] });
    assert.equal(outcome.status, 200);
    assert.equal(shardsOf(outcome)[0]?.status, 'ok');
    // The job id names the coordinator that asked (`<queryId>.harbor@<coordinatorId>`, shared/queues/reply-address.ts).
    const finished = await shards.get('harbor')!.queue.getJobs(['completed']);
    const jobId = finished.map((j) => j.id ?? '').find((id) => id.startsWith(`${String(outcome.json.id)}.harbor@`)) ?? `${String(outcome.json.id)}.harbor`;
    const captured = (await shards.get('harbor')!.queue.getJob(jobId))?.data;
    assert.ok(captured, 'the completed job and its envelope are still in Redis');
    assert.equal(await metric('harbor', 'memfleet_engine_duration_seconds_count'), 1, 'the genuine job ran the engine once');

    const results: { answered: boolean; reason: string }[] = [];
    for (let i = 0; i < REPLAYS; i++) results.push(await replay('harbor', jobId, captured));
    assert.equal(results.filter((r) => r.answered).length, 0, `replays answered: ${JSON.stringify(results)}`);
    // The domain's Redis marks deleted (someone with Redis write access): this replica still remembers.
    const marks = await client.keys(`${redis.prefix}:done:harbor:*`);
    assert.ok(marks.length >= 1, 'finished jobs are marked in Redis');
    await client.del(...marks);
    results.push(await replay('harbor', jobId, captured));

    assert.equal(results.filter((r) => r.answered).length, 0, `replays answered: ${JSON.stringify(results)}`);
    for (const r of results) assert.match(r.reason, /envelope rejected: already_answered/);
    assert.equal(await metric('harbor', 'memfleet_envelope_rejected_total', { reason: 'already_answered' }), REPLAYS + 1);
    assert.equal(await metric('harbor', 'memfleet_engine_duration_seconds_count'), 1, 'the engine never ran for a replay');

    // Into kitchen's queue, under the same id and another: kitchen holds no key harbor's jobs verify with.
    const elsewhere = [await replay('kitchen', jobId, captured), await replay('kitchen', 'replayed-elsewhere', captured)];
    for (const r of elsewhere) assert.match(r.reason, /envelope rejected: bad_signature/, JSON.stringify(r));
    assert.equal(await metric('kitchen', 'memfleet_envelope_rejected_total', { reason: 'bad_signature' }), 2);
    assert.equal(await metric('kitchen', 'memfleet_engine_duration_seconds_count'), 0);

    // Back in harbor's queue under another id: its signed job id does not match.
    const otherId = await replay('harbor', `${jobId}-again`, captured);
    assert.match(otherId.reason, /envelope rejected: wrong_job_id/);
    assert.equal(await metric('harbor', 'memfleet_envelope_rejected_total', { reason: 'wrong_job_id' }), 1);

    t.diagnostic(`replays under the same id: ${REPLAYS + 1}, answered 0 (already_answered ${REPLAYS + 1}); into kitchen: 2 bad_signature; under another id: wrong_job_id; engine runs: 1 (the genuine job)`);
  });
});
