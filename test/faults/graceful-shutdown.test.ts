/**
 * Promise 5: graceful shutdown under load.
 * - SIGTERM on a shard replica: it stops taking jobs, finishes the ones it
 *   holds (itself, not by handing them over), then exits 0.
 * - SIGTERM on the coordinator: new requests get 503 `shutting_down`, the
 *   queries already accepted are answered, then it exits 0.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Job, Queue } from 'bullmq';
import { startRedis, type RedisHandle } from '../helpers/redis-server.js';
import { newKeys, startCoordinatorProcess, startShardProcess, waitFor, waitForShards, type CoordinatorProcess, type ServiceProcess } from '../helpers/fleet-processes.js';
import { ask, freezeWithActiveJobs, logLines, QueueRecorder, QUESTIONS, runLoad, shardQueue, shardsOf, sleep, type QueryOutcome } from '../helpers/fault-kit.js';

const complete = (r: QueryOutcome, shardCount: number) =>
  r.status === 200 && shardsOf(r).length === shardCount && shardsOf(r).every((s) => s.status === 'ok');

describe('promise 5: graceful shutdown under load', () => {
  let redis: RedisHandle;
  let env: NodeJS.ProcessEnv;
  let coordinator: CoordinatorProcess | undefined;
  const procs = new Map<string, ServiceProcess>();
  let harborQueue: Queue;
  let kitchenQueue: Queue;
  let recorder: QueueRecorder;

  before(async () => {
    redis = await startRedis();
    env = { REDIS_URL: redis.url, MEMFLEET_PREFIX: redis.prefix, ...newKeys(), HEARTBEAT_INTERVAL_MS: '500', HEARTBEAT_TTL_MS: '3000' };
    // The test inspects every completed job after the run: keep them all (the defaults keep 100 jobs, 200 events).
    coordinator = await startCoordinatorProcess({ ...env, QUERY_TIMEOUT_MS: '15000', KEEP_COMPLETED_JOBS: '10000', QUEUE_EVENTS_MAX_LEN: '100000' });
    for (const [domain, replica] of [['harbor', 'harbor-a'], ['harbor', 'harbor-b'], ['kitchen', 'kitchen-a']] as const) {
      procs.set(replica, await startShardProcess(domain, { ...env, REPLICA_ID: replica }));
    }
    await waitForShards(coordinator.url, { harbor: 2, kitchen: 1 });
    harborQueue = shardQueue(redis.url, redis.prefix, 'harbor');
    kitchenQueue = shardQueue(redis.url, redis.prefix, 'kitchen');
    recorder = await QueueRecorder.start(redis.url, redis.prefix, 'harbor');
  });

  after(async () => {
    await recorder?.close().catch(() => undefined);
    await harborQueue?.close().catch(() => undefined);
    await kitchenQueue?.close().catch(() => undefined);
    for (const p of procs.values()) {
      p.proc.kill('SIGCONT');
      await p.stop();
    }
    await coordinator?.stop();
    await redis?.stop();
  });

  test('When a shard replica gets SIGTERM under load, then it finishes the jobs it holds, takes no new one, and exits 0', async (t) => {
    const victim = procs.get('harbor-a')!;
    let stop: Promise<{ held: string[]; termAt: number; exitCode: number | null; exitedAt: number }> | undefined;
    const load = await runLoad(
      300,
      16,
      (i) => ask(coordinator!.url, { question: QUESTIONS[i % QUESTIONS.length] }, { timeoutMs: 45_000 }),
      (done) => {
        if (done !== 100) return;
        stop = (async () => {
          const held = await freezeWithActiveJobs(victim, harborQueue, 'harbor-a');
          victim.proc.kill('SIGTERM'); // delivered when it thaws
          const termAt = Date.now();
          victim.proc.kill('SIGCONT');
          const exitCode = await victim.exited;
          return { held, termAt, exitCode, exitedAt: Date.now() };
        })();
      },
    );
    assert.ok(stop);
    const { held, termAt, exitCode, exitedAt } = await stop;
    assert.equal(exitCode, 0, victim.output().slice(-2000));
    assert.ok(held.length > 0, 'the replica held jobs when it got SIGTERM');

    const incomplete = load.results.filter((r) => !complete(r, 2));
    assert.deepEqual(incomplete.slice(0, 2).map((r) => r.json), [], `${incomplete.length} of 300 queries incomplete`);

    // Finished by the stopping replica itself, not stalled and handed over.
    for (const id of held) {
      const job = (await harborQueue.getJob(id)) as Job;
      assert.equal(await job.getState(), 'completed');
      assert.equal(job.processedBy, 'harbor-a', `held job ${id} finished by the replica that held it`);
      assert.ok(!recorder.stalled.has(id), `held job ${id} never stalled`);
    }
    // No job started on it after SIGTERM.
    const done = await harborQueue.getCompleted(0, -1);
    const startedAfter = done.filter((j) => j.processedBy === 'harbor-a' && (j.processedOn ?? 0) > termAt + 50 && !held.includes(String(j.id)));
    assert.deepEqual(startedAfter.map((j) => j.id), [], 'no job taken after SIGTERM');
    const msgs = logLines(victim).map((l) => l.msg);
    assert.ok(msgs.indexOf('shard stopping: finishing active jobs') < msgs.indexOf('shard stopped'), 'logs its stop in order');
    t.diagnostic(`shard SIGTERM: held=${held.length} finished_by_itself=${held.length} exit=${exitCode} stop_ms=${exitedAt - termAt}; queries sent=300 complete=${300 - incomplete.length}`);
  });

  test('When the coordinator gets SIGTERM with queries in flight, then new requests get 503, the accepted queries are answered, and it exits 0', async (t) => {
    await waitForShards(coordinator!.url, { harbor: 1, kitchen: 1 });
    const kitchen = procs.get('kitchen-a')!;
    const url = coordinator!.url;
    const IN_FLIGHT = 20;

    kitchen.proc.kill('SIGSTOP'); // their kitchen jobs wait, so these queries stay in flight
    const inFlight = Array.from({ length: IN_FLIGHT }, (_, i) => ask(url, { question: QUESTIONS[i % QUESTIONS.length] }, { timeoutMs: 45_000 }));
    await waitFor('all in-flight queries to have their kitchen job queued', async () => (await kitchenQueue.getWaitingCount()) >= IN_FLIGHT, 15_000);

    coordinator!.proc.kill('SIGTERM');
    const termAt = Date.now();
    await waitFor('the coordinator to log that it is stopping', async () => logLines(coordinator!).some((l) => l.msg === 'coordinator stopping: finishing in-flight queries'), 10_000);

    // While draining: every new request is refused with the API's 503, and readiness says so.
    const refused: QueryOutcome[] = [];
    for (let i = 0; i < 10; i++) refused.push(await ask(url, { question: QUESTIONS[0] }, { timeoutMs: 10_000 }));
    const ready = await fetch(`${url}/readyz`);
    assert.equal(ready.status, 503);
    for (const r of refused) {
      assert.equal(r.status, 503, JSON.stringify(r));
      assert.equal((r.json.error as { code: string }).code, 'shutting_down');
    }

    kitchen.proc.kill('SIGCONT');
    const answered = await Promise.all(inFlight);
    const incomplete = answered.filter((r) => !complete(r, 2));
    assert.deepEqual(incomplete.map((r) => r.json), [], 'every accepted query is answered completely');
    const exitCode = await coordinator!.exited;
    assert.equal(exitCode, 0, coordinator!.output().slice(-2000));
    const afterExit = await ask(url, { question: QUESTIONS[0] }, { timeoutMs: 5_000 });
    assert.equal(afterExit.networkError, 'ECONNREFUSED');
    await sleep(0);
    t.diagnostic(`coordinator SIGTERM: in_flight=${IN_FLIGHT} answered=${answered.length - incomplete.length} refused_503=${refused.length} exit=${exitCode} stop_ms=${Date.now() - termAt}`);
  });
});
