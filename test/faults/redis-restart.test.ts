/**
 * Promise 3: Redis restarts (the test's own redis-server, append-only file on).
 * While it is down, /readyz says so and queries fail fast with 503
 * `redis_unavailable`; once it is back, every service reconnects by itself,
 * queries succeed, and every query acknowledged before the outage can still be
 * fetched.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startRedis, type RedisHandle } from '../helpers/redis-server.js';
import { newKeys, startCoordinatorProcess, startShardProcess, waitFor, waitForShards, type CoordinatorProcess, type ServiceProcess } from '../helpers/fleet-processes.js';
import { ask, QUESTIONS, runLoad, shardsOf, sleep, type QueryOutcome } from '../helpers/fault-kit.js';

const OUTAGE_MS = 4_000;
/** "Fast": far below the query deadline; generous for a loaded 2-core machine. */
const FAIL_FAST_BOUND_MS = 3_000;

describe('promise 3: Redis restarts', () => {
  let redis: RedisHandle;
  let coordinator: CoordinatorProcess | undefined;
  const shards: ServiceProcess[] = [];

  before(async () => {
    redis = await startRedis({ appendOnly: true });
    const env = { REDIS_URL: redis.url, MEMFLEET_PREFIX: redis.prefix, ...newKeys(), HEARTBEAT_INTERVAL_MS: '500', HEARTBEAT_TTL_MS: '3000' };
    coordinator = await startCoordinatorProcess({ ...env, QUERY_TIMEOUT_MS: '5000' });
    shards.push(await startShardProcess('harbor', env), await startShardProcess('kitchen', env));
    await waitForShards(coordinator.url, { harbor: 1, kitchen: 1 });
  });

  after(async () => {
    await Promise.all(shards.map((s) => s.stop()));
    await coordinator?.stop();
    await redis?.stop();
  });

  test('When Redis stops and starts again, then the outage is reported, queries fail fast during it and succeed after it, and nothing acknowledged is lost', async (t) => {
    const url = coordinator!.url;
    const complete = (r: QueryOutcome) => r.status === 200 && shardsOf(r).length === 2 && shardsOf(r).every((s) => s.status === 'ok');

    const acknowledged = await runLoad(40, 4, (i) => ask(url, { question: QUESTIONS[i % QUESTIONS.length] }, { timeoutMs: 20_000 }));
    assert.ok(acknowledged.results.every(complete), 'every query before the outage is answered');

    const during: QueryOutcome[] = [];
    const lookups: number[] = [];
    let readyDuring: { status: number; checks: Record<string, string> } | undefined;
    let outageStarted = 0;
    await redis.restart(async () => {
      outageStarted = Date.now();
      await waitFor('/readyz to report the outage', async () => {
        const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(5_000) });
        readyDuring = { checks: ((await res.json()) as { checks: Record<string, string> }).checks, status: res.status };
        return res.status === 503;
      }, OUTAGE_MS);
      while (Date.now() - outageStarted < OUTAGE_MS) {
        during.push(await ask(url, { question: QUESTIONS[0] }, { timeoutMs: 15_000 }));
        const res = await fetch(`${url}/v1/queries/${String(acknowledged.results[0]!.json.id)}`, { signal: AbortSignal.timeout(15_000) });
        lookups.push(res.status);
        await sleep(200);
      }
    });
    const restartedAt = Date.now();

    assert.equal(readyDuring?.status, 503);
    assert.match(readyDuring?.checks.redis ?? '', /unreachable/);
    assert.ok(during.length >= 3, `queries were sent during the outage (${during.length})`);
    for (const r of during) {
      assert.equal(r.status, 503, JSON.stringify(r));
      assert.equal((r.json.error as { code: string }).code, 'redis_unavailable');
      assert.match((r.json.error as { message: string }).message, /Redis/);
      assert.ok(r.ms < FAIL_FAST_BOUND_MS, `failed fast, not after ${r.ms} ms`);
    }
    assert.ok(lookups.every((s) => s === 503), `stored queries are not reported missing during the outage: ${lookups.join(',')}`);

    // Reconnected by themselves: ready again, shards beating, queries complete.
    await waitFor('/readyz to be ready again', async () => (await fetch(`${url}/readyz`)).status === 200, 30_000);
    const readyAfterMs = Date.now() - restartedAt;
    await waitForShards(url, { harbor: 1, kitchen: 1 });
    let firstOkAfterMs = -1;
    await waitFor('a complete answer after the restart', async () => {
      const ok = complete(await ask(url, { question: QUESTIONS[1] }, { timeoutMs: 15_000 }));
      if (ok) firstOkAfterMs = Date.now() - restartedAt;
      return ok;
    }, 30_000);
    const afterwards = await runLoad(40, 4, (i) => ask(url, { question: QUESTIONS[i % QUESTIONS.length] }, { timeoutMs: 20_000 }));
    const incomplete = afterwards.results.filter((r) => !complete(r));
    assert.deepEqual(incomplete.slice(0, 2).map((r) => r.json), [], `${incomplete.length} queries after the restart were incomplete`);

    // Acknowledged before the outage, still there after it (append-only file).
    let kept = 0;
    for (const r of acknowledged.results) {
      const res = await fetch(`${url}/v1/queries/${String(r.json.id)}`);
      assert.equal(res.status, 200);
      const stored = (await res.json()) as { status: string; citations: unknown };
      assert.equal(stored.status, 'done');
      assert.deepEqual(stored.citations, r.json.citations);
      kept += 1;
    }
    t.diagnostic(
      `outage_ms=${restartedAt - outageStarted} during: sent=${during.length} 503=${during.filter((r) => r.status === 503).length} max_ms=${Math.max(...during.map((r) => r.ms))}; ` +
        `ready_again_after_ms=${readyAfterMs} first_complete_answer_after_ms=${firstOkAfterMs}; acknowledged=${acknowledged.results.length} kept=${kept}; after: sent=${afterwards.results.length} complete=${afterwards.results.length - incomplete.length}`,
    );
  });
});
