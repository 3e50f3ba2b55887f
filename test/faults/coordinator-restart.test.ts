/**
 * Promise 4: a query accepted before a coordinator restart can be fetched by
 * id after it — its result when the coordinator stopped gracefully, a clear
 * `failed`/`abandoned` status when it crashed — and never a silent 404.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startRedis, type RedisHandle } from '../helpers/redis-server.js';
import {
  freePort,
  newKeys,
  startCoordinatorProcess,
  startShardProcess,
  waitFor,
  waitForShards,
  type CoordinatorProcess,
  type ServiceProcess,
} from '../helpers/fleet-processes.js';
import { ask, QUESTIONS, shardsOf } from '../helpers/fault-kit.js';
import { storedRecordBody } from '../helpers/stored-record.js';

interface Lookup {
  status: number;
  body: { status?: string; error?: { code: string; message: string }; citations?: unknown };
}

async function lookup(url: string, id: string): Promise<Lookup> {
  const res = await fetch(`${url}/v1/queries/${id}`);
  return { status: res.status, body: (await res.json()) as Lookup['body'] };
}

describe('promise 4: the coordinator restarts', () => {
  let redis: RedisHandle;
  let env: NodeJS.ProcessEnv;
  let port: number;
  let coordinator: CoordinatorProcess | undefined;
  const shards = new Map<string, ServiceProcess>();

  /** Accepted means: the query's running record exists, i.e. the coordinator has taken it on. */
  async function acceptedQuery(url: string, timeoutMs: number): Promise<{ id: string; response: ReturnType<typeof ask> }> {
    const response = ask(url, { question: QUESTIONS[1], timeoutMs }, { timeoutMs: timeoutMs + 30_000 });
    let id = '';
    await waitFor('the query to be accepted', async () => {
      id = (await runningQueryIds())[0] ?? '';
      return id !== '';
    }, 10_000);
    return { id, response };
  }

  /** Query ids currently stored as running (the earlier tests' queries are all done). */
  async function runningQueryIds(): Promise<string[]> {
    const { Redis } = await import('ioredis');
    const client = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    try {
      const found = await client.keys(`${redis.prefix}:query:*`);
      const running: string[] = [];
      for (const key of found) {
        // Records are sealed (finished ones compressed); the test only reads the body.
        const record = JSON.parse(storedRecordBody(await client.getBuffer(key))) as { status?: string; id?: string };
        if (record.status === 'running' && record.id) running.push(record.id);
      }
      return running;
    } finally {
      client.disconnect();
    }
  }

  before(async () => {
    redis = await startRedis();
    env = { REDIS_URL: redis.url, MEMFLEET_PREFIX: redis.prefix, ...newKeys(), HEARTBEAT_INTERVAL_MS: '500', HEARTBEAT_TTL_MS: '3000' };
    port = await freePort();
    coordinator = await startCoordinatorProcess(env, port);
    for (const domain of ['harbor', 'kitchen']) shards.set(domain, await startShardProcess(domain, env));
    await waitForShards(coordinator.url, { harbor: 1, kitchen: 1 });
  });

  after(async () => {
    for (const s of shards.values()) {
      s.proc.kill('SIGCONT');
      await s.stop();
    }
    await coordinator?.stop();
    await redis?.stop();
  });

  test('When the coordinator stops gracefully with a query in flight, then the query is answered and its result is fetched after the restart', async () => {
    const kitchen = shards.get('kitchen')!;
    kitchen.proc.kill('SIGSTOP'); // holds the query in flight: its kitchen job waits
    const { id, response } = await acceptedQuery(coordinator!.url, 10_000);
    const stopping = coordinator!.stop();
    await new Promise((r) => setTimeout(r, 300));
    kitchen.proc.kill('SIGCONT');
    const answered = await response;
    assert.equal(await stopping, 0, 'the coordinator exits 0');
    assert.equal(answered.status, 200, JSON.stringify(answered));
    assert.equal(answered.json.id, id);
    assert.ok(shardsOf(answered).every((s) => s.status === 'ok'), JSON.stringify(shardsOf(answered)));

    coordinator = await startCoordinatorProcess(env, port);
    const after = await lookup(coordinator.url, id);
    assert.equal(after.status, 200);
    assert.equal(after.body.status, 'done');
    assert.deepEqual(after.body.citations, answered.json.citations);
  });

  test('When the coordinator is killed with a query in flight, then after the restart the query reads as running and then failed, never 404', async (t) => {
    const kitchen = shards.get('kitchen')!;
    kitchen.proc.kill('SIGSTOP');
    const { id, response } = await acceptedQuery(coordinator!.url, 20_000);
    await coordinator!.kill();
    const lost = await response;
    assert.equal(lost.status, 0, 'the client of a killed coordinator sees the connection drop');
    kitchen.proc.kill('SIGCONT');
    const killedAt = Date.now();

    coordinator = await startCoordinatorProcess(env, port);
    const seen: string[] = [];
    let final: Lookup | undefined;
    await waitFor('the abandoned query to read as failed', async () => {
      const l = await lookup(coordinator!.url, id);
      seen.push(`${l.status}:${l.body.status ?? l.body.error?.code}`);
      if (l.status === 200) final = l;
      return l.status === 200;
    }, 40_000);
    assert.ok(seen.every((s) => s === '202:running' || s === '200:failed'), `only running, then failed: ${[...new Set(seen)].join(', ')}`);
    assert.equal(final?.body.status, 'failed');
    assert.equal(final?.body.error?.code, 'abandoned');
    assert.match(final?.body.error?.message ?? '', /ask again/);
    // Well before the 20 s deadline: the dead coordinator's presence key expired, nobody had to wait the deadline out.
    t.diagnostic(`abandoned query reported failed ${Date.now() - killedAt} ms after the kill (deadline was 20000 ms); lookups: ${seen.length}`);
  });
});
