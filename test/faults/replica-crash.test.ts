/**
 * Promise 1: a shard replica SIGKILLed while it holds jobs loses no question.
 * Two replicas of `harbor` share its queue; under a load of 500 queries one is
 * killed at a moment when it provably holds active jobs. BullMQ's stalled check
 * (LOCK_DURATION_MS, STALLED_INTERVAL_MS) hands those jobs to the survivor,
 * within the queries' deadline.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Queue } from 'bullmq';
import { startRedis, type RedisHandle } from '../helpers/redis-server.js';
import { newKeys, startCoordinatorProcess, startShardProcess, waitForShards, type CoordinatorProcess, type ServiceProcess } from '../helpers/fleet-processes.js';
import {
  ask,
  freezeWithActiveJobs,
  logLines,
  percentile,
  QueueRecorder,
  QUESTIONS,
  runLoad,
  shardQueue,
  shardsOf,
  type QueryOutcome,
} from '../helpers/fault-kit.js';

const QUERIES = 500;
const CONCURRENCY = 16;
const KILL_AFTER = 150;
/** Long enough for lock expiry (5 s) + a stalled check (2 s) + the survivor's work. */
const DEADLINE_MS = 15_000;

describe('promise 1: a replica killed mid-job', () => {
  let redis: RedisHandle;
  let coordinator: CoordinatorProcess | undefined;
  const procs: ServiceProcess[] = [];
  let queue: Queue;
  let recorder: QueueRecorder;

  before(async () => {
    redis = await startRedis();
    const env = { REDIS_URL: redis.url, MEMFLEET_PREFIX: redis.prefix, ...newKeys(), HEARTBEAT_INTERVAL_MS: '500', HEARTBEAT_TTL_MS: '3000' };
    // The test inspects every job and counts every completed event after the run: keep them all (the defaults keep 100 jobs, 200 events).
    coordinator = await startCoordinatorProcess({ ...env, QUERY_TIMEOUT_MS: String(DEADLINE_MS), KEEP_COMPLETED_JOBS: '10000', QUEUE_EVENTS_MAX_LEN: '100000' });
    // The shipped defaults, stated so the test proves them: LOCK_DURATION_MS 5000, STALLED_INTERVAL_MS 2000, MAX_STALLED_COUNT 2.
    const shardEnv = { ...env, LOCK_DURATION_MS: '5000', STALLED_INTERVAL_MS: '2000', MAX_STALLED_COUNT: '2' };
    procs.push(await startShardProcess('harbor', { ...shardEnv, REPLICA_ID: 'harbor-a' }));
    procs.push(await startShardProcess('harbor', { ...shardEnv, REPLICA_ID: 'harbor-b' }));
    procs.push(await startShardProcess('kitchen', { ...shardEnv, REPLICA_ID: 'kitchen-a' }));
    await waitForShards(coordinator.url, { harbor: 2, kitchen: 1 });
    queue = shardQueue(redis.url, redis.prefix, 'harbor');
    recorder = await QueueRecorder.start(redis.url, redis.prefix, 'harbor');
  });

  after(async () => {
    await recorder?.close().catch(() => undefined);
    await queue?.close().catch(() => undefined);
    await Promise.all(procs.map((p) => p.stop()));
    await coordinator?.stop();
    await redis?.stop();
  });

  test('When one of two replicas is SIGKILLed under load, then every query is answered completely and none twice', async (t) => {
    const [victim, survivor] = procs as [ServiceProcess, ServiceProcess];
    const url = coordinator!.url;
    let kill: Promise<{ at: number; orphaned: string[] }> | undefined;

    const load = await runLoad<QueryOutcome>(
      QUERIES,
      CONCURRENCY,
      (i) => ask(url, { question: QUESTIONS[i % QUESTIONS.length], timeoutMs: DEADLINE_MS }, { timeoutMs: DEADLINE_MS + 30_000 }),
      (done) => {
        if (done === KILL_AFTER) {
          kill = (async () => {
            const orphaned = await freezeWithActiveJobs(victim, queue, 'harbor-a');
            victim.proc.kill('SIGKILL');
            const at = Date.now();
            await victim.exited;
            return { at, orphaned };
          })();
        }
      },
    );
    assert.ok(kill, 'the kill was triggered');
    const { at: killedAt, orphaned } = await kill;
    assert.ok(orphaned.length > 0, 'the killed replica held active jobs');

    // Every query answered, completely: one ok result per shard.
    const answered = load.results.filter((r) => r.status === 200);
    const incomplete = load.results.filter((r) => {
      const rows = shardsOf(r);
      return r.status !== 200 || rows.length !== 2 || rows.some((s) => s.status !== 'ok') || new Set(rows.map((s) => s.shard)).size !== 2;
    });
    assert.deepEqual(
      incomplete.slice(0, 3).map((r) => ({ status: r.status, error: r.networkError, shards: shardsOf(r) })),
      [],
      `${incomplete.length} of ${QUERIES} queries were not answered completely`,
    );
    assert.equal(new Set(answered.map((r) => r.json.id)).size, QUERIES, 'every query has its own id');

    // The jobs the victim held were finished by the survivor, each exactly once.
    const finishedBy: string[] = [];
    let recoveredAt = killedAt;
    for (const id of orphaned) {
      const job = await queue.getJob(id);
      assert.ok(job, `job ${id} is still recorded`);
      assert.equal(await job.getState(), 'completed', `orphaned job ${id} completed`);
      finishedBy.push(String(job.processedBy));
      recoveredAt = Math.max(recoveredAt, job.finishedOn ?? 0);
    }
    assert.deepEqual([...new Set(finishedBy)], ['harbor-b'], 'the survivor finished every orphaned job');
    for (const id of orphaned) assert.ok(recorder.stalled.has(id), `BullMQ reported orphaned job ${id} as stalled`);

    // None answered twice: BullMQ completed each harbor job once, and the survivor answered each once.
    const twice = [...recorder.completed].filter(([, times]) => times.length > 1).map(([id]) => id);
    assert.deepEqual(twice, [], 'no job completed twice');
    assert.equal(recorder.completed.size, QUERIES, 'one completed harbor job per query');
    const answeredBy = (p: ServiceProcess) => logLines(p).filter((l) => l.msg === 'job answered').map((l) => String(l.jobId));
    const bIds = answeredBy(survivor);
    assert.equal(new Set(bIds).size, bIds.length, 'the survivor answered no job twice');
    // A job both replicas logged is one whose first answer died with the victim before reaching Redis.
    const both = answeredBy(victim).filter((id) => bIds.includes(id));
    assert.ok(both.every((id) => orphaned.includes(id)), 'only orphaned jobs were worked twice');

    const slowest = [...load.results].sort((a, b) => b.ms - a.ms).slice(0, 3);
    t.diagnostic(`slowest: ${JSON.stringify(slowest.map((r) => ({ id: r.json.id, ms: r.ms, shards: shardsOf(r).map((s) => `${s.shard}:${s.replica}:${s.latencyMs}`) })))}`);
    t.diagnostic(`orphaned: ${JSON.stringify(orphaned)}`);
    const recoveryMs = recoveredAt - killedAt;
    const latencies = load.results.map((r) => r.ms);
    t.diagnostic(
      `sent=${QUERIES} answered=${answered.length} complete=${QUERIES - incomplete.length} lost=${QUERIES - answered.length} duplicated=${twice.length} ` +
        `orphaned=${orphaned.length} reworked_after_kill=${both.length} recovery_ms=${recoveryMs} ` +
        `latency_p50_ms=${percentile(latencies, 50)} latency_max_ms=${Math.max(...latencies)}`,
    );
  });
});
