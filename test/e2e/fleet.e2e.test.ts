/**
 * The fleet end to end: a coordinator and three shards as separate OS
 * processes over a real Redis, answering over real HTTP with citations that
 * point at the real lines of the fixture corpus.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { Queue } from 'bullmq';
import { deriveDomainKeys, parseKeyring, signEnvelope, generateKeyring } from '../../shared/envelope/index.js';
import { parseMasterKeys } from '../../shared/config/keys.js';
import { shardQueueName } from '../../shared/queues/names.js';
import { startRedis, type RedisHandle } from '../helpers/redis-server.js';
import {
  CLI,
  fileLines,
  lineOf,
  newKeys,
  postQuery,
  startCoordinatorProcess,
  startShardProcess,
  waitForShards,
  type CoordinatorProcess,
  type FleetKeys,
  type ServiceProcess,
} from '../helpers/fleet-processes.js';
import type { MergedCitation as Citation, ShardOutcome } from '../../shared/api/query.js';

const run = promisify(execFile);



describe('fleet end to end (separate processes)', () => {
  let redis: RedisHandle;
  let keys: FleetKeys;
  let env: NodeJS.ProcessEnv;
  let coordinator: CoordinatorProcess;
  const shards = new Map<string, ServiceProcess>();

  before(async () => {
    redis = await startRedis();
    keys = newKeys();
    env = { REDIS_URL: redis.url, MEMFLEET_PREFIX: redis.prefix, ...keys, HEARTBEAT_INTERVAL_MS: '500', HEARTBEAT_TTL_MS: '3000' };
    coordinator = await startCoordinatorProcess({ ...env, QUERY_TIMEOUT_MS: '20000' });
    for (const domain of ['harbor', 'kitchen', 'observatory']) shards.set(domain, await startShardProcess(domain, env));
    await waitForShards(coordinator.url, { harbor: 1, kitchen: 1, observatory: 1 });
  });

  after(async () => {
    await Promise.all([...shards.values()].map((s) => s.stop()));
    await coordinator?.stop();
    await redis?.stop();
  });

  test('When a question names a fact, then the top citation points at its real line in the right shard', async () => {
    const { status, json } = await postQuery(coordinator.url, { question: 'Who is the captain of the schooner Albatross?' });
    assert.equal(status, 200, JSON.stringify(json));
    const citations = json.citations as Citation[];
    const top = citations[0];
    assert.ok(top, 'expected at least one citation');
    assert.equal(top.shard, 'harbor');
    assert.equal(top.source, 'ships.txt');
    const factLine = lineOf('harbor', 'ships.txt', 'Ilse Varga');
    assert.ok(top.line <= factLine && factLine <= top.endLine, `citation ${top.line}-${top.endLine} should cover line ${factLine}`);
    assert.equal(top.text, fileLines('harbor', 'ships.txt').slice(top.line - 1, top.endLine).join('\n'));
    assert.match(json.answer as string, /Ilse Varga/);
    assert.match(json.answer as string, /\[harbor\/ships\.txt:\d+/);
    const outcomes = json.shards as ShardOutcome[];
    assert.deepEqual(outcomes.map((s) => [s.shard, s.status]).sort(), [['harbor', 'ok'], ['kitchen', 'ok'], ['observatory', 'ok']]);
    for (let i = 1; i < citations.length; i++) assert.ok(citations[i - 1]!.score >= citations[i]!.score, 'citations are best first');
  });

  test('When a question asks two things that live in two domains, then each part is answered and cited, one outcome per shard', async () => {
    // Asked whole, the storm part's words outweigh the bread part's: the merged answer quoted the harbor alone.
    const question = 'Why were small craft ordered to stay inside the breakwater when the storm warning went up, and how long should the bread dough be kneaded?';
    const { status, json } = await postQuery(coordinator.url, { question, topK: 4 });
    assert.equal(status, 200, JSON.stringify(json));
    const first = (json.citations as Citation[]).slice(0, 2);
    const craft = lineOf('harbor', 'ships.txt', 'small craft');
    const knead = lineOf('kitchen', 'recipes.md', 'Knead the dough');
    assert.ok(first.some((c) => c.shard === 'harbor' && c.line <= craft && craft <= c.endLine), JSON.stringify(first));
    assert.ok(first.some((c) => c.shard === 'kitchen' && c.line <= knead && knead <= c.endLine), JSON.stringify(first));
    assert.match(json.answer as string, /small craft were ordered/);
    assert.match(json.answer as string, /ten minutes/, 'the second part is answered too');
    const outcomes = json.shards as ShardOutcome[];
    assert.deepEqual(outcomes.map((s) => [s.shard, s.status]).sort(), [['harbor', 'ok'], ['kitchen', 'ok'], ['observatory', 'ok']]);
  });

  test('When the answer lives in a nested folder of another domain, then the source path is relative to the domain', async () => {
    const { json } = await postQuery(coordinator.url, { question: 'How many degrees did the tail of comet Halvorsen stretch?' });
    const top = (json.citations as Citation[])[0];
    assert.ok(top);
    assert.equal(top.shard, 'observatory');
    assert.equal(top.source, 'notes/comets.txt');
    const factLine = lineOf('observatory', 'notes/comets.txt', 'eleven degrees');
    assert.ok(top.line <= factLine && factLine <= top.endLine);
  });

  test('When a query finished, then GET /v1/queries/:id returns the stored result', async () => {
    const { json } = await postQuery(coordinator.url, { question: 'plum jam cinnamon', topK: 2 });
    const res = await fetch(`${coordinator.url}/v1/queries/${json.id as string}`);
    assert.equal(res.status, 200);
    const stored = (await res.json()) as Record<string, unknown>;
    assert.equal(stored.status, 'done');
    assert.deepEqual(stored.citations, json.citations);
    assert.ok((stored.citations as Citation[]).length <= 2);
    const missing = await fetch(`${coordinator.url}/v1/queries/q_doesnotexist1`);
    assert.equal(missing.status, 404);
    assert.equal(((await missing.json()) as { error: { code: string } }).error.code, 'not_found');
  });

  test('When the fleet is listed, then every domain shows its replicas, sources and size', async () => {
    const rows = (await (await fetch(`${coordinator.url}/v1/shards`)).json()) as { shard: string; replicas: number; sources: number; lines: number; tokens: number; engine: string }[];
    const harbor = rows.find((r) => r.shard === 'harbor');
    assert.ok(harbor);
    assert.equal(harbor.replicas, 1);
    assert.equal(harbor.sources, 2);
    assert.ok(harbor.lines > 10 && harbor.tokens > 50);
    assert.equal(harbor.engine, 'lexical');
    const ready = await fetch(`${coordinator.url}/readyz`);
    assert.equal(ready.status, 200);
  });

  test('When the body is invalid, then the API answers 400 naming the field, and 413 for an oversized question', async () => {
    const bad = await postQuery(coordinator.url, { question: 'x', topK: 'five' });
    assert.equal(bad.status, 400);
    assert.match((bad.json.error as { message: string }).message, /topK/);
    const extra = await postQuery(coordinator.url, { question: 'x', colour: 'blue' });
    assert.equal(extra.status, 400);
    assert.match((extra.json.error as { message: string }).message, /colour/);
    const huge = await postQuery(coordinator.url, { question: 'why '.repeat(2000) });
    assert.equal(huge.status, 413);
    const unknown = await postQuery(coordinator.url, { question: 'x', shards: ['atlantis'] });
    assert.equal(unknown.status, 400);
    assert.match((unknown.json.error as { message: string }).message, /atlantis/);
  });

  test('When a forged or replayed job is put straight into a shard queue, then it is rejected and never answered', async () => {
    const queue = new Queue(shardQueueName('harbor'), { connection: { url: redis.url }, prefix: redis.prefix });
    try {
      const body = (jobId: string) => JSON.stringify({ shard: 'harbor', jobId, queryId: 'q_forgedjob0001', question: 'Who is the captain?', topK: 3, deadline: Date.now() + 60_000, conversation: [] });
      const harborKeys = deriveDomainKeys(parseMasterKeys({ ...keys }), 'harbor');
      // The job's own record, polled: a QueueEvents listener created just before can miss the first event on a loaded machine.
      const outcome = async (jobId: string, data: unknown) => {
        await queue.add('query', data, { jobId });
        let state = 'unknown';
        for (const until = Date.now() + 30_000; Date.now() < until; await new Promise((r) => setTimeout(r, 50))) {
          state = (await queue.getJobState(jobId)) as string;
          // Read the record only once it is final: an earlier copy lacks the return value or the reason.
          const job = state === 'completed' || state === 'failed' ? await queue.getJob(jobId) : undefined;
          if (job && state === 'completed') return { ok: true as const, value: job.returnvalue as unknown };
          if (job && state === 'failed') return { ok: false as const, reason: job.failedReason };
        }
        return { ok: false as const, reason: `job ${jobId} not finished after 30 s (state ${state})` };
      };
      // Signed with a key the shards do not hold (an attacker's), under the real kid.
      const attacker = parseKeyring(generateKeyring('coord1'), 'ATTACKER');
      const forged = await outcome('forged-1', signEnvelope(body('forged-1'), attacker));
      assert.equal(forged.ok, false);
      assert.match((forged as { reason: string }).reason, /bad_signature/);
      // Signed with the shard's own result key: a shard cannot sign a query.
      const shardSigned = await outcome('forged-2', signEnvelope(body('forged-2'), harborKeys.result));
      assert.equal(shardSigned.ok, false);
      assert.match((shardSigned as { reason: string }).reason, /unknown_kid|bad_signature/);
      // Signed with the query master instead of harbor's derived key.
      const master = await outcome('forged-3', signEnvelope(body('forged-3'), parseKeyring(keys.MEMFLEET_HMAC_KEYS, 'K')));
      assert.match((master as { reason: string }).reason, /bad_signature/);
      // A genuine envelope is answered once; the same envelope in a second job is refused (its signed job id differs).
      const genuine = signEnvelope(body('genuine-1'), harborKeys.query);
      const first = await outcome('genuine-1', genuine);
      assert.equal(first.ok, true);
      const replay = await outcome('replay-1', genuine);
      assert.equal(replay.ok, false);
      assert.match((replay as { reason: string }).reason, /wrong_job_id/);
      const metrics = await (await fetch(`${coordinator.url}/metrics`)).text();
      assert.match(metrics, /memfleet_query_duration_seconds_bucket/);
    } finally {
      await queue.close();
    }
  });

  test('When the CLI asks, then it prints the answer and shard/source:line citations', async () => {
    const { stdout } = await run(process.execPath, [CLI, 'ask', '--url', coordinator.url, 'What', 'does', 'grandmother', 'put', 'in', 'plum', 'jam?']);
    assert.match(stdout, /kitchen\/recipes\.md:\d+/);
    assert.match(stdout, /cinnamon/);
    const status = await run(process.execPath, [CLI, 'status', '--url', coordinator.url]);
    assert.match(status.stdout, /harbor\s+up\s+1/);
  });

  test('When a shard process is killed, then the query still answers within its deadline with that shard marked timeout', async () => {
    const kitchen = shards.get('kitchen');
    assert.ok(kitchen);
    await kitchen.kill();
    const started = Date.now();
    const { status, json } = await postQuery(coordinator.url, { question: 'Who is the captain of the schooner Albatross?', timeoutMs: 1500 });
    const elapsed = Date.now() - started;
    assert.equal(status, 200);
    const outcomes = json.shards as ShardOutcome[];
    const dead = outcomes.find((s) => s.shard === 'kitchen');
    assert.ok(dead, 'the killed shard is still reported (its heartbeat has not expired yet)');
    assert.ok(dead.status === 'timeout' || dead.status === 'error', `expected timeout/error, got ${dead.status}`);
    assert.equal(outcomes.find((s) => s.shard === 'harbor')?.status, 'ok');
    assert.equal((json.citations as Citation[])[0]?.shard, 'harbor');
    // Generous on a loaded machine; the point is that the 1.5 s deadline, not the 20 s default, ended the wait.
    assert.ok(elapsed < 10_000, `answered in ${elapsed} ms, deadline 1500 ms`);
  });
});
