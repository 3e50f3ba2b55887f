/**
 * `memfleet up` survives a crashed replica (issue 15, item 5). Through `up`
 * with two replicas per domain, one harbor replica is SIGKILLed while it
 * holds jobs, under a load of 500 queries. `up` must not stop the fleet: every
 * query is answered, harbor completes in at least 99% of them (the survivor
 * takes over the orphaned jobs), and `up` starts the killed replica again,
 * which `ps` (process title), the heartbeats and `memfleet status` all show.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import type { Queue } from 'bullmq';
import { HeartbeatStore } from '../../shared/fleet/heartbeat-store.js';
import { startRedis, type RedisHandle } from '../helpers/redis-server.js';
import { CLI, FIXTURE_CONTEXTS } from '../helpers/fleet-processes.js';
import { activeJobsOf, ask, percentile, QUESTIONS, runLoad, shardQueue, shardsOf, sleep, type QueryOutcome } from '../helpers/fault-kit.js';
import { alive, processTable, startUp, type UpProcess } from '../helpers/up-process.js';

const QUERIES = 500;
const CONCURRENCY = 16;
const KILL_AFTER = 150;
/** Lock expiry (5 s) + a stalled check (2 s) + the survivor's work fit in it. */
const DEADLINE_MS = 15_000;
/** "Back within seconds": a generous bound for a loaded 2-core machine; the measured time is reported. */
const BACK_WITHIN_MS = 60_000;

