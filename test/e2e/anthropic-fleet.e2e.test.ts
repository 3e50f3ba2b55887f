/**
 * The fleet end to end on the Claude engine: a coordinator and three
 * ENGINE=anthropic shards as separate OS processes over a real Redis, each
 * talking to a local Messages API server (test/helpers/fake-anthropic.ts)
 * through ANTHROPIC_BASE_URL with the real SDK. Same questions and checks as
 * the lexical fleet test, plus the cache, usage, retries and a revoked key.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DEFAULT_PRICES, priceCall } from '../../shared/llm/pricing.js';
import { bestPassage, startFakeAnthropic, wordOverlapResponder, type FakeAnthropic, type FakeUsage } from '../helpers/fake-anthropic.js';
import {
  FIXTURE_CONTEXTS,
  fileLines,
  lineOf,
  newKeys,
  postQuery,
  startCoordinatorProcess,
  startProcess,
  startShardProcess,
  waitForShards,
  type CoordinatorProcess,
  type ServiceProcess,
} from '../helpers/fleet-processes.js';
import { startRedis, type RedisHandle } from '../helpers/redis-server.js';
import type { MergedCitation as Citation, ShardOutcome } from '../../shared/api/query.js';
import type { Usage } from '../../shared/queues/schemas.js';
import type { ShardRow } from '../../shared/api/shards.js';

const KEY = 'sk-ant-test-e2e-5f0c9a1d7b3e4c2a';
const DOMAINS = ['harbor', 'kitchen', 'observatory'] as const;
const CAPTAIN = 'Who is the captain of the schooner Albatross?';



/** What the fake API reported for message calls [from, to), added up and priced as memfleet reports usage. */
function reportedUsage(fake: FakeAnthropic, from: number, to?: number): Usage {
  const total: Usage = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0 };
  for (const r of fake.messages().slice(from, to)) {
    const u = r.usage as FakeUsage | undefined;
    if (!u) continue;
    total.inputTokens += u.input_tokens;
    total.outputTokens += u.output_tokens;
    total.cacheReadTokens += u.cache_read_input_tokens;
    total.cacheWriteTokens += u.cache_creation_input_tokens;
    total.costUsd += priceCall(DEFAULT_PRICES, r.body.model, {
      input: u.input_tokens,
      output: u.output_tokens,
      cacheRead: u.cache_read_input_tokens,
      cacheWrite5m: u.cache_creation.ephemeral_5m_input_tokens,
      cacheWrite1h: u.cache_creation.ephemeral_1h_input_tokens,
    }).costUsd;
  }
  return total;
}

