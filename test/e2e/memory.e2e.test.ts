/**
 * Memory that grows, end to end: a coordinator and two replicas of one domain
 * as separate OS processes over a real Redis (with AOF). A note written over
 * HTTP is cited by every answer whichever replica gives it; replaced, only the
 * new text is cited; deleted, it is no longer cited; and after every process
 * (Redis included) restarts, what was written is still there.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { HeartbeatStore } from '../../shared/fleet/heartbeat-store.js';
import { startRedis, type RedisHandle } from '../helpers/redis-server.js';
import {
  freePort,
  newKeys,
  postQuery,
  startCoordinatorProcess,
  startShardProcess,
  waitFor,
  waitForShards,
  type CoordinatorProcess,
  type ServiceProcess,
} from '../helpers/fleet-processes.js';
import { deleteSource, getSource, listSources, putSource } from '../helpers/memory-http.js';
import { metricValue } from '../helpers/fault-kit.js';
import type { MergedCitation as Citation, ShardOutcome } from '../../shared/api/query.js';

const NOTE = 'notes/2026-12-01-handover.md';
const QUESTION = 'Where is the spare key of the lighthouse keeper hidden?';
const FIRST = [
  '# Handover, 1 December',
  '',
  'The tide tables were reprinted and pinned in the harbour office.',
  '',
  'The spare key of the lighthouse keeper is hidden under the blue anchor at Quillon Point.',
  '',
].join('\n');
const SECOND = [
  '# Handover, 2 December',
  '',
  'The lighthouse keeper moved the spare key: it is now hidden inside the red buoy by the Varrow slipway.',
  '',
].join('\n');

interface Answer {
  citations: Citation[];
  shards: ShardOutcome[];
}

async function askHarbor(url: string): Promise<Answer> {
  const { status, json } = await postQuery(url, { question: QUESTION, shards: ['harbor'], topK: 3 });
  assert.equal(status, 200, JSON.stringify(json));
  return json as unknown as Answer;
}

function lineOfText(text: string, needle: string): number {
  const i = text.split('\n').findIndex((l) => l.includes(needle));
  assert.ok(i >= 0, `"${needle}" not in the note`);
  return i + 1;
}

describe('memory that grows (2 replicas, separate processes)', () => {
  let redis: RedisHandle;
  let env: NodeJS.ProcessEnv;
  let coordinator: CoordinatorProcess;
  let coordinatorPort: number;
  let replicas: ServiceProcess[] = [];
  let client: Redis;

  const startReplicas = async () => {
    replicas = [await startShardProcess('harbor', env), await startShardProcess('harbor', env)];
    await waitForShards(coordinator.url, { harbor: 2 });
  };

  before(async () => {
    redis = await startRedis({ appendOnly: true });
    env = { REDIS_URL: redis.url, MEMFLEET_PREFIX: redis.prefix, ...newKeys(), HEARTBEAT_INTERVAL_MS: '300', HEARTBEAT_TTL_MS: '3000', MAX_DOMAIN_TOKENS: '6000' };
    coordinatorPort = await freePort();
    coordinator = await startCoordinatorProcess({ ...env, QUERY_TIMEOUT_MS: '15000', MAX_SOURCE_BYTES: '16384' }, coordinatorPort);
    await startReplicas();
    client = new Redis(redis.url);
  });

  after(async () => {
    client?.disconnect();
    await Promise.all(replicas.map((r) => r.stop()));
    await coordinator?.stop();
    await redis?.stop();
  });

  test('When a note is written, then 20 concurrent questions all cite its real line, on both replicas', async () => {
    const put = await putSource(coordinator.url, 'harbor', NOTE, FIRST);
    assert.equal(put.status, 201, JSON.stringify(put.json));
    assert.deepEqual(Object.keys(put.json).sort(), ['expiresAt', 'lines', 'shard', 'source', 'tokens', 'version']);
    assert.equal(put.json.lines, 5);
    assert.equal(put.headers.get('etag'), `"${put.json.version}"`);
    const version = put.json.version as number;
    const line = lineOfText(FIRST, 'blue anchor');

    const answers = await Promise.all(Array.from({ length: 20 }, () => askHarbor(coordinator.url)));
    const replicasSeen = new Set<string>();
    for (const a of answers) {
      const cited = a.citations.find((c) => c.source === NOTE);
      assert.ok(cited, `an answer did not cite the note: ${JSON.stringify(a.citations.map((c) => `${c.source}:${c.line}`))}`);
      assert.equal(cited.line, line);
      assert.match(cited.text, /blue anchor/);
      const shard = a.shards[0]!;
      assert.ok((shard.version ?? 0) >= version, `answered at version ${shard.version}, wrote ${version}`);
      if (shard.replica) replicasSeen.add(shard.replica);
    }
    // Both replicas hold the note (their heartbeats report the version they answer at).
    const heartbeats = new HeartbeatStore(client, redis.prefix);
    await waitFor('both replicas at the written version', async () => {
      const infos = (await heartbeats.replicaInfo()).filter((r) => r.shard === 'harbor');
      return infos.length === 2 && infos.every((r) => (r.memory?.version ?? 0) >= version);
    }, 10_000);
    assert.ok(replicasSeen.size >= 1);

    const rows = (await (await fetch(`${coordinator.url}/v1/shards`)).json()) as { shard: string; version: number }[];
    assert.equal(rows.find((r) => r.shard === 'harbor')?.version, version);

    const listed = await listSources(coordinator.url, 'harbor');
    assert.equal(listed.status, 200);
    const sources = listed.json.sources as { source: string; origin: string; version?: number }[];
    assert.deepEqual(sources.find((s) => s.source === NOTE), { source: NOTE, lines: 5, tokens: put.json.tokens, origin: 'written', version, expiresAt: null });
    assert.equal(sources.find((s) => s.source === 'cargo.md')?.origin, 'folder');

    const lines = await fetch(`${coordinator.url}/v1/shards/harbor/lines?source=${encodeURIComponent(NOTE)}&from=${line}&to=${line}`);
    assert.equal(lines.status, 200);
    const body = (await lines.json()) as { lines: { line: number; text: string }[] };
    assert.match(body.lines[0]!.text, /blue anchor/);
  });

  test('When the note is replaced, then the new text is cited and the old never', async () => {
    const put = await putSource(coordinator.url, 'harbor', NOTE, SECOND);
    assert.equal(put.status, 200, JSON.stringify(put.json));
    const answers = await Promise.all(Array.from({ length: 20 }, () => askHarbor(coordinator.url)));
    for (const a of answers) {
      const cited = a.citations.filter((c) => c.source === NOTE);
      assert.ok(cited.length > 0, 'the replaced note was not cited');
      assert.equal(cited[0]!.line, lineOfText(SECOND, 'red buoy'));
      for (const c of a.citations) assert.doesNotMatch(c.text, /blue anchor/);
    }
    const got = await getSource(coordinator.url, 'harbor', NOTE);
    assert.equal(got.status, 200);
    assert.equal(got.json.text, SECOND);
    assert.equal(got.json.version, put.json.version);
  });

  test('When the note is deleted, then no answer cites it and a second delete is 404', async () => {
    const del = await deleteSource(coordinator.url, 'harbor', NOTE);
    assert.equal(del.status, 200, JSON.stringify(del.json));
    assert.deepEqual(Object.keys(del.json).sort(), ['shard', 'source', 'version']);
    const answers = await Promise.all(Array.from({ length: 20 }, () => askHarbor(coordinator.url)));
    for (const a of answers) assert.ok(!a.citations.some((c) => c.source === NOTE), 'a deleted note was cited');
    const again = await deleteSource(coordinator.url, 'harbor', NOTE);
    assert.equal(again.status, 404);
    assert.equal((again.json.error as { code: string }).code, 'unknown_source');
  });

  test('When every process (Redis included) restarts, then what was written is still there', async () => {
    const put = await putSource(coordinator.url, 'harbor', NOTE, FIRST);
    assert.equal(put.status, 201);
    await Promise.all(replicas.map((r) => r.stop()));
    await coordinator.stop();
    await redis.restart();
    coordinator = await startCoordinatorProcess({ ...env, QUERY_TIMEOUT_MS: '15000', MAX_SOURCE_BYTES: '16384' }, coordinatorPort);
    await startReplicas();
    const answers = await Promise.all(Array.from({ length: 4 }, () => askHarbor(coordinator.url)));
    for (const a of answers) assert.ok(a.citations.some((c) => c.source === NOTE && /blue anchor/.test(c.text)), 'the note did not survive the restart');
  });

  test('When writes break the rules, then each gets its status code and names what to fix', async () => {
    const url = coordinator.url;
    const code = (r: { json: Record<string, unknown> }) => (r.json.error as { code: string; message: string }).code;

    const folder = await putSource(url, 'harbor', 'cargo.md', 'overwrite');
    assert.equal(folder.status, 409);
    assert.match((folder.json.error as { message: string }).message, /read-only/);

    const unknown = await putSource(url, 'nowhere', 'a.md', 'x');
    assert.equal(unknown.status, 404);
    assert.match((unknown.json.error as { message: string }).message, /harbor/);

    const badName = await putSource(url, 'harbor', 'notes/.hidden.md', 'x');
    assert.equal(badName.status, 400);
    assert.match((badName.json.error as { message: string }).message, /^source:/);
    assert.equal((await putSource(url, 'harbor', 'notes/a.pdf', 'x')).status, 400);

    const notUtf8 = await putSource(url, 'harbor', 'notes/latin1.txt', Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]), { contentType: 'text/plain' });
    assert.equal(notUtf8.status, 400);
    assert.equal(code(notUtf8), 'invalid_encoding');
    assert.match((notUtf8.json.error as { message: string }).message, /^body:/);

    const empty = await putSource(url, 'harbor', 'notes/empty.md', '  \n');
    assert.equal(empty.status, 400);
    assert.equal(code(empty), 'empty_body');

    const tooBig = await putSource(url, 'harbor', 'notes/big.md', 'x'.repeat(20_000));
    assert.equal(tooBig.status, 413);
    assert.equal(code(tooBig), 'source_too_large');

    const json = await putSource(url, 'harbor', 'notes/json.md', JSON.stringify({ text: 'Written as JSON.\n' }), { contentType: 'application/json' });
    assert.equal(json.status, 201, JSON.stringify(json.json));
    const badJson = await putSource(url, 'harbor', 'notes/json.md', JSON.stringify({ body: 'x' }), { contentType: 'application/json' });
    assert.equal(badJson.status, 400);

    // Budget: MAX_DOMAIN_TOKENS=6000 on the shards; two 12 KB notes (3000 tokens each) do not fit together.
    const a = await putSource(url, 'harbor', 'notes/bulk-a.md', 'word '.repeat(2400));
    assert.equal(a.status, 201, JSON.stringify(a.json));
    const full = await putSource(url, 'harbor', 'notes/bulk-b.md', 'word '.repeat(2400));
    assert.equal(full.status, 413);
    assert.equal(code(full), 'domain_full');
    const details = full.json.error as { budget: number; used: number; needed: number };
    assert.equal(details.budget, 6000);
    assert.equal(details.needed, 3000);
    assert.ok(details.used + details.needed > details.budget);
    assert.equal((await deleteSource(url, 'harbor', 'notes/bulk-a.md')).status, 200);

    // If-Match: a stale version is refused with 412, the current one accepted.
    const v1 = await putSource(url, 'harbor', 'notes/shared.md', 'first\n');
    const v2 = await putSource(url, 'harbor', 'notes/shared.md', 'second\n', { ifMatch: String(v1.json.version) });
    assert.equal(v2.status, 200);
    const stale = await putSource(url, 'harbor', 'notes/shared.md', 'third\n', { ifMatch: String(v1.json.version) });
    assert.equal(stale.status, 412);
    assert.equal(code(stale), 'precondition_failed');
    assert.equal((await deleteSource(url, 'harbor', 'notes/shared.md', { ifMatch: `"${v1.json.version}"` })).status, 412);
    assert.equal((await putSource(url, 'harbor', 'notes/new.md', 'x\n', { ifMatch: '0' })).status, 201);
    assert.equal((await putSource(url, 'harbor', 'notes/new.md', 'y\n', { ifMatch: '0' })).status, 412);
    assert.equal((await putSource(url, 'harbor', 'notes/new.md', 'y\n', { ifMatch: 'soon' })).status, 400);

    assert.equal((await putSource(url, 'harbor', 'notes/t.md', 'x\n', { ttl: 0 })).status, 400);
  });

  test('When writes happened, then the coordinator counts them by outcome and every replica observed write-to-visible', async () => {
    const metrics = await (await fetch(`${coordinator.url}/metrics`)).text();
    const count = (outcome: string) => metricValue(metrics, 'memfleet_source_writes_total', { shard: 'harbor', outcome });
    assert.ok(count('created') >= 1 && count('replaced') >= 1 && count('deleted') >= 1, metrics.split('\n').filter((l) => l.includes('source_writes')).join('\n'));
    assert.ok(count('folder_source') >= 1 && count('domain_full') >= 1 && count('precondition_failed') >= 1 && count('invalid') >= 1);
    const infos = (await new HeartbeatStore(client, redis.prefix).replicaInfo()).filter((r) => r.shard === 'harbor');
    assert.equal(infos.length, 2);
    const rows = (await (await fetch(`${coordinator.url}/v1/shards`)).json()) as { shard: string; version: number }[];
    const version = rows.find((r) => r.shard === 'harbor')!.version;
    for (const info of infos) {
      const text = await (await fetch(`http://127.0.0.1:${info.metricsPort}/metrics`)).text();
      assert.ok(metricValue(text, 'memfleet_write_visible_seconds_count', { shard: 'harbor' }) >= 1, `replica ${info.replica} observed no write`);
      // Idle replicas caught up through the write notifications alone.
      await waitFor(`${info.replica} at version ${version}`, async () => {
        const now = await (await fetch(`http://127.0.0.1:${info.metricsPort}/metrics`)).text();
        return metricValue(now, 'memfleet_memory_version', { shard: 'harbor' }) === version;
      }, 5_000);
    }
  });

  test('When a note has a ttl, then it is cited until it expires and is gone from answers and listings after', async () => {
    const put = await putSource(coordinator.url, 'harbor', 'notes/ephemeral.md', 'The harbour master is at the Peregrine Tavern until noon.\n', { ttl: 2 });
    assert.equal(put.status, 201, JSON.stringify(put.json));
    assert.ok(typeof put.json.expiresAt === 'string');
    const ask = () => postQuery(coordinator.url, { question: 'Where is the harbour master?', shards: ['harbor'] });
    const before = await ask();
    assert.ok((before.json.citations as Citation[]).some((c) => c.source === 'notes/ephemeral.md'));
    await new Promise((r) => setTimeout(r, 2_200));
    for (let i = 0; i < 6; i++) {
      const after = await ask();
      assert.ok(!(after.json.citations as Citation[]).some((c) => c.source === 'notes/ephemeral.md'), 'an expired note was cited');
    }
    assert.equal((await getSource(coordinator.url, 'harbor', 'notes/ephemeral.md')).status, 404);
    await waitFor('the sweep to forget the expired note', async () => {
      const listed = await listSources(coordinator.url, 'harbor');
      return !(listed.json.sources as { source: string }[]).some((s) => s.source === 'notes/ephemeral.md');
    }, 10_000);
  });
});
