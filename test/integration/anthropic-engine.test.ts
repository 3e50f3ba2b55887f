/**
 * The Claude engine and the synthesiser against a local Messages API server:
 * the real @anthropic-ai/sdk, pointed at it through baseURL, with caching,
 * scripted failures and a fake model that can cite the wrong line.
 */
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { UnrecoverableError } from 'bullmq';
import type { ShardReply } from '../../services/coordinator/domain/merge.js';
import { mergeReplies } from '../../services/coordinator/domain/merge.js';
import { Synthesizer } from '../../services/coordinator/domain/synthesis/synthesizer.js';
import type { DomainContext } from '../../services/shard/domain/domain-context.js';
import { DomainLoadError, loadDomainContext } from '../../services/shard/domain/load-domain.js';
import { AnthropicEngine, NOTHING_IN_DOMAIN, UNVERIFIED_PREFIX } from '../../services/shard/engines/anthropic/anthropic-engine.js';
import { buildSystemPrompt } from '../../services/shard/engines/anthropic/prompt.js';
import { REPLY_SCHEMA } from '../../services/shard/engines/anthropic/structured-output.js';
import { ConfigError } from '../../shared/config/errors.js';
import { parseLlmSettings, withApiKey, type LlmSettings } from '../../shared/llm/llm-settings.js';
import { createLogger } from '../../shared/log/logger.js';
import { createMetrics, type FleetMetrics } from '../../shared/metrics/registry.js';
import { bestPassage, parsePrompt, startFakeAnthropic, type FakeAnthropic } from '../helpers/fake-anthropic.js';
import { FIXTURE_CONTEXTS } from '../helpers/fleet-processes.js';

const KEY = 'sk-ant-test-integration-0123456789';
const CAPTAIN = 'Who is the captain of the schooner Albatross?';

interface Harness {
  engine: AnthropicEngine;
  metrics: FleetMetrics;
  logs: () => string;
}

