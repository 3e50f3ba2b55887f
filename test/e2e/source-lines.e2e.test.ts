/**
 * Reading source lines through the bus: GET /v1/shards/:shard/sources and
 * /lines answer with the real lines of the fixture files, read by the shard
 * that loaded them (the coordinator has no files), behind the API token,
 * path-safe and clamped; read jobs pass the same envelope checks as queries.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Queue, QueueEvents } from 'bullmq';
import { deriveDomainKeys, generateKeyring, parseKeyring, signEnvelope } from '../../shared/envelope/index.js';
import { parseMasterKeys } from '../../shared/config/keys.js';
import { shardQueueName } from '../../shared/queues/names.js';
import { FIXTURE_CONTEXTS } from '../helpers/fleet-processes.js';
import { startFixtureFleet, type FixtureFleet } from '../helpers/fixture-fleet.js';

const TOKEN = 'source-lines-test-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };

function fixtureLines(domain: string, source: string): string[] {
  const text = readFileSync(join(FIXTURE_CONTEXTS, domain, source), 'utf8');
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

async function getJson(url: string, headers: Record<string, string> = auth): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(url, { headers });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('source lines through the shard queue', () => {
  let fleet: FixtureFleet;
  let base: string;

  before(async () => {
    fleet = await startFixtureFleet({ coordinatorEnv: { MEMFLEET_API_TOKEN: TOKEN }, token: TOKEN });
    base = fleet.coordinator.url;
  });

  after(async () => {
    await fleet?.stop();
  });

  test('When a shard is asked for its sources, then it lists every file of its domain with line counts', async () => {
    const { status, json } = await getJson(`${base}/v1/shards/observatory/sources`);
    assert.equal(status, 200, JSON.stringify(json));
    const sources = json.sources as { source: string; lines: number }[];
    assert.deepEqual(sources.map((s) => s.source), ['notes/comets.txt', 'notes/moons.md']);
    assert.equal(sources[0]!.lines, fixtureLines('observatory', 'notes/comets.txt').length);
    assert.equal(json.truncated, false);
  });

  test('When lines of a nested source are read, then exactly those lines of the file come back, numbered', async () => {
    const { status, json } = await getJson(`${base}/v1/shards/observatory/lines?source=notes%2Fcomets.txt&from=2&to=6`);
    assert.equal(status, 200, JSON.stringify(json));
    const want = fixtureLines('observatory', 'notes/comets.txt');
    assert.equal(json.from, 2);
    assert.equal(json.to, 6);
    assert.equal(json.totalLines, want.length);
    assert.deepEqual(json.lines, want.slice(1, 6).map((text, i) => ({ line: i + 2, text })));
  });

  test('When the range runs past the end of the file, then it is clamped to the last line', async () => {
    const want = fixtureLines('harbor', 'ships.txt');
    const { status, json } = await getJson(`${base}/v1/shards/harbor/lines?source=ships.txt&from=${want.length - 1}&to=${want.length + 40}`);
    assert.equal(status, 200);
    assert.equal(json.to, want.length);
    assert.equal((json.lines as unknown[]).length, 2);
    assert.equal(json.truncated, false);
    const past = await getJson(`${base}/v1/shards/harbor/lines?source=ships.txt&from=${want.length + 1}`);
    assert.equal(past.status, 400);
    assert.equal((past.json.error as { code: string }).code, 'out_of_range');
  });

  test('When the source is unknown or tries to leave the domain folder, then the answer is 404 unknown_source', async () => {
    for (const source of ['nope.txt', '../kitchen/recipes.md', '/etc/passwd', 'notes/../notes/comets.txt']) {
      const { status, json } = await getJson(`${base}/v1/shards/observatory/lines?${new URLSearchParams({ source })}`);
      assert.equal(status, 404, source);
      assert.equal((json.error as { code: string }).code, 'unknown_source', source);
    }
    const shard = await getJson(`${base}/v1/shards/atlantis/lines?source=x.txt`);
    assert.equal(shard.status, 404);
    assert.equal((shard.json.error as { code: string }).code, 'unknown_shard');
    const bad = await getJson(`${base}/v1/shards/harbor/lines?source=ships.txt&from=0`);
    assert.equal(bad.status, 400);
    assert.match((bad.json.error as { message: string }).message, /from/);
  });

  test('When no token is sent, then the source routes answer 401', async () => {
    const res = await fetch(`${base}/v1/shards/harbor/lines?source=ships.txt`);
    assert.equal(res.status, 401);
    const list = await fetch(`${base}/v1/shards/harbor/sources`);
    assert.equal(list.status, 401);
  });

  test('When queries ran, then /v1/shards reports queue depth and a p50 per shard', async () => {
    const res = await fetch(`${base}/v1/query`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ question: 'plum jam' }) });
    assert.equal(res.status, 200);
    const { json } = await getJson(`${base}/v1/shards`);
    const rows = json as unknown as { shard: string; queue: { waiting: number; active: number } | null; p50Ms: number | null; p50Samples: number }[];
    for (const row of rows) {
      assert.deepEqual(Object.keys(row.queue ?? {}).sort(), ['active', 'waiting'], row.shard);
      assert.ok(row.p50Ms !== null && row.p50Ms > 0, `${row.shard} p50 ${row.p50Ms}`);
      assert.ok(row.p50Samples >= 1);
    }
  });

  test('When a read job is forged, or a read envelope is slipped in as a query, then the shard rejects it', async () => {
    const connection = { url: fleet.redis.url };
    const queue = new Queue(shardQueueName('harbor'), { connection, prefix: fleet.redis.prefix });
    const events = new QueueEvents(shardQueueName('harbor'), { connection, prefix: fleet.redis.prefix });
    await events.waitUntilReady();
    try {
      const body = (jobId: string) => JSON.stringify({ shard: 'harbor', jobId, op: 'lines', requestId: 'r_forgedread01', deadline: Date.now() + 60_000, source: 'ships.txt', line: 1, endLine: 3 });
      const harborQueryKeys = deriveDomainKeys(parseMasterKeys({ ...fleet.keys }), 'harbor').query;
      const outcome = async (name: string, jobId: string, data: unknown) => {
        const job = await queue.add(name, data, { jobId });
        try {
          return { ok: true as const, value: await job.waitUntilFinished(events, 30_000) };
        } catch (err) {
          return { ok: false as const, reason: err instanceof Error ? err.message : String(err) };
        }
      };
      const forged = await outcome('read', 'forged-read-1', signEnvelope(body('forged-read-1'), parseKeyring(generateKeyring('coord1'), 'ATTACKER')));
      assert.equal(forged.ok, false);
      assert.match((forged as { reason: string }).reason, /bad_signature/);
      const asQuery = await outcome('query', 'read-as-query-1', signEnvelope(body('read-as-query-1'), harborQueryKeys));
      assert.equal(asQuery.ok, false);
      assert.match((asQuery as { reason: string }).reason, /invalid query payload/);
      const genuine = await outcome('read', 'genuine-read-1', signEnvelope(body('genuine-read-1'), harborQueryKeys));
      assert.equal(genuine.ok, true, JSON.stringify(genuine));
    } finally {
      await events.close();
      await queue.close();
    }
  });
});
