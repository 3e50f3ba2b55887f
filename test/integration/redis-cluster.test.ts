/**
 * The whole fleet on a real Redis Cluster (3 masters, 3 replicas): coordinator
 * and shards as processes configured with REDIS_CLUSTER_NODES. Each domain's
 * BullMQ queue sits in its own hash-tag slot, so the queues spread over the
 * masters; killing one master under a stream of queries costs answers only
 * until its replica takes over, and every query ends answered or with an error
 * the client sees.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Cluster } from 'ioredis';
import { shardQueueName, shardQueuePrefix } from '../../shared/queues/names.js';
import { newKeys, startCoordinatorProcess, startShardProcess, waitFor, waitForShards, type CoordinatorProcess, type ServiceProcess } from '../helpers/fleet-processes.js';
import { ask, QUESTIONS, runLoad, shardsOf, type QueryOutcome } from '../helpers/fault-kit.js';
import { startRedisCluster, type RedisClusterHandle } from '../helpers/redis-cluster.js';
import { startUp } from '../helpers/up-process.js';
import { FIXTURE_CONTEXTS } from '../helpers/fleet-processes.js';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const DOMAINS = ['harbor', 'kitchen', 'observatory'] as const;
const QUERY_TIMEOUT_MS = 4000;

describe('the fleet on a Redis Cluster', () => {
  let cluster: RedisClusterHandle;
  let client: Cluster;
  let coordinator: CoordinatorProcess | undefined;
  const shards: ServiceProcess[] = [];
  const prefix = `mfc-${randomBytes(4).toString('hex')}`;

  before(async () => {
    cluster = await startRedisCluster(3, 1);
    client = new Cluster(cluster.nodeList.split(',').map((hp) => ({ host: '127.0.0.1', port: Number(hp.split(':')[1]) })), { redisOptions: { maxRetriesPerRequest: 3 } });
    client.on('error', () => undefined);
    const env = { REDIS_CLUSTER_NODES: cluster.nodeList, MEMFLEET_PREFIX: prefix, ...newKeys(), HEARTBEAT_INTERVAL_MS: '500', HEARTBEAT_TTL_MS: '3000' };
    coordinator = await startCoordinatorProcess({ ...env, QUERY_TIMEOUT_MS: String(QUERY_TIMEOUT_MS) });
    for (const domain of DOMAINS) shards.push(await startShardProcess(domain, env));
    await waitForShards(coordinator.url, Object.fromEntries(DOMAINS.map((d) => [d, 1])));
  });

  after(async () => {
    await Promise.all(shards.map((s) => s.stop()));
    await coordinator?.stop();
    client?.disconnect();
    await cluster?.stop();
  });

  test('When the fleet runs on the cluster, then a broadcast query is answered by every domain and any coordinator reads it back', async () => {
    const outcome = await ask(coordinator!.url, { question: 'Which ferry runs twice a day in summer?' });
    assert.equal(outcome.status, 200, JSON.stringify(outcome.json));
    assert.deepEqual(shardsOf(outcome).map((s) => `${s.shard}:${s.status}`).sort(), DOMAINS.map((d) => `${d}:ok`));
    assert.ok((outcome.json.citations as unknown[]).length > 0, 'citations');
    const res = await fetch(`${coordinator!.url}/v1/queries/${String(outcome.json.id)}`);
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { status: string }).status, 'done');
  });

  test('When the queues have been used, then each sits in its domain hash-tag slot and they spread over more than one master', async () => {
    const owners = new Map<string, number>();
    for (const domain of DOMAINS) {
      const bullPrefix = shardQueuePrefix(prefix, domain, true);
      const idKey = `${bullPrefix}:${shardQueueName(domain)}:id`;
      assert.equal(await client.exists(idKey), 1, `${idKey} exists (BullMQ counted the jobs there)`);
      assert.equal(await client.exists(`${prefix}:${shardQueueName(domain)}:id`), 0, 'no untagged queue keys');
      const slot = await cluster.keySlot(idKey);
      assert.equal(slot, await cluster.keySlot(domain), 'the slot of the hash tag');
      owners.set(domain, await cluster.masterOf(slot));
    }
    assert.ok(new Set(owners.values()).size > 1, `queues on masters ${JSON.stringify([...owners])}`);
  });

  test('When a note is written to a domain on the cluster, then a query cites it (written sources: one slot per domain)', async () => {
    const put = await fetch(`${coordinator!.url}/v1/shards/kitchen/sources/notes/cluster.md`, {
      method: 'PUT',
      headers: { 'content-type': 'text/markdown' },
      body: '# Pantry\n\nThe saffron tin sits behind the zwieback crackers on the top shelf.\n',
    });
    assert.ok(put.status === 201 || put.status === 200, `PUT answered ${put.status}: ${await put.text()}`);
    await waitFor('the note to be cited', async () => {
      const r = await ask(coordinator!.url, { question: 'Where is the saffron tin?', shards: ['kitchen'] });
      return r.status === 200 && JSON.stringify(r.json.citations).includes('notes/cluster.md');
    }, 15_000);
  });

  test('When a domain\'s shard is paused, then its jobs wait in the tagged wait list a KEDA redis-cluster trigger would name', async () => {
    const harbor = shards[0]!;
    const waitKey = `${shardQueuePrefix(prefix, 'harbor', true)}:${shardQueueName('harbor')}:wait`;
    harbor.proc.kill('SIGSTOP');
    try {
      const pending = ask(coordinator!.url, { question: 'Which ferry runs twice a day in summer?', shards: ['harbor'], timeoutMs: 3000 });
      await waitFor(`LLEN ${waitKey} = 1`, async () => (await client.llen(waitKey)) === 1, 5000);
      assert.equal(await client.type(waitKey), 'list');
      harbor.proc.kill('SIGCONT');
      assert.equal((await pending).status, 200);
    } finally {
      harbor.proc.kill('SIGCONT');
    }
  });

  test('When memfleet up is given REDIS_CLUSTER_NODES, then its whole fleet runs on the cluster and no private redis-server is started', async () => {
    const contexts = mkdtempSync(join(tmpdir(), 'memfleet-up-cluster-'));
    cpSync(FIXTURE_CONTEXTS, contexts, { recursive: true });
    const upPrefix = `${prefix}-up`;
    const up = await startUp(contexts, { env: { REDIS_CLUSTER_NODES: cluster.nodeList, MEMFLEET_PREFIX: upPrefix } });
    try {
      assert.doesNotMatch(up.stderr(), /private redis-server/, 'up used the cluster, not a Redis of its own');
      const outcome = await ask(up.url, { question: 'Which ferry runs twice a day in summer?' });
      assert.equal(outcome.status, 200, JSON.stringify(outcome.json));
      assert.ok(shardsOf(outcome).every((s) => s.status === 'ok'), JSON.stringify(shardsOf(outcome)));
      // The jobs went through the cluster: the domain's tagged queue keys exist there, under up's prefix.
      const domain = shardsOf(outcome)[0]!.shard;
      assert.equal(await client.exists(`${shardQueuePrefix(upPrefix, domain, true)}:${shardQueueName(domain)}:id`), 1);
      const status = await fetch(`${up.url}/v1/supervisor`);
      assert.equal(status.status, 200, 'the supervisor record is written to (and read from) the cluster');
    } finally {
      await up.cleanup();
      rmSync(contexts, { recursive: true, force: true });
    }
  });

  test('When a master holding queues is killed under a stream of queries, then after failover queries answer again and none is lost silently', async (t) => {
    const harborSlot = await cluster.keySlot('harbor');
    const victimPort = await cluster.masterOf(harborSlot);
    const victim = cluster.nodes.find((n) => n.port === victimPort)!;
    let killedAt = 0;
    const load = await runLoad<QueryOutcome>(
      90,
      3,
      (i) => ask(coordinator!.url, { question: QUESTIONS[i % QUESTIONS.length], timeoutMs: QUERY_TIMEOUT_MS }, { timeoutMs: QUERY_TIMEOUT_MS + 20_000 }),
      (done) => {
        if (done === 15) {
          killedAt = Date.now();
          void victim.kill();
        }
      },
    );
    assert.ok(killedAt > 0, 'the master was killed mid-stream');
    await cluster.waitHealthy(60_000);
    assert.notEqual(await cluster.masterOf(harborSlot), victimPort, 'a replica took over harbor');

    // Every query ended visibly: a 200 whose every shard has a status, or an error status with a message; none hung.
    const kinds = new Map<string, number>();
    for (const [i, r] of load.results.entries()) {
      assert.notEqual(r.networkError, 'TimeoutError', `query ${i} hung`);
      let kind: string;
      if (r.status === 200) {
        const statuses = shardsOf(r).map((s) => s.status);
        assert.equal(statuses.length, DOMAINS.length, `query ${i}: a status per domain`);
        kind = statuses.every((s) => s === 'ok') ? 'answered' : `partial (${statuses.filter((s) => s !== 'ok').join(',')})`;
      } else {
        assert.ok(r.status >= 500 && typeof (r.json.error as { message?: string } | undefined)?.message === 'string', `query ${i}: status ${r.status} ${JSON.stringify(r.json)}`);
        kind = `error ${r.status}: ${(r.json.error as { message: string }).message.slice(0, 80)}`;
      }
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    }
    t.diagnostic(`outcomes: ${JSON.stringify(Object.fromEntries(kinds))}`);
    assert.ok((kinds.get('answered') ?? 0) > 0);

    // After the failover the fleet answers whole again.
    const sinceKill = Date.now();
    await waitFor('a complete answer after failover', async () => {
      const r = await ask(coordinator!.url, { question: 'Who keeps the lighthouse?', timeoutMs: QUERY_TIMEOUT_MS });
      return r.status === 200 && shardsOf(r).every((s) => s.status === 'ok');
    }, 60_000);
    t.diagnostic(`complete answers again ${Date.now() - killedAt} ms after the kill (${Date.now() - sinceKill} ms after the cluster reported ok)`);
    for (let i = 0; i < 5; i++) {
      const r = await ask(coordinator!.url, { question: QUESTIONS[i]!, timeoutMs: QUERY_TIMEOUT_MS });
      assert.equal(r.status, 200);
      assert.deepEqual(shardsOf(r).map((s) => s.status), ['ok', 'ok', 'ok'], JSON.stringify(r.json));
    }
  });
});
