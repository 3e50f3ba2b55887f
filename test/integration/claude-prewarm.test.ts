/**
 * Cache warm-up of a cold Claude fleet (services/shard/worker/prewarm.ts):
 * 5 domains × 2 replicas, each replica its own engine and its own Redis
 * connection, over a real Redis and the Messages API stand-in (which, like
 * the API, lets a cache entry be read only once the call that wrote it has
 * answered). The stand-in counts cache writes per prefix.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { loadDomainContext } from '../../services/shard/domain/load-domain.js';
import { AnthropicEngine } from '../../services/shard/engines/anthropic/anthropic-engine.js';
import type { WarmTarget } from '../../services/shard/engines/engine.js';
import { prewarm, warmKeys, warmMarkMs } from '../../services/shard/worker/prewarm.js';
import { parseLlmSettings, withApiKey } from '../../shared/llm/llm-settings.js';
import { createLogger } from '../../shared/log/logger.js';
import { createMetrics } from '../../shared/metrics/registry.js';
import { startFakeAnthropic, type FakeAnthropic } from '../helpers/fake-anthropic.js';
import { startRedis, type RedisHandle } from '../helpers/redis-server.js';

const KEY = 'sk-ant-test-prewarm-0123456789';
const DOMAINS = ['alpha', 'bravo', 'charlie', 'delta', 'echo'];
const REPLICAS = 2;

describe('cache warm-up of a cold fleet (5 domains × 2 replicas)', () => {
  let redis: RedisHandle;
  let fake: FakeAnthropic;
  let dir: string;
  const conns: Redis[] = [];

  before(async () => {
    redis = await startRedis();
    // 400 ms a call: concurrent cold calls overlap (even on a loaded machine), so each writes the prefix, as on the API.
    fake = await startFakeAnthropic({ minCacheTokens: 256, latencyMs: 400 });
    dir = await mkdtemp(path.join(tmpdir(), 'memfleet-prewarm-'));
    for (const d of DOMAINS) {
      await mkdir(path.join(dir, d));
      const lines = Array.from({ length: 60 }, (_, i) => `In ${d}, record ${i + 1} says the lighthouse keeper logged ${i * 7} ships that week.`);
      await writeFile(path.join(dir, d, 'log.txt'), `${lines.join('\n')}\n`);
    }
  });

  after(async () => {
    await Promise.all(conns.map((c) => c.quit().catch(() => undefined)));
    await fake?.stop();
    await redis?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const settings = () =>
    withApiKey(
      parseLlmSettings({ ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: fake.url, LLM_MODELS_JSON: JSON.stringify({ 'claude-haiku-5-5': { minCacheTokens: 256 } }) }),
      KEY,
    );
  const silent = () => createLogger({ service: 'shard', level: 'silent' });

  async function coldFleet(): Promise<{ domain: string; engine: AnthropicEngine }[]> {
    const fleet: { domain: string; engine: AnthropicEngine }[] = [];
    for (const domain of DOMAINS) {
      const ctx = await loadDomainContext(dir, domain, { maxTokens: 200_000 });
      for (let r = 0; r < REPLICAS; r++) {
        const engine = await AnthropicEngine.create({ ctx, settings: settings(), model: 'claude-haiku-5-5', metrics: createMetrics('shard', { shard: domain }), log: silent(), topTerms: () => [] });
        fleet.push({ domain, engine });
      }
    }
    return fleet;
  }

  function connection(): Redis {
    const c = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    conns.push(c);
    return c;
  }

  const question = (domain: string) => ({ question: `What did the ${domain} lighthouse keeper log in record 3?`, topK: 3, conversation: [] });

  test('When a cold fleet takes its first questions without warm-up, then both replicas of each domain write its prefix: 10 writes', async () => {
    fake.clearCache();
    const fleet = await coldFleet();
    const n = fake.messages().length;
    await Promise.all(fleet.map(({ domain, engine }) => engine.answer(question(domain))));
    const writes = fake.messages().slice(n).filter((r) => r.usage!.cache_creation_input_tokens > 0).length;
    assert.equal(writes, 10);
  });

  test('When the same cold fleet warms up first, then each prefix is written once (5, not 10), at most 2 at a time, and every first question reads the cache', async () => {
    fake.clearCache();
    const fleet = await coldFleet();
    const prefix = `${redis.prefix}:warm1`;
    let inFlight = 0;
    let peak = 0;
    const counted = (t: WarmTarget): WarmTarget => ({
      ...t,
      warm: async (signal) => {
        peak = Math.max(peak, ++inFlight);
        try {
          return await t.warm(signal);
        } finally {
          inFlight--;
        }
      },
    });
    const n = fake.messages().length;
    const outcomes = await Promise.all(
      fleet.map(({ domain, engine }) => prewarm(counted(engine.warmTarget()), { redis: connection(), prefix, domain, timeoutMs: 10_000, concurrency: 2, log: silent(), pollMs: 20 })),
    );
    const warmCalls = fake.messages().slice(n);
    assert.equal(warmCalls.length, 5, 'one warm-up call per prefix');
    assert.ok(warmCalls.every((r) => r.body.max_tokens === 0 && r.usage!.cache_creation_input_tokens > 0));
    assert.equal(new Set(warmCalls.map((r) => JSON.stringify(r.body.system))).size, 5, 'one per domain');
    assert.deepEqual(outcomes.map((o) => o.status), Array(10).fill('warmed'));
    assert.equal(outcomes.filter((o) => o.status === 'warmed' && o.by === 'this replica').length, 5);
    assert.ok(peak <= 2, `at most CLAUDE_WARMUP_CONCURRENCY=2 warm-ups in flight, saw ${peak}`);

    const m = fake.messages().length;
    const answers = await Promise.all(fleet.map(({ domain, engine }) => engine.answer(question(domain))));
    const first = fake.messages().slice(m);
    assert.equal(first.length, 10);
    assert.ok(first.every((r) => r.usage!.cache_creation_input_tokens === 0 && r.usage!.cache_read_input_tokens > 0), 'every first question reads the cache');
    assert.ok(answers.every((a) => a.citations.length > 0));
    const total = [...fake.cacheWrites().values()];
    assert.ok(total.length >= 5);
  });

  test('When a peer holds the warm-up lock and never finishes, then the replica takes questions after the timeout, with a warning', async () => {
    const { domain, engine } = (await coldFleet())[0]!;
    const prefix = `${redis.prefix}:warm2`;
    const target = engine.warmTarget();
    const c = connection();
    await c.set(warmKeys(prefix, target.model, target.prefixSha).lock, 'someone-else', 'PX', 60_000);
    const out = new PassThrough();
    let logs = '';
    out.on('data', (d: Buffer) => (logs += d.toString()));
    const n = fake.messages().length;
    const outcome = await prewarm(target, { redis: c, prefix, domain, timeoutMs: 300, concurrency: 2, log: createLogger({ service: 'shard', level: 'info', destination: out }), pollMs: 20 });
    assert.equal(outcome.status, 'timeout');
    assert.equal(fake.messages().length, n, 'no warm-up call while another replica holds the lock');
    assert.match(logs, /not warm after CLAUDE_WARMUP_TIMEOUT_MS=300: taking questions anyway/);
  });

  test('When the warm-up call fails, then the replica takes questions anyway, and releases the lock so a peer can warm', async () => {
    fake.clearCache();
    const [a, b] = await coldFleet();
    const prefix = `${redis.prefix}:warm3`;
    // Every attempt (the SDK retries 5xx) fails.
    fake.addRule({ when: (body) => (body.max_tokens ?? 0) <= 1, then: { status: 500 } });
    try {
      const failed = await prewarm(a!.engine.warmTarget(), { redis: connection(), prefix, domain: a!.domain, timeoutMs: 5_000, concurrency: 2, log: silent(), pollMs: 20 });
      assert.equal(failed.status, 'failed');
      fake.clearRules();
      const ok = await prewarm(b!.engine.warmTarget(), { redis: connection(), prefix, domain: b!.domain, timeoutMs: 5_000, concurrency: 2, log: silent(), pollMs: 20 });
      assert.deepEqual([ok.status, ok.status === 'warmed' && ok.by], ['warmed', 'this replica']);
    } finally {
      fake.clearRules();
    }
  });

  test('When the prefix is warm, then the mark lives a little shorter than the cache entry', () => {
    assert.equal(warmMarkMs('5m'), 4 * 60_000);
    assert.equal(warmMarkMs('1h'), 55 * 60_000);
  });
});