describe('claude engine against a local Messages API', () => {
  let fake: FakeAnthropic;
  let harbor: DomainContext;

  before(async () => {
    fake = await startFakeAnthropic({ minCacheTokens: 256 });
    harbor = await loadDomainContext(FIXTURE_CONTEXTS, 'harbor', { maxTokens: 200_000 });
  });

  after(async () => {
    await fake?.stop();
  });

  function settings(env: Record<string, string> = {}): LlmSettings & { apiKey: string } {
    const s = parseLlmSettings({
      ANTHROPIC_API_KEY: KEY,
      ANTHROPIC_BASE_URL: fake.url,
      LLM_MODELS_JSON: JSON.stringify({ 'claude-haiku-5-5': { minCacheTokens: 256 } }),
      ...env,
    });
    return withApiKey(s, KEY);
  }

  async function engine(env: Record<string, string> = {}, ctx = harbor): Promise<Harness> {
    const out = new PassThrough();
    let text = '';
    out.on('data', (d: Buffer) => (text += d.toString()));
    const metrics = createMetrics('shard', { shard: ctx.domain });
    const log = createLogger({ service: 'shard', level: 'info', destination: out });
    const e = await AnthropicEngine.create({ ctx, settings: settings(env), model: 'claude-haiku-5-5', metrics, log, topTerms: () => [] });
    return { engine: e, metrics, logs: () => text };
  }

  async function counter(metrics: FleetMetrics, name: 'llmTokens' | 'citationsRejected' | 'llmCost', labels: Record<string, string>): Promise<number> {
    const m = await metrics[name].get();
    return m.values.find((v) => Object.entries(labels).every(([k, val]) => (v.labels as Record<string, string | number | undefined>)[k] === val))?.value ?? 0;
  }

  test('When a question is asked, then the request carries the numbered context as a cached system block and the question after it', async () => {
    fake.clearCache();
    const { engine: e } = await engine();
    const before = fake.messages().length;
    const answer = await e.answer({ question: CAPTAIN, topK: 3, conversation: [] });
    const sent = fake.messages().slice(before);
    assert.equal(sent.length, 1);
    const req = sent[0]!;
    assert.equal(req.headers.authorization, `Bearer ${KEY}`);
    assert.equal(req.body.model, 'claude-haiku-5-5');
    const system = req.body.system as { type: string; text: string; cache_control?: unknown }[];
    assert.equal(system.length, 1);
    assert.equal(system[0]!.text, buildSystemPrompt(harbor));
    assert.deepEqual(system[0]!.cache_control, { type: 'ephemeral', ttl: '5m' });
    assert.match(system[0]!.text, /^8\tHer captain, Ilse Varga, has sailed the coast route for nineteen years\.$/m);
    const last = req.body.messages.at(-1)!;
    assert.equal(last.role, 'user');
    assert.match(String(last.content), /<question>\nWho is the captain of the schooner Albatross\?\n<\/question>/);
    // Haiku 5.5 thinks by default (and the stand-in's thinking would fill 2,048 tokens): at effort low it is switched off.
    assert.deepEqual(req.body.output_config, { effort: 'low', format: { type: 'json_schema', schema: REPLY_SCHEMA } });
    assert.deepEqual(req.body.thinking, { type: 'disabled' });
    assert.equal(req.body.max_tokens, 2048);

    assert.deepEqual(answer.citations.map((c) => [c.source, c.line, c.endLine]), [['ships.txt', 7, 8]]);
    assert.match(answer.answer, /Ilse Varga/);
  });

  test('When a second question follows, then it reads the context from the cache: cheaper, and counted as cache reads', async () => {
    fake.clearCache();
    const { engine: e, metrics } = await engine();
    const first = await e.answer({ question: CAPTAIN, topK: 3, conversation: [] });
    const second = await e.answer({ question: 'When does the ferry to Gull Island run?', topK: 3, conversation: [] });
    assert.ok(first.usage.cacheWriteTokens > 256, JSON.stringify(first.usage));
    assert.equal(first.usage.cacheReadTokens, 0);
    assert.equal(second.usage.cacheWriteTokens, 0);
    assert.equal(second.usage.cacheReadTokens, first.usage.cacheWriteTokens);
    assert.ok(second.usage.costUsd < first.usage.costUsd, `${second.usage.costUsd} < ${first.usage.costUsd}`);
    assert.equal(await counter(metrics, 'llmTokens', { model: 'claude-haiku-5-5', kind: 'cache_read' }), second.usage.cacheReadTokens);
    assert.equal(await counter(metrics, 'llmTokens', { model: 'claude-haiku-5-5', kind: 'cache_write' }), first.usage.cacheWriteTokens);
    const cost = await counter(metrics, 'llmCost', { model: 'claude-haiku-5-5' });
    assert.ok(Math.abs(cost - (first.usage.costUsd + second.usage.costUsd)) < 1e-9);
    // Priced from the default table: 5-minute writes at $0.125/MTok, reads at $0.01/MTok (prompt under 100K tokens).
    const expectedFirst = (first.usage.inputTokens * 0.1 + first.usage.outputTokens * 0.5 + first.usage.cacheWriteTokens * 0.125) / 1e6;
    assert.ok(Math.abs(first.usage.costUsd - expectedFirst) < 1e-9);
  });

  test('When a note is written, then the folder block stays byte-identical and cached, the note follows behind a second breakpoint, and it can be cited', async () => {
    fake.clearCache();
    const { engine: e } = await engine();
    const first = await e.answer({ question: CAPTAIN, topK: 3, conversation: [] });
    const note = { source: 'notes/handover.md', lines: ['The harbour cat is called Admiral Whiskers and sleeps on the pilot boat.'], tokens: 18, written: { version: 1, expiresAt: null, writtenAt: Date.now() } };
    e.updateWritten({ upserted: [note], removed: [] });
    const before = fake.messages().length;
    const answer = await e.answer({ question: 'What is the harbour cat called?', topK: 3, conversation: [] });
    const system = fake.messages()[before]!.body.system as { text: string; cache_control?: unknown }[];
    assert.equal(system.length, 2);
    assert.equal(system[0]!.text, buildSystemPrompt(harbor));
    assert.deepEqual(system[0]!.cache_control, { type: 'ephemeral', ttl: '5m' });
    assert.deepEqual(system[1]!.cache_control, { type: 'ephemeral', ttl: '5m' });
    assert.match(system[1]!.text, /<source path="notes\/handover\.md" lines="1">\n1\tThe harbour cat is called Admiral Whiskers/);
    // The folder part is still read from the cache the first question wrote.
    assert.equal(answer.usage.cacheReadTokens, first.usage.cacheWriteTokens);
    assert.deepEqual(answer.citations.map((c) => [c.source, c.line]), [['notes/handover.md', 1]]);

    e.updateWritten({ upserted: [], removed: ['notes/handover.md'] });
    const after = fake.messages().length;
    await e.answer({ question: 'What is the harbour cat called?', topK: 3, conversation: [] });
    assert.equal((fake.messages()[after]!.body.system as unknown[]).length, 1);
  });

  test('When CACHE_TTL=1h, then the breakpoint asks for an hour and the write is priced as a 1-hour write', async () => {
    fake.clearCache();
    const { engine: e } = await engine({ CACHE_TTL: '1h' });
    const before = fake.messages().length;
    const answer = await e.answer({ question: CAPTAIN, topK: 3, conversation: [] });
    const system = fake.messages()[before]!.body.system as { cache_control?: unknown }[];
    assert.deepEqual(system[0]!.cache_control, { type: 'ephemeral', ttl: '1h' });
    const expected = (answer.usage.inputTokens * 0.1 + answer.usage.outputTokens * 0.5 + answer.usage.cacheWriteTokens * 0.2) / 1e6;
    assert.ok(Math.abs(answer.usage.costUsd - expected) < 1e-9);
  });

  test('When the model cites a wrong line, then the citation is dropped, counted, and the answer says it is unverified', async () => {
    const { engine: e, metrics, logs } = await engine();
    fake.respondWith((_body, parsed) => {
      const p = bestPassage(parsed)!;
      return JSON.stringify({ answer: p.text, citations: [{ source: p.source, line: p.line + 5, endLine: p.endLine + 5, quote: p.text, relevance: 0.9 }] });
    });
    try {
      const answer = await e.answer({ question: CAPTAIN, topK: 3, conversation: [] });
      assert.deepEqual(answer.citations, []);
      assert.ok(answer.answer.startsWith(UNVERIFIED_PREFIX), answer.answer);
      assert.match(answer.answer, /none of its 1 citation matched/);
      assert.equal(await counter(metrics, 'citationsRejected', { shard: 'harbor' }), 1);
      assert.match(logs(), /citations dropped/);
    } finally {
      fake.respondWith(undefined);
    }
  });

  test('When one citation is right and one is wrong, then only the right one leaves the shard', async () => {
    const { engine: e, metrics } = await engine();
    fake.respondWith((_body, parsed) => {
      const p = bestPassage(parsed)!;
      return JSON.stringify({
        // Each sentence names its citation; the second rests on the wrong one (see answer-check.ts).
        answer: 'Ilse Varga [1]. The captain is Ahab [2].',
        citations: [
          { source: p.source, line: p.line, endLine: p.endLine, quote: p.text, relevance: 0.9 },
          { source: 'ships.txt', line: 2, endLine: 2, quote: 'the captain is Ahab of the Pequod', relevance: 0.8 },
        ],
      });
    });
    try {
      const answer = await e.answer({ question: CAPTAIN, topK: 3, conversation: [] });
      assert.equal(answer.answer, 'Ilse Varga.');
      assert.deepEqual(answer.citations.map((c) => c.line), [7]);
      assert.equal(await counter(metrics, 'citationsRejected', { shard: 'harbor' }), 1);
    } finally {
      fake.respondWith(undefined);
    }
  });

  test('When nothing in the domain answers, then the shard says so with no citation', async () => {
    const { engine: e } = await engine();
    const answer = await e.answer({ question: 'zebra quantum xylophone', topK: 3, conversation: [] });
    assert.deepEqual(answer, { ...answer, answer: NOTHING_IN_DOMAIN, citations: [] });
  });

  test('When the API answers 429 and then 529, then the SDK backs off and retries, and the question is still answered', async () => {
    const { engine: e, logs } = await engine();
    const before = fake.messages().length;
    fake.failNext('messages', 429, 529);
    const answer = await e.answer({ question: CAPTAIN, topK: 3, conversation: [] });
    assert.deepEqual(fake.messages().slice(before).map((r) => r.status), [429, 529, 200]);
    assert.equal(answer.citations[0]?.line, 7);
    assert.match(logs(), /failed with status 429.*retrying/);
  });

  test('When the API keeps answering 529 past the retries, then the job fails as retryable with a clear message', async () => {
    const { engine: e } = await engine({ LLM_MAX_RETRIES: '1' });
    fake.failNext('messages', 529, 529);
    await assert.rejects(e.answer({ question: CAPTAIN, topK: 3, conversation: [] }), (err: unknown) => {
      assert.ok(err instanceof Error && !(err instanceof UnrecoverableError));
      assert.match(err.message, /overloaded \(529/);
      assert.match(err.message, /after 1 retry/);
      return true;
    });
  });

  test('When the API answers 401, then the engine fails at once, unrecoverably, naming ANTHROPIC_API_KEY and not the key', async () => {
    const { engine: e } = await engine();
    const before = fake.messages().length;
    fake.failNext('messages', 401);
    await assert.rejects(e.answer({ question: CAPTAIN, topK: 3, conversation: [] }), (err: unknown) => {
      assert.ok(err instanceof UnrecoverableError, String(err));
      assert.match(err.message, /rejected the API key \(401 authentication_error/);
      assert.match(err.message, /check ANTHROPIC_API_KEY; not retried/);
      assert.ok(!err.message.includes(KEY));
      return true;
    });
    assert.equal(fake.messages().length - before, 1, 'a 401 is not retried');
  });

  test('When the key is refused at start-up, then the engine is not built and the error is a configuration error', async () => {
    fake.failNext('count_tokens', 401);
    await assert.rejects(engine(), (err: unknown) => err instanceof ConfigError && /ANTHROPIC_API_KEY was refused/.test(err.message));
  });

  test('When counting tokens fails for another reason, then start-up goes on with the offline estimate', async () => {
    fake.failNext('count_tokens', 500, 500, 500, 500);
    const { engine: e, logs } = await engine({ LLM_MAX_RETRIES: '0' });
    assert.equal(e.prefix.countedTokens, undefined);
    assert.ok(e.prefix.estimatedTokens > 0);
    assert.match(logs(), /offline estimate/);
  });

  test('When the domain does not fit the model window, then the shard refuses it with the numbers', async () => {
    await assert.rejects(engine({ LLM_MODELS_JSON: JSON.stringify({ 'claude-haiku-5-5': { contextWindow: 2_000 } }) }), (err: unknown) => {
      assert.ok(err instanceof DomainLoadError && err.code === 'over_budget');
      assert.match(err.message, /does not fit claude-haiku-5-5/);
      assert.match(err.message, /2,000-token window/);
      return true;
    });
  });

  test('When the context is under the model minimum cacheable length, then the log says it cannot be cached', async () => {
    const { engine: e, logs } = await engine({ LLM_MODELS_JSON: JSON.stringify({ 'claude-haiku-5-5': { minCacheTokens: 4_096 } }) });
    assert.equal(e.prefix.cacheable, false);
    assert.match(logs(), /context too short to cache: \d+ tokens is under claude-haiku-5-5's minimum cacheable prefix of 4096/);
  });

  test('When several questions arrive together on a cold cache, then one call writes the prefix and the others read it', async () => {
    // A slow API: a cache entry is readable only after the call that wrote it answered.
    const slow = await startFakeAnthropic({ minCacheTokens: 256, latencyMs: 100 });
    try {
      const e = await AnthropicEngine.create({
        ctx: harbor,
        settings: withApiKey({ ...settings(), baseURL: slow.url }, KEY),
        model: 'claude-haiku-5-5',
        metrics: createMetrics('shard'),
        log: createLogger({ service: 'shard', level: 'silent' }),
        topTerms: () => [],
      });
      const answers = await Promise.all(
        [CAPTAIN, 'When does the ferry to Gull Island run?', 'What was hidden inside the oranges?'].map((question) => e.answer({ question, topK: 3, conversation: [] })),
      );
      const writes = answers.filter((a) => a.usage.cacheWriteTokens > 0);
      const reads = answers.filter((a) => a.usage.cacheReadTokens > 0);
      assert.equal(writes.length, 1, JSON.stringify(answers.map((a) => a.usage)));
      assert.equal(reads.length, 2);
    } finally {
      await slow.stop();
    }
  });

  test('When the first call on a cold cache fails, then the questions waiting behind it still get answered', async () => {
    fake.clearCache();
    const { engine: e } = await engine({ LLM_MAX_RETRIES: '0' });
    fake.failNext('messages', 401);
    const results = await Promise.allSettled([CAPTAIN, 'When does the ferry to Gull Island run?'].map((question) => e.answer({ question, topK: 3, conversation: [] })));
    assert.deepEqual(results.map((r) => r.status), ['rejected', 'fulfilled']);
  });

  test('When the prompt is the same on two replicas, then they share one cache entry', async () => {
    fake.clearCache();
    const a = await engine();
    const b = await engine();
    assert.equal(a.engine.prefix.sha256, b.engine.prefix.sha256);
    const first = await a.engine.answer({ question: CAPTAIN, topK: 3, conversation: [] });
    const second = await b.engine.answer({ question: CAPTAIN, topK: 3, conversation: [] });
    assert.ok(first.usage.cacheWriteTokens > 0);
    assert.equal(second.usage.cacheReadTokens, first.usage.cacheWriteTokens);
  });

  describe('synthesis', () => {
    const replies = (): ShardReply[] => [
      {
        outcome: { shard: 'harbor', status: 'ok', latencyMs: 5 },
        result: {
          queryId: 'q_synthtest0001',
          shard: 'harbor',
          replica: 'r1',
          engine: 'anthropic',
          answer: 'Ilse Varga is the captain.',
          citations: [{ source: 'ships.txt', line: 7, endLine: 8, text: 'The schooner Albatross…\nHer captain, Ilse Varga…', score: 1 }],
          usage: { inputTokens: 40, outputTokens: 90, cacheReadTokens: 700, cacheWriteTokens: 0, costUsd: 0.0001 },
          timings: { queueWaitMs: 1, engineMs: 10 },
        },
      },
    ];
    const synthesizer = () =>
      new Synthesizer({ settings: settings(), model: 'claude-sonnet-5-5', metrics: createMetrics('coordinator'), log: createLogger({ service: 'coordinator', level: 'silent' }) });

    test('When the synthesiser cites a given passage, then its answer replaces the merge, tagged, with its usage', async () => {
      fake.respondWith((body) => {
        assert.match(parsePrompt(body).userText, /<passage n="1" cite="harbor\/ships\.txt:7-8">/);
        return 'The Albatross is captained by Ilse Varga [1].';
      });
      try {
        const merged = mergeReplies(replies(), { topK: 5 });
        const out = await synthesizer().synthesize(CAPTAIN, merged, replies());
        assert.deepEqual(out.info, { model: 'claude-sonnet-5-5', status: 'ok' });
        assert.equal(out.answer, 'The Albatross is captained by Ilse Varga [harbor/ships.txt:7-8].');
        assert.ok(out.usage.inputTokens > 0 && out.usage.costUsd > 0);
      } finally {
        fake.respondWith(undefined);
      }
    });

    test('When the synthesiser cites a passage that does not exist, then the merged answer stands and the response says why', async () => {
      fake.respondWith(() => 'Ilse Varga [1], built in 1820 [4].');
      try {
        const merged = mergeReplies(replies(), { topK: 5 });
        const out = await synthesizer().synthesize(CAPTAIN, merged, replies());
        assert.equal(out.info.status, 'rejected');
        assert.match(out.info.detail ?? '', /passage 4/);
        assert.equal(out.answer, merged.answer);
        assert.ok(out.usage.outputTokens > 0, 'the refused call still cost tokens and is reported');
      } finally {
        fake.respondWith(undefined);
      }
    });

    test('When the synthesis call fails, then the merged answer stands with the error', async () => {
      fake.failNext('messages', 401);
      const merged = mergeReplies(replies(), { topK: 5 });
      const out = await synthesizer().synthesize(CAPTAIN, merged, replies());
      assert.equal(out.info.status, 'error');
      assert.match(out.info.detail ?? '', /401/);
      assert.equal(out.answer, merged.answer);
    });
  });
});