describe('fleet end to end on the Claude engine (local Messages API)', () => {
  let redis: RedisHandle;
  let fake: FakeAnthropic;
  let env: NodeJS.ProcessEnv;
  let coordinator: CoordinatorProcess;
  const shards = new Map<string, ServiceProcess>();
  const others: ServiceProcess[] = [];
  const claudeEnv = () => ({
    ANTHROPIC_API_KEY: KEY,
    ANTHROPIC_BASE_URL: fake.url,
    // The fixture domains are small: tell the shards the same cache minimum the fake applies.
    LLM_MODELS_JSON: JSON.stringify({ 'claude-haiku-5-5': { minCacheTokens: 256 } }),
  });

  before(async () => {
    redis = await startRedis();
    fake = await startFakeAnthropic({ minCacheTokens: 256 });
    env = { REDIS_URL: redis.url, MEMFLEET_PREFIX: redis.prefix, ...newKeys(), HEARTBEAT_INTERVAL_MS: '500', HEARTBEAT_TTL_MS: '3000' };
    const claude = claudeEnv();
    // The coordinator holds a key too, so requests may ask for synthesis (SYNTHESIS stays off by default).
    coordinator = await startCoordinatorProcess({ ...env, ...claude, QUERY_TIMEOUT_MS: '20000' });
    for (const domain of DOMAINS) shards.set(domain, await startShardProcess(domain, { ...env, ...claude, ENGINE: 'anthropic' }));
    await waitForShards(coordinator.url, { harbor: 1, kitchen: 1, observatory: 1 });
  });

  after(async () => {
    await Promise.all([...shards.values(), ...others].map((s) => s.stop()));
    await coordinator?.stop();
    await fake?.stop();
    await redis?.stop();
  });

  test('When a question names a fact, then the top citation points at its real line in the right shard', async () => {
    const { status, json } = await postQuery(coordinator.url, { question: CAPTAIN });
    assert.equal(status, 200, JSON.stringify(json));
    const citations = json.citations as Citation[];
    const top = citations[0];
    assert.ok(top, `expected at least one citation: ${JSON.stringify(json)}`);
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
    assert.ok((json.usage as Usage).outputTokens > 0, 'Claude usage is reported');
  });

  test('When the answer lives in a nested folder of another domain, then the source path is relative to the domain', async () => {
    const { json } = await postQuery(coordinator.url, { question: 'How many degrees did the tail of comet Halvorsen stretch?' });
    const top = (json.citations as Citation[])[0];
    assert.ok(top, JSON.stringify(json));
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
    assert.deepEqual(stored.usage, json.usage);
    assert.ok((stored.citations as Citation[]).length <= 2);
  });

  test('When the fleet is listed, then every domain shows the anthropic engine, its counted prefix tokens, price band and warm-up', async () => {
    const rows = (await (await fetch(`${coordinator.url}/v1/shards`)).json()) as ShardRow[];
    for (const domain of DOMAINS) {
      const row = rows.find((r) => r.shard === domain);
      assert.equal(row?.engine, 'anthropic', domain);
      assert.equal(row?.replicas, 1);
      const counted = fake.requests.find((r) => r.endpoint === 'count_tokens' && JSON.stringify(r.body.system).includes(`<context domain=\\"${domain}\\"`));
      assert.ok(counted, `${domain} counted its prefix with count_tokens`);
      assert.equal(row?.prefix?.model, 'claude-haiku-5-5');
      assert.equal(row?.prefix?.countedBy, 'count_tokens API');
      assert.ok((row?.prefix?.prefixTokens ?? 0) > 256, JSON.stringify(row?.prefix));
      assert.equal(row?.prefix?.priceBand, 'standard');
      assert.equal(row?.prefix?.bandEdgeTokens, 100_000);
      assert.equal(row?.prefix?.warmed, true);
    }
  });

  test('When the shards started, then each warmed its prefix with one max_tokens 0 call, and thinking is switched off at effort low', () => {
    const warmups = fake.messages().filter((r) => r.body.max_tokens === 0);
    const byDomain = DOMAINS.map((d) => warmups.filter((r) => JSON.stringify(r.body.system).includes(`<context domain=\\"${d}\\"`)).length);
    assert.deepEqual(byDomain, [1, 1, 1]);
    assert.ok(warmups.every((r) => r.usage!.cache_creation_input_tokens > 0 && r.body.thinking?.type === 'disabled'));
  });

  test('When a second question follows the first, then every shard reads its context from the cache and usage adds up the shards', async () => {
    fake.clearCache();
    const from1 = fake.messages().length;
    const first = await postQuery(coordinator.url, { question: CAPTAIN });
    const from2 = fake.messages().length;
    const second = await postQuery(coordinator.url, { question: 'When does the ferry to Gull Island run?' });
    const u1 = first.json.usage as Usage;
    const u2 = second.json.usage as Usage;

    // One request per shard, each carrying its domain as the cached system block and the question after it.
    const sent = fake.messages().slice(from1, from2);
    assert.equal(sent.length, 3);
    for (const r of sent) {
      const system = r.body.system as { text: string; cache_control?: unknown }[];
      assert.deepEqual(system[0]!.cache_control, { type: 'ephemeral', ttl: '5m' });
      assert.match(system[0]!.text, /<context domain="(harbor|kitchen|observatory)"/);
      assert.match(String(r.body.messages.at(-1)!.content), /<question>\nWho is the captain/);
    }

    assert.ok(u1.cacheWriteTokens > 0 && u1.cacheReadTokens === 0, JSON.stringify(u1));
    assert.equal(u2.cacheWriteTokens, 0, JSON.stringify(u2));
    assert.equal(u2.cacheReadTokens, u1.cacheWriteTokens, 'the second question read back exactly what the first wrote');
    assert.ok(u2.costUsd < u1.costUsd);

    // The coordinator's usage is the sum over the shards' calls, as the API reported them.
    for (const [got, want] of [
      [u1, reportedUsage(fake, from1, from2)],
      [u2, reportedUsage(fake, from2)],
    ] as const) {
      assert.deepEqual({ ...got, costUsd: 0 }, { ...want, costUsd: 0 });
      assert.ok(Math.abs(got.costUsd - want.costUsd) < 1e-8, `cost ${got.costUsd} vs ${want.costUsd} by the price table`);
    }
  });

  test('When the API answers 429 and then 529, then the shard backs off, retries, and the query still answers', async () => {
    const from = fake.messages().length;
    fake.failNext('messages', 429, 529);
    const { status, json } = await postQuery(coordinator.url, { question: CAPTAIN, shards: ['harbor'] });
    assert.equal(status, 200);
    assert.deepEqual(fake.messages().slice(from).map((r) => r.status), [429, 529, 200]);
    assert.deepEqual((json.shards as ShardOutcome[]).map((s) => s.status), ['ok']);
    assert.equal((json.citations as Citation[])[0]?.source, 'ships.txt');
  });

  test('When the API rejects the key with 401, then that shard fails fast with a clear error, long before the deadline', async () => {
    const from = fake.messages().length;
    fake.failNext('messages', 401);
    const { status, json } = await postQuery(coordinator.url, { question: CAPTAIN, shards: ['harbor'], timeoutMs: 20_000 });
    assert.equal(status, 200);
    const [outcome] = json.shards as ShardOutcome[];
    assert.equal(outcome?.status, 'error', JSON.stringify(outcome));
    assert.match(outcome?.error ?? '', /rejected the API key \(401/);
    assert.match(outcome?.error ?? '', /ANTHROPIC_API_KEY/);
    assert.ok(outcome!.latencyMs < 20_000, `reported as an error, not left to time out: ${JSON.stringify(json)}`);
    assert.equal(fake.messages().length - from, 1, 'a 401 is not retried');
    assert.match(json.answer as string, /Nothing in memory answers this question\. Some shards did not answer: harbor \(error\)/);
  });

  test('When Claude cites a line that does not hold its quote, then the citation never reaches the client and the shard counts it', async () => {
    fake.respondWith((body, parsed) => {
      const p = bestPassage(parsed);
      if (!p) return wordOverlapResponder(body, parsed);
      return JSON.stringify({ answer: p.text, citations: [{ source: p.source, line: p.line + 3, endLine: p.endLine + 3, quote: p.text, relevance: 1 }] });
    });
    try {
      const { json } = await postQuery(coordinator.url, { question: CAPTAIN, shards: ['harbor'] });
      assert.deepEqual(json.citations, []);
      assert.match(json.answer as string, /^Nothing in memory answers this question\./);
    } finally {
      fake.respondWith(undefined);
    }
    const port = /"metricsPort":(\d+)/.exec(shards.get('harbor')!.output())?.[1];
    assert.ok(port, 'the shard logs its metrics port');
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    assert.match(metrics, /^memfleet_citations_rejected_total\{[^}]*shard="harbor"[^}]*\} 1$/m);
    assert.match(metrics, /^memfleet_llm_tokens_total\{(?=[^}]*kind="cache_read")(?=[^}]*model="claude-haiku-5-5")[^}]*\} [1-9]\d*$/m);
    assert.match(metrics, /^memfleet_llm_cost_usd_total\{[^}]*model="claude-haiku-5-5"[^}]*\} [\d.e-]+$/m);
  });

  test('When a request asks for synthesis, then one answer cites only the shards citations, and its call is in the usage', async () => {
    fake.respondWith((body, parsed) => (parsed.sources.size > 0 ? wordOverlapResponder(body, parsed) : 'The Albatross is captained by Ilse Varga [1].'));
    try {
      const from = fake.messages().length;
      const { status, json } = await postQuery(coordinator.url, { question: CAPTAIN, synthesize: true });
      assert.equal(status, 200, JSON.stringify(json));
      assert.deepEqual(json.synthesis, { model: 'claude-sonnet-5-5', status: 'ok' });
      const top = (json.citations as Citation[])[0]!;
      assert.equal(json.answer, `The Albatross is captained by Ilse Varga [${top.shard}/${top.source}:${top.line}-${top.endLine}].`);
      const calls = fake.messages().slice(from);
      assert.deepEqual(calls.map((c) => c.body.model).sort(), ['claude-haiku-5-5', 'claude-haiku-5-5', 'claude-haiku-5-5', 'claude-sonnet-5-5']);
      const reported = reportedUsage(fake, from);
      const usage = json.usage as Usage;
      assert.equal(usage.outputTokens, reported.outputTokens);
      assert.equal(usage.inputTokens, reported.inputTokens);
    } finally {
      fake.respondWith(undefined);
    }
  });

  test('When a shard is started with ENGINE=anthropic and no key, then it refuses to start and says what to set', async () => {
    const lonely = startProcess('keyless shard', ['shard', '--domain', 'harbor', '--contexts', FIXTURE_CONTEXTS], { ...env, ENGINE: 'anthropic', METRICS_PORT: '0' });
    others.push(lonely);
    const code = await lonely.exited;
    assert.equal(code, 1);
    assert.match(lonely.output(), /configuration error: ENGINE=anthropic needs ANTHROPIC_API_KEY/);
  });

  test('When the account spend limit is reached (429 enforced_spend_limit_reached), then the shard fails at once as an error saying so', async () => {
    const from = fake.messages().length;
    fake.addRule({ times: 1, then: { status: 429, errorCode: 'enforced_spend_limit_reached', retryAfterS: 0 } });
    try {
      const { status, json } = await postQuery(coordinator.url, { question: CAPTAIN, shards: ['harbor'], timeoutMs: 20_000 });
      assert.equal(status, 200);
      const [outcome] = json.shards as ShardOutcome[];
      assert.equal(outcome?.status, 'error', JSON.stringify(outcome));
      assert.match(outcome?.error ?? '', /the Anthropic account's spend limit was reached \(429 enforced_spend_limit_reached\)/);
      assert.equal(fake.messages().length - from, 1, 'neither the SDK nor the queue retried it');
    } finally {
      fake.clearRules();
    }
  });

  test('When a second replica of a warm domain starts, then it does not write the prefix again', async () => {
    const from = fake.messages().length;
    const extra = await startShardProcess('harbor', { ...env, ...claudeEnv(), ENGINE: 'anthropic' });
    others.push(extra);
    await waitForShards(coordinator.url, { harbor: 2 });
    assert.equal(fake.messages().slice(from).filter((r) => r.body.max_tokens === 0).length, 0);
    await extra.stop();
  });

  test('When the fleet has run, then no process printed the API key', () => {
    const secret = KEY.slice('sk-ant-'.length);
    for (const proc of [coordinator, ...shards.values()]) assert.ok(!proc.output().includes(secret), `${proc.name} printed the key`);
  });
});
