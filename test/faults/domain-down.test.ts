/**
 * Promise 2: a whole domain down. Queries still answer within their deadline
 * with the other shards' citations and the dead shard marked `timeout`;
 * /readyz and /v1/shards say which domain is down; jobs left in its queue —
 * waiting, held by the killed replica, or added by a coordinator that died —
 * are removed (at the deadline by the result waiter, later by the stale job
 * sweeper: STALE_JOB_SEC, QUEUE_SWEEP_INTERVAL_MS), so they do not pile up.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Queue } from 'bullmq';
import { parseKeyring, signEnvelope } from '../../shared/envelope/index.js';
import { startRedis, type RedisHandle } from '../helpers/redis-server.js';
import {
  newKeys,
  startCoordinatorProcess,
  startShardProcess,
  waitFor,
  waitForShards,
  type CoordinatorProcess,
  type FleetKeys,
  type ServiceProcess,
} from '../helpers/fleet-processes.js';
import { ask, freezeWithActiveJobs, logLines, QUESTIONS, runLoad, shardQueue, shardsOf, type QueryOutcome } from '../helpers/fault-kit.js';

const DEADLINE_MS = 2_000;
const STALE_JOB_SEC = 4;
const UNFINISHED = ['wait', 'active', 'prioritized', 'delayed'] as const;

describe('promise 2: a whole domain down', () => {
  let redis: RedisHandle;
  let keys: FleetKeys;
  let coordinator: CoordinatorProcess | undefined;
  let harbor: ServiceProcess | undefined;
  let kitchen: ServiceProcess | undefined;
  let kitchenQueue: Queue;
  let orphaned: string[] = [];
  let killedAt = 0;

  before(async () => {
    redis = await startRedis();
    keys = newKeys();
    const env = { REDIS_URL: redis.url, MEMFLEET_PREFIX: redis.prefix, ...keys, HEARTBEAT_INTERVAL_MS: '500', HEARTBEAT_TTL_MS: '3000' };
    coordinator = await startCoordinatorProcess({
      ...env,
      QUERY_TIMEOUT_MS: String(DEADLINE_MS),
      MAX_QUERY_TIMEOUT_MS: String(STALE_JOB_SEC * 1000),
      STALE_JOB_SEC: String(STALE_JOB_SEC),
      QUEUE_SWEEP_INTERVAL_MS: '500',
    });
    harbor = await startShardProcess('harbor', { ...env, REPLICA_ID: 'harbor-a' });
    kitchen = await startShardProcess('kitchen', { ...env, REPLICA_ID: 'kitchen-a' });
    await waitForShards(coordinator.url, { harbor: 1, kitchen: 1 });
    kitchenQueue = shardQueue(redis.url, redis.prefix, 'kitchen');

    // Kill the domain's only replica while it holds jobs, under load.
    let killing: Promise<void> | undefined;
    await runLoad<QueryOutcome>(
      120,
      8,
      (i) => ask(coordinator!.url, { question: QUESTIONS[i % QUESTIONS.length] }, { timeoutMs: 30_000 }),
      (done) => {
        if (done === 40) {
          killing = (async () => {
            orphaned = await freezeWithActiveJobs(kitchen!, kitchenQueue, 'kitchen-a');
            kitchen!.proc.kill('SIGKILL');
            killedAt = Date.now();
            await kitchen!.exited;
          })();
        }
      },
    );
    await killing;
  });

  after(async () => {
    await kitchenQueue?.close().catch(() => undefined);
    await harbor?.stop();
    await kitchen?.kill();
    await coordinator?.stop();
    await redis?.stop();
  });

  test('When every replica of a domain is dead, then a query answers by its deadline with the other shards and that one marked timeout', async (t) => {
    assert.ok(orphaned.length > 0, 'the kitchen replica held active jobs when it was killed');
    const question = QUESTIONS[0]!;
    const outcome = await ask(coordinator!.url, { question, timeoutMs: DEADLINE_MS }, { timeoutMs: DEADLINE_MS + 10_000 });
    assert.equal(outcome.status, 200, JSON.stringify(outcome.json));
    const rows = shardsOf(outcome);
    assert.equal(rows.find((s) => s.shard === 'harbor')?.status, 'ok');
    // Asked and unanswered while its heartbeat lasts, reported without a job once it is known to be down: timeout either way.
    const dead = rows.find((s) => s.shard === 'kitchen');
    assert.equal(dead?.status, 'timeout', JSON.stringify(rows));
    const citations = outcome.json.citations as { shard: string }[];
    assert.ok(citations.length > 0 && citations.every((c) => c.shard === 'harbor'), 'the other shard still cites');
    // A generous bound: the promise is "by the deadline", not "fast" (2 cores, other tests running).
    assert.ok(outcome.ms < DEADLINE_MS + 5_000, `answered after ${outcome.ms} ms with a ${DEADLINE_MS} ms deadline`);

    // Naming the dead domain explicitly asks it anyway and reports the timeout.
    const named = await ask(coordinator!.url, { question: 'plum jam', shards: ['kitchen', 'harbor'], timeoutMs: DEADLINE_MS }, { timeoutMs: DEADLINE_MS + 10_000 });
    assert.equal(named.status, 200, JSON.stringify(named.json));
    assert.equal(shardsOf(named).find((s) => s.shard === 'kitchen')?.status, 'timeout');
    assert.equal(shardsOf(named).find((s) => s.shard === 'harbor')?.status, 'ok');
    t.diagnostic(`dead-domain query answered in ${outcome.ms} ms (deadline ${DEADLINE_MS} ms); named dead shard in ${named.ms} ms`);
  });

  test('When a domain is down, then /readyz and /v1/shards name it', async () => {
    const url = coordinator!.url;
    await waitFor('kitchen listed as down', async () => {
      const rows = (await (await fetch(`${url}/v1/shards`)).json()) as { shard: string; status: string; replicas: number }[];
      const row = rows.find((r) => r.shard === 'kitchen');
      return row?.status === 'down' && row.replicas === 0;
    }, 20_000);
    const ready = await fetch(`${url}/readyz`);
    const body = (await ready.json()) as { status: string; checks: Record<string, string> };
    assert.equal(ready.status, 200, 'one live domain keeps the coordinator ready');
    assert.equal(body.checks.down, 'kitchen');
    const harborRow = ((await (await fetch(`${url}/v1/shards`)).json()) as { shard: string; status: string }[]).find((r) => r.shard === 'harbor');
    assert.equal(harborRow?.status, 'up');
  });

  test('When a domain never comes back, then the jobs left in its queue are removed instead of piling up', async (t) => {
    // A job a coordinator added and then died before its deadline: nobody waits for it and nobody removes it at the deadline.
    const body = JSON.stringify({ queryId: 'q_leftbehind001', question: 'plum jam', topK: 3, deadline: Date.now() + 1_000, conversation: [] });
    await kitchenQueue.add('query', signEnvelope(body, parseKeyring(keys.MEMFLEET_HMAC_KEYS, 'K')), { jobId: 'q_leftbehind001.kitchen' });
    const before = await kitchenQueue.getJobCounts(...UNFINISHED);
    assert.ok((before.wait ?? 0) >= 1, `the left-behind job waits: ${JSON.stringify(before)}`);

    let emptyAt = 0;
    await waitFor('the kitchen queue holds no unfinished job', async () => {
      const counts = await kitchenQueue.getJobCounts(...UNFINISHED);
      const total = UNFINISHED.reduce((sum, state) => sum + (counts[state] ?? 0), 0);
      if (total === 0) emptyAt = Date.now();
      return total === 0;
    }, STALE_JOB_SEC * 1000 + 20_000);
    for (const id of orphaned) assert.equal(await kitchenQueue.getJob(id), undefined, `orphaned job ${id} was removed`);
    assert.equal(await kitchenQueue.getJob('q_leftbehind001.kitchen'), undefined, 'the left-behind job was removed');

    const sweeps = logLines(coordinator!).filter((l) => l.msg === 'removed stale shard jobs nobody answered' && l.shard === 'kitchen');
    const removed = sweeps.reduce((sum, l) => sum + Number(l.removed), 0);
    assert.ok(removed >= orphaned.length + 1, `the sweeper removed the orphaned and the left-behind jobs (${removed})`);
    t.diagnostic(`orphaned_active=${orphaned.length} swept=${removed} queue_empty_after_kill_ms=${emptyAt - killedAt} (STALE_JOB_SEC=${STALE_JOB_SEC})`);
  });
});