describe('memfleet up: a crashed replica', () => {
  let redis: RedisHandle;
  let up: UpProcess | undefined;
  let client: Redis;
  let heartbeats: HeartbeatStore;
  let queue: Queue;

  before(async () => {
    redis = await startRedis();
    client = new Redis(redis.url);
    heartbeats = new HeartbeatStore(client, redis.prefix);
    up = await startUp(FIXTURE_CONTEXTS, {
      args: ['--replicas', '2'],
      env: { REDIS_URL: redis.url, MEMFLEET_PREFIX: redis.prefix, QUERY_TIMEOUT_MS: String(DEADLINE_MS), HEARTBEAT_INTERVAL_MS: '500', HEARTBEAT_TTL_MS: '3000' },
    });
    queue = shardQueue(redis.url, redis.prefix, 'harbor');
  });

  after(async () => {
    await queue?.close().catch(() => undefined);
    await up?.cleanup();
    client?.disconnect();
    await redis?.stop();
  });

  test('When one of two replicas is SIGKILLed under 500 queries, then all are answered, the domain stays complete, and up restarts the replica', async (t) => {
    const fleet = up!;
    const live = await heartbeats.live(3000);
    const harborIds = live.find((s) => s.shard === 'harbor')?.replicas ?? [];
    assert.equal(harborIds.length, 2, 'two harbor replicas beat');
    const infos = await heartbeats.replicaInfo();
    const victimInfo = infos.find((i) => i.replica === harborIds[0]);
    assert.ok(victimInfo, 'the victim has a replica record');
    const victimPid = victimInfo.pid;
    const victimTitle = processTable().find((p) => p.pid === victimPid)?.args ?? '';

    let kill: Promise<{ at: number; held: string[] }> | undefined;
    const load = await runLoad<QueryOutcome>(
      QUERIES,
      CONCURRENCY,
      (i) => ask(fleet.url, { question: QUESTIONS[i % QUESTIONS.length], timeoutMs: DEADLINE_MS }, { timeoutMs: DEADLINE_MS + 30_000 }),
      (done) => {
        if (done !== KILL_AFTER) return;
        kill = (async () => {
          // Freeze the victim at a moment it holds jobs, so the kill provably orphans work.
          for (let i = 0; i < 400; i++) {
            process.kill(victimPid, 'SIGSTOP');
            const held = await activeJobsOf(queue, victimInfo.replica).catch(() => []);
            if (held.length > 0) {
              process.kill(victimPid, 'SIGKILL');
              return { at: Date.now(), held };
            }
            process.kill(victimPid, 'SIGCONT');
            await sleep(5 + (i % 7) * 3);
          }
          process.kill(victimPid, 'SIGKILL');
          return { at: Date.now(), held: [] };
        })();
      },
    );
    assert.ok(kill, 'the kill was triggered');
    const { at: killedAt, held } = await kill;

    const answered = load.results.filter((r) => r.status === 200);
    const harborOk = answered.filter((r) => shardsOf(r).some((s) => s.shard === 'harbor' && s.status === 'ok'));
    const failures = load.results.filter((r) => r.status !== 200).slice(0, 3).map((r) => ({ status: r.status, error: r.networkError ?? r.json.error }));
    assert.deepEqual(failures, [], `${QUERIES - answered.length} of ${QUERIES} queries were not answered; up stderr:\n${fleet.stderr().slice(-2000)}`);
    assert.ok(harborOk.length >= Math.ceil(QUERIES * 0.99), `harbor answered in only ${harborOk.length} of ${QUERIES} queries`);
    assert.equal(fleet.proc.exitCode, null, `up is still running; its stderr:\n${fleet.stderr().slice(-2000)}`);
    assert.equal(alive(victimPid), false, 'the victim is dead');

    // Back: a new harbor process, a child of up with the victim's title, beating in Redis.
    let backAt = 0;
    let newPid = 0;
    while (Date.now() - killedAt < BACK_WITHIN_MS) {
      const nowLive = (await heartbeats.live(3000)).find((s) => s.shard === 'harbor')?.replicas ?? [];
      const records = (await heartbeats.replicaInfo()).filter((i) => nowLive.includes(i.replica) && i.pid !== victimPid && i.shard === 'harbor');
      const restarted = records.find((i) => !harborIds.includes(i.replica));
      if (restarted && alive(restarted.pid)) {
        backAt = Date.now();
        newPid = restarted.pid;
        break;
      }
      await sleep(100);
    }
    assert.ok(backAt > 0, `the killed replica was not back within ${BACK_WITHIN_MS} ms; up stderr:\n${fleet.stderr().slice(-2000)}`);
    const row = processTable().find((p) => p.pid === newPid);
    assert.equal(row?.ppid, fleet.proc.pid, 'the new replica is a child of up');
    assert.match(victimTitle, /^memfleet shard harbor#[12]$/, 'ps shows the victim by domain and replica number');
    assert.equal(row?.args, victimTitle, 'the restarted replica carries the same title');
    const name = victimTitle.replace('memfleet shard ', '');
    assert.match(fleet.stderr(), new RegExp(`\\[up\\] ${name} \\(pid ${victimPid}\\) was killed by SIGKILL; restarting it in`));

    // memfleet status lists the process with its restart.
    const { stdout } = await promisify(execFile)(process.execPath, [CLI, 'status', '--url', fleet.url], { env: { PATH: process.env.PATH } });
    const statusRow = stdout.split('\n').find((l) => l.trimStart().startsWith(name));
    assert.ok(statusRow, `status lists ${name}:\n${stdout}`);
    assert.match(statusRow, new RegExp(`^${name}\\s+${newPid}\\s+running\\s+1\\s+was killed by SIGKILL`), statusRow);

    const latencies = load.results.map((r) => r.ms);
    t.diagnostic(
      `sent=${QUERIES} answered=${answered.length} harbor_ok=${harborOk.length} held_at_kill=${held.length} back_after_ms=${backAt - killedAt} ` +
        `latency_p50_ms=${percentile(latencies, 50)} latency_max_ms=${Math.max(...latencies)}`,
    );
  });

  test('When the coordinator is SIGKILLed, then up restarts it on the same port and the fleet answers again', async (t) => {
    const fleet = up!;
    const coordinator = fleet.children().find((c) => c.args.startsWith('memfleet coordinator'));
    assert.equal(coordinator?.args, `memfleet coordinator :${fleet.port}`);
    process.kill(coordinator.pid, 'SIGKILL');
    const killedAt = Date.now();
    let answeredAt = 0;
    while (Date.now() - killedAt < BACK_WITHIN_MS) {
      const r = await ask(fleet.url, { question: QUESTIONS[0] }, { timeoutMs: 5_000 });
      if (r.status === 200 && shardsOf(r).every((s) => s.status === 'ok')) {
        answeredAt = Date.now();
        break;
      }
      await sleep(100);
    }
    assert.ok(answeredAt > 0, `the fleet did not answer again within ${BACK_WITHIN_MS} ms; up stderr:\n${fleet.stderr().slice(-2000)}`);
    const again = fleet.children().find((c) => c.args === `memfleet coordinator :${fleet.port}`);
    assert.ok(again && again.pid !== coordinator.pid, 'a new coordinator process');
    assert.match(fleet.stderr(), new RegExp(`\\[up\\] coordinator \\(pid ${coordinator.pid}\\) was killed by SIGKILL; restarting it in`));
    const { stdout } = await promisify(execFile)(process.execPath, [CLI, 'status', '--url', fleet.url], { env: { PATH: process.env.PATH } });
    assert.match(stdout, new RegExp(`^coordinator\\s+${again.pid}\\s+running\\s+1\\s+was killed by SIGKILL`, 'm'), stdout);
    t.diagnostic(`coordinator answering again ${answeredAt - killedAt} ms after SIGKILL`);
  });
});
