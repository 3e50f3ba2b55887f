/**
 * Memory that grows, under faults: a replica SIGKILLed while writes are in
 * flight, Redis restarted between a write and a query, 200 concurrent writes
 * to 20 sources while queries run, and hostile write messages put straight
 * into Redis (forged, replayed). Two replicas of `harbor`, separate processes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { HeartbeatStore } from '../../shared/fleet/heartbeat-store.js';
import { generateKeyring, parseKeyring } from '../../shared/envelope/index.js';
import { memoryKeys } from '../../shared/memory/keys.js';
import { sealNotification } from '../../shared/memory/notification.js';
import { sealRecord } from '../../shared/memory/record.js';
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
import { ask, metricValue, runLoad, shardsOf, sleep, type QueryOutcome } from '../helpers/fault-kit.js';
import { getSource, putSource } from '../helpers/memory-http.js';

interface Cited {
  source: string;
  line: number;
  text: string;
}

const citationsOf = (o: QueryOutcome): Cited[] => (o.json.citations as Cited[] | undefined) ?? [];

describe('memory that grows, under faults', () => {
  let redis: RedisHandle;
  let env: NodeJS.ProcessEnv;
  let coordinator: CoordinatorProcess;
  let client: Redis;
  let heartbeats: HeartbeatStore;
  const replicas: { proc: ServiceProcess; metricsPort: number }[] = [];

  const addReplica = async (id: string) => {
    const metricsPort = await freePort();
    const proc = await startShardProcess('harbor', { ...env, REPLICA_ID: id, LOCK_DURATION_MS: '3000', STALLED_INTERVAL_MS: '1000' }, undefined, metricsPort);
    replicas.push({ proc, metricsPort });
    return proc;
  };
  const live = () => replicas.filter((r) => r.proc.proc.exitCode === null && r.proc.proc.signalCode === null);
  const rejected = async (reason: string) => {
    let n = 0;
    for (const r of live()) n += metricValue(await (await fetch(`http://127.0.0.1:${r.metricsPort}/metrics`)).text(), 'memfleet_envelope_rejected_total', { reason });
    return n;
  };
  /** Waits until every live replica reports the domain's current version, then returns their (version, digest) pairs. */
  const converged = async () => {
    const want = Number((await client.get(memoryKeys(redis.prefix, 'harbor').version)) ?? 0);
    let states: string[] = [];
    await waitFor(`every replica at version ${want}`, async () => {
      const ids = new Set(live().map((r) => r.proc.name));
      const infos = (await heartbeats.replicaInfo()).filter((i) => i.shard === 'harbor' && live().some((r) => r.proc.proc.pid === i.pid));
      states = infos.map((i) => `${i.memory?.version}:${i.memory?.digest}`);
      return ids.size > 0 && infos.length === live().length && infos.every((i) => i.memory?.version === want);
    }, 20_000);
    return { want, states };
  };

  before(async () => {
    redis = await startRedis({ appendOnly: true });
    env = { REDIS_URL: redis.url, MEMFLEET_PREFIX: redis.prefix, ...newKeys(), HEARTBEAT_INTERVAL_MS: '300', HEARTBEAT_TTL_MS: '2000' };
    coordinator = await startCoordinatorProcess({ ...env, QUERY_TIMEOUT_MS: '15000' });
    await addReplica('harbor-a');
    await addReplica('harbor-b');
    await waitForShards(coordinator.url, { harbor: 2 });
    client = new Redis(redis.url);
    heartbeats = new HeartbeatStore(client, redis.prefix);
  });

  after(async () => {
    client?.disconnect();
    await Promise.all(replicas.map((r) => r.proc.stop()));
    await coordinator?.stop();
    await redis?.stop();
  });

  test('When 200 writes to 20 sources race while queries run, then no query fails and every replica ends on the same version and content', async () => {
    const url = coordinator.url;
    let writing = true;
    const queries: QueryOutcome[] = [];
    const asking = (async () => {
      for (let i = 0; writing; i++) {
        const batch = await Promise.all(Array.from({ length: 4 }, (_, j) => ask(url, { question: `Which berth holds crate ${(i + j) % 20}?`, shards: ['harbor'] })));
        queries.push(...batch);
      }
    })();
    const writes = await runLoad(200, 200, (i) => putSource(url, 'harbor', `notes/crate-${i % 20}.md`, `Crate ${i % 20} (revision ${Math.floor(i / 20)}) is stored at berth B${i}.\n`));
    writing = false;
    await asking;
    assert.deepEqual([...new Set(writes.results.map((w) => w.status))].sort(), [200, 201]);
    assert.ok(queries.length > 0);
    for (const q of queries) {
      assert.equal(q.status, 200, JSON.stringify(q.json).slice(0, 300));
      for (const s of shardsOf(q)) assert.equal(s.status, 'ok', s.error);
    }
    const { want, states } = await converged();
    assert.equal(new Set(states).size, 1, `replicas disagree: ${states.join(' ')}`);
    assert.ok(want >= 200);
    // The content they agree on is the last write of each source, which a question finds.
    const final = await getSource(url, 'harbor', 'notes/crate-7.md');
    const berth = /berth (B\d+)/.exec(final.json.text as string)?.[1];
    const answer = await ask(url, { question: `Which berth holds crate 7 revision ${/revision (\d+)/.exec(final.json.text as string)?.[1]}?`, shards: ['harbor'] });
    assert.ok(citationsOf(answer).some((c) => c.source === 'notes/crate-7.md' && c.text.includes(`berth ${berth}`)), JSON.stringify(citationsOf(answer)));
  });

  test('When a replica is SIGKILLed while writes are in flight, then queries keep citing the latest write and a new replica loads every write', async () => {
    const url = coordinator.url;
    const victim = replicas.find((r) => r.proc.name === 'shard harbor' && live().includes(r))!;
    const writes = await runLoad(30, 3, async (i) => {
      if (i === 10) victim.proc.proc.kill('SIGKILL');
      return putSource(url, 'harbor', 'notes/killed.md', `The pilot boat Kestrel is moored at pontoon ${i}.\n`);
    });
    assert.ok(writes.results.every((w) => w.status === 200 || w.status === 201));
    await victim.proc.exited;
    const last = writes.results.reduce((a, b) => ((a.json.version as number) > (b.json.version as number) ? a : b));
    const pontoon = /pontoon (\d+)/.exec((await getSource(url, 'harbor', 'notes/killed.md')).json.text as string)?.[1];
    assert.ok(pontoon !== undefined && last.status !== 0);
    // Jobs the killed replica held go to the survivor after its lock expires (3 s here).
    const answers = await Promise.all(Array.from({ length: 6 }, () => ask(url, { question: 'Where is the pilot boat Kestrel moored?', shards: ['harbor'] })));
    for (const a of answers) {
      assert.equal(a.status, 200);
      assert.ok(citationsOf(a).some((c) => c.source === 'notes/killed.md' && c.text.includes(`pontoon ${pontoon}.`)), JSON.stringify(citationsOf(a)));
    }
    await addReplica('harbor-c');
    await waitForShards(url, { harbor: 2 });
    const { states } = await converged();
    assert.equal(new Set(states).size, 1, `replicas disagree: ${states.join(' ')}`);
  });

  test('When Redis restarts between a write and a query, then the query still cites the write', async () => {
    const put = await putSource(coordinator.url, 'harbor', 'notes/restart.md', 'The fog horn was serviced by Edda Marr on Tuesday.\n');
    assert.equal(put.status, 201);
    await redis.restart();
    let answer: QueryOutcome | undefined;
    await waitFor('a query after the Redis restart', async () => {
      answer = await ask(coordinator.url, { question: 'Who serviced the fog horn?', shards: ['harbor'] });
      return answer.status === 200 && shardsOf(answer).every((s) => s.status === 'ok');
    }, 30_000);
    assert.ok(citationsOf(answer!).some((c) => c.source === 'notes/restart.md' && c.line === 1));
    const { states } = await converged();
    assert.equal(new Set(states).size, 1);
  });

  test('When forged or replayed write messages are put straight into Redis, then nothing changes and each is counted', async () => {
    const url = coordinator.url;
    const k = memoryKeys(redis.prefix, 'harbor');
    const first = await putSource(url, 'harbor', 'notes/replay.md', 'The harbour toll is four silver marks.\n');
    assert.equal(first.status, 201);
    const oldRecord = (await client.hget(k.records, 'notes/replay.md'))!;
    // Capture a genuine notification to replay it later.
    const sub = new Redis(redis.url);
    const captured = new Promise<string>((resolve) => sub.on('message', (_c: string, m: string) => resolve(m)));
    await sub.subscribe(k.events);
    const second = await putSource(url, 'harbor', 'notes/replay.md', 'The harbour toll is nine silver marks.\n');
    assert.equal(second.status, 200);
    const genuineNotification = await captured;
    sub.disconnect();
    await converged();

    const before = { bad: await rejected('bad_signature'), replay: await rejected('replay') };
    const version = Number(await client.get(k.version));
    // 1. A record signed with a key the fleet does not hold, plus a forged notification.
    const forger = parseKeyring(generateKeyring('coord1'), 'X');
    const forged = sealRecord({ kind: 'memfleet.written-source', op: 'put', domain: 'harbor', source: 'notes/forged.md', version: version + 1, writtenAt: Date.now(), text: 'The harbour toll is abolished by order of Captain Grell.\n', expiresAt: null }, forger);
    // 2. The first (genuine, older) record of notes/replay.md copied over the newer one.
    await client.multi().hset(k.records, 'notes/forged.md', forged, 'notes/replay.md', oldRecord).zadd(k.changes, version + 1, 'notes/forged.md', version + 1, 'notes/replay.md').set(k.version, version + 1).exec();
    await client.publish(k.events, sealNotification({ kind: 'memfleet.write', domain: 'harbor', version: version + 1, writtenAt: Date.now() }, forger));
    // 3. A genuine notification published again.
    await client.publish(k.events, genuineNotification);

    // Each replica refuses the forged and the replayed notification (neither starts a catch-up).
    await waitFor('both replicas to count the forged and the replayed notification', async () => {
      return (await rejected('bad_signature')) >= before.bad + 2 && (await rejected('replay')) >= before.replay + 2;
    }, 10_000);
    for (let i = 0; i < 6; i++) {
      const a = await ask(url, { question: 'How much is the harbour toll?', shards: ['harbor'] });
      assert.equal(a.status, 200);
      const cited = citationsOf(a);
      assert.ok(!cited.some((c) => c.source === 'notes/forged.md'), 'a forged record was cited');
      assert.ok(!cited.some((c) => c.text.includes('four silver')), 'a replayed old record was cited');
      assert.ok(cited.some((c) => c.text.includes('nine silver')), JSON.stringify(cited));
    }
    // The queries carried the new version, so the replica(s) that answered read both records and refused them.
    assert.ok((await rejected('bad_signature')) >= before.bad + 3, 'the forged record was not counted');
    assert.ok((await rejected('replay')) >= before.replay + 3, 'the replayed record was not counted');
    await sleep(10);
  });
});
