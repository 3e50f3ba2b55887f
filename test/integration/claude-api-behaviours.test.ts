/**
 * The Claude engine and the synthesiser against the Messages API as the
 * platform documentation describes it (test/helpers/fake-anthropic.ts): one
 * test per documented behaviour the engine depends on. The real SDK talks to
 * the stand-in through baseURL.
 */
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { UnrecoverableError } from 'bullmq';
import type { ShardReply } from '../../services/coordinator/domain/merge.js';
import { mergeReplies } from '../../services/coordinator/domain/merge.js';
import { Synthesizer } from '../../services/coordinator/domain/synthesis/synthesizer.js';
import type { DomainContext } from '../../services/shard/domain/domain-context.js';
import { loadDomainContext } from '../../services/shard/domain/load-domain.js';
import { AnthropicEngine, UNVERIFIED_PREFIX } from '../../services/shard/engines/anthropic/anthropic-engine.js';
import { REPLY_SCHEMA_JSON } from '../../services/shard/engines/anthropic/structured-output.js';
import { ConfigError } from '../../shared/config/errors.js';
import { parseLlmSettings, withApiKey, type LlmSettings } from '../../shared/llm/llm-settings.js';
import { THINKING_ROOM } from '../../shared/llm/thinking-policy.js';
import { createLogger } from '../../shared/log/logger.js';
import { createMetrics } from '../../shared/metrics/registry.js';
import { startFakeAnthropic, wordOverlapResponder, type FakeAnthropic } from '../helpers/fake-anthropic.js';
import { FIXTURE_CONTEXTS } from '../helpers/fleet-processes.js';

const KEY = 'sk-ant-test-behaviours-0123456789';
const CAPTAIN = 'Who is the captain of the schooner Albatross?';
/** A model id the table does not know: no structured outputs, so the prompt and the fallback parser. */
const LEGACY = 'claude-legacy-json';

describe('claude engine against the documented Messages API', () => {
  let fake: FakeAnthropic;
  let harbor: DomainContext;

  before(async () => {
    fake = await startFakeAnthropic({
      minCacheTokens: 256,
      models: { [LEGACY]: { efforts: [], thinking: 'off', manualThinking: true, structuredOutputs: false } },
    });
    harbor = await loadDomainContext(FIXTURE_CONTEXTS, 'harbor', { maxTokens: 200_000 });
  });

  after(async () => {
    await fake?.stop();
  });

  function settings(env: Record<string, string> = {}): LlmSettings & { apiKey: string } {
    const models = { 'claude-haiku-5-5': { minCacheTokens: 256 }, 'claude-opus-5-5': { minCacheTokens: 256 }, 'claude-sonnet-4-6': { minCacheTokens: 256 }, [LEGACY]: { minCacheTokens: 256 } };
    const s = parseLlmSettings({ ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: fake.url, LLM_MODELS_JSON: JSON.stringify(models), ...env });
    return withApiKey(s, KEY);
  }

  async function engine(model = 'claude-haiku-5-5', env: Record<string, string> = {}) {
    const out = new PassThrough();
    let text = '';
    out.on('data', (d: Buffer) => (text += d.toString()));
    const log = createLogger({ service: 'shard', level: 'info', destination: out });
    const e = await AnthropicEngine.create({ ctx: harbor, settings: settings(env), model, metrics: createMetrics('shard', { shard: 'harbor' }), log, topTerms: () => [] });
    return { engine: e, logs: () => text };
  }

  /** Runs `fn` with a clean rule table and cache, and leaves them clean. */
  async function scenario(fn: () => Promise<void>): Promise<void> {
    fake.clearRules();
    fake.clearCache();
    try {
      await fn();
    } finally {
      fake.clearRules();
      fake.respondWith(undefined);
    }
  }

  const ask = (e: AnthropicEngine) => e.answer({ question: CAPTAIN, topK: 3, conversation: [] });
  const since = (n: number) => fake.messages().slice(n);

  describe('thinking', () => {
    test('When a model that thinks by default may switch it off (Haiku 5.5 at effort low), then it does, and the answer is verified', () =>
      scenario(async () => {
        const { engine: e } = await engine('claude-haiku-5-5');
        const n = fake.messages().length;
        const a = await ask(e);
        const [req] = since(n);
        assert.deepEqual(req!.body.thinking, { type: 'disabled' });
        assert.deepEqual(req!.blocks, ['text']);
        assert.equal(req!.stopReason, 'end_turn');
        assert.equal(a.citations[0]?.line, 7);
      }));

    test('When thinking stays on (Opus 5.5 cannot switch it off), then max_tokens leaves room after it: thinking block first, answer verified', () =>
      scenario(async () => {
        const { engine: e } = await engine('claude-opus-5-5');
        const n = fake.messages().length;
        const a = await ask(e);
        const [req] = since(n);
        assert.equal(req!.body.thinking, undefined, 'Opus 5.5 answers 400 to thinking disabled: nothing is sent');
        assert.equal(req!.body.max_tokens, 2_048 + THINKING_ROOM.low);
        assert.deepEqual(req!.blocks, ['thinking', 'text']);
        assert.ok(req!.usage!.output_tokens > 2_048, 'thinking tokens counted toward max_tokens and output');
        assert.equal(a.citations[0]?.line, 7);
      }));

    test('When Haiku 5.5 runs at xhigh (where disabling is a 400), then thinking stays on with room for it', () =>
      scenario(async () => {
        const { engine: e } = await engine('claude-haiku-5-5', { LLM_EFFORT: 'xhigh' });
        const n = fake.messages().length;
        const a = await ask(e);
        const [req] = since(n);
        assert.equal(req!.status, 200);
        assert.equal(req!.body.thinking, undefined);
        assert.equal(req!.body.max_tokens, 2_048 + THINKING_ROOM.xhigh);
        assert.deepEqual(req!.blocks, ['thinking', 'text']);
        assert.ok(a.citations.length > 0);
      }));

    test('When the stand-in is asked to disable thinking where the model does not allow it, then it answers 400, as documented', async () => {
      for (const [model, effort] of [['claude-opus-5-5', 'low'], ['claude-haiku-5-5', 'max']] as const) {
        const res = await fetch(`${fake.url}/v1/messages`, {
          method: 'POST',
          headers: { 'x-api-key': KEY, 'content-type': 'application/json' },
          body: JSON.stringify({ model, max_tokens: 100, thinking: { type: 'disabled' }, output_config: { effort }, messages: [{ role: 'user', content: 'hi' }] }),
        });
        assert.equal(res.status, 400, `${model} at ${effort}`);
      }
    });

    test('When thinking fills max_tokens, then the reply is asked again once with twice the room, and the usage adds both calls', () =>
      scenario(async () => {
        const { engine: e } = await engine('claude-opus-5-5');
        fake.addRule({ model: 'claude-opus-5-5', times: 1, then: { thinkingTokens: 5_000 } });
        const n = fake.messages().length;
        const a = await ask(e);
        const sent = since(n);
        assert.equal(sent.length, 2);
        assert.equal(sent[0]!.stopReason, 'max_tokens');
        assert.deepEqual(sent[0]!.blocks, ['thinking'], 'the first reply was all thinking: no text at all');
        assert.equal(sent[1]!.body.max_tokens, 2 * sent[0]!.body.max_tokens!);
        assert.equal(sent[1]!.stopReason, 'end_turn');
        assert.equal(a.citations[0]?.line, 7);
        assert.equal(a.usage.outputTokens, sent[0]!.usage!.output_tokens + sent[1]!.usage!.output_tokens);
      }));

    test('When the reply is cut at max_tokens again after the retry, then the job fails, unrecoverably, naming LLM_MAX_TOKENS', () =>
      scenario(async () => {
        const { engine: e } = await engine('claude-opus-5-5');
        fake.addRule({ model: 'claude-opus-5-5', then: { thinkingTokens: 100_000 } });
        const n = fake.messages().length;
        await assert.rejects(ask(e), (err: unknown) => err instanceof UnrecoverableError && /cut at max_tokens=8192/.test(err.message) && /raise LLM_MAX_TOKENS \(now 2048\)/.test(err.message));
        assert.equal(since(n).length, 2, 'one retry, no more');
      }));
  });

  describe('stop reasons', () => {
    test('When the model refuses (stop_reason refusal), then the answer says so and carries no citation', () =>
      scenario(async () => {
        const { engine: e } = await engine();
        fake.addRule({ then: { stopReason: 'refusal' } });
        const a = await ask(e);
        assert.equal(a.citations.length, 0);
        assert.match(a.answer, new RegExp(`^${UNVERIFIED_PREFIX}: the model declined`));
      }));

    test('When the context window fills (stop_reason model_context_window_exceeded), then the job fails with what to do', () =>
      scenario(async () => {
        const { engine: e } = await engine();
        fake.addRule({ then: { stopReason: 'model_context_window_exceeded' } });
        await assert.rejects(ask(e), (err: unknown) => err instanceof UnrecoverableError && /model_context_window_exceeded/.test(err.message) && /split domain "harbor"/.test(err.message));
      }));
  });

  describe('rate and spend limits', () => {
    test('When a 429 carries the spend-limit error code, then the engine fails at once, unrecoverably, saying the account limit was reached', () =>
      scenario(async () => {
        const { engine: e } = await engine('claude-haiku-5-5', { LLM_MAX_RETRIES: '3' });
        for (const code of ['enforced_spend_limit_reached', 'contract_spend_limit_reached']) {
          fake.clearRules();
          fake.addRule({ then: { status: 429, errorCode: code, retryAfterS: 0 } });
          const n = fake.messages().length;
          await assert.rejects(
            ask(e),
            (err: unknown) => err instanceof UnrecoverableError && /spend limit was reached/.test(err.message) && err.message.includes(code) && /not retried/.test(err.message),
          );
          assert.equal(since(n).length, 1, `${code}: the SDK must not retry a spend-limit 429`);
        }
      }));

    test('When a 429 carries retry-after (seconds), then the SDK waits, retries and the question is answered', () =>
      scenario(async () => {
        const { engine: e } = await engine('claude-haiku-5-5', { LLM_MAX_RETRIES: '2' });
        fake.addRule({ times: 1, then: { status: 429, retryAfterS: 0.05 } });
        const n = fake.messages().length;
        const a = await ask(e);
        const sent = since(n);
        assert.deepEqual(sent.map((r) => r.status), [429, 200]);
        assert.equal(a.citations[0]?.line, 7);
      }));

    test('When the API is overloaded (529) past the retries, then the job fails as retryable', () =>
      scenario(async () => {
        const { engine: e } = await engine('claude-haiku-5-5', { LLM_MAX_RETRIES: '1' });
        fake.addRule({ then: { status: 529 } });
        await assert.rejects(ask(e), (err: unknown) => err instanceof Error && !(err instanceof UnrecoverableError) && /overloaded \(529/.test(err.message));
      }));
  });

  describe('effort', () => {
    test('When LLM_EFFORT names a level the model does not take, then the shard refuses at start-up, before any question is sent', () =>
      scenario(async () => {
        const n = fake.messages().length;
        await assert.rejects(engine('claude-sonnet-4-6', { LLM_EFFORT: 'xhigh' }), (err: unknown) => err instanceof ConfigError && /LLM_EFFORT=xhigh is not accepted by SHARD_MODEL=claude-sonnet-4-6, which takes low, medium, high, max/.test(err.message));
        assert.equal(since(n).length, 0);
      }));

    test('When a level the model takes is set, then it is sent; and the stand-in answers 400 to one it does not take', () =>
      scenario(async () => {
        const { engine: e } = await engine('claude-sonnet-4-6', { LLM_EFFORT: 'max' });
        const n = fake.messages().length;
        await ask(e);
        assert.equal(since(n)[0]!.body.output_config?.effort, 'max');
        // A wrong table row (xhigh claimed for Sonnet 4.6) meets the API's 400, not retried.
        const wrong = await engine('claude-sonnet-4-6', { LLM_EFFORT: 'xhigh', LLM_MODELS_JSON: JSON.stringify({ 'claude-sonnet-4-6': { efforts: ['low', 'xhigh'], minCacheTokens: 256 } }) });
        const m = fake.messages().length;
        await assert.rejects(ask(wrong.engine), (err: unknown) => err instanceof UnrecoverableError && /400/.test(err.message) && /not supported by claude-sonnet-4-6/.test(err.message));
        assert.equal(since(m).length, 1);
      }));

    test('When the model takes no effort (Haiku 4.5), then none is sent and the shard starts', () =>
      scenario(async () => {
        const { engine: e, logs } = await engine('claude-haiku-4-5');
        const n = fake.messages().length;
        await ask(e);
        assert.equal(since(n)[0]!.body.output_config?.effort, undefined);
        assert.match(logs(), /LLM_EFFORT=low is not sent: claude-haiku-4-5 accepts no effort level/);
      }));
  });

  describe('structured outputs', () => {
    test('When the model takes structured outputs, then every question sends the same schema bytes and the cache still hits', () =>
      scenario(async () => {
        const { engine: e } = await engine();
        const n = fake.messages().length;
        await ask(e);
        await e.answer({ question: 'When does the ferry to Gull Island run?', topK: 3, conversation: [] });
        const [a, b] = since(n);
        assert.ok(a!.raw.includes(`"format":{"type":"json_schema","schema":${REPLY_SCHEMA_JSON}}`));
        assert.ok(b!.raw.includes(`"format":{"type":"json_schema","schema":${REPLY_SCHEMA_JSON}}`));
        assert.ok(a!.usage!.cache_creation_input_tokens > 0);
        assert.equal(b!.usage!.cache_read_input_tokens, a!.usage!.cache_creation_input_tokens);
      }));

    test('When the model has no structured outputs, then no format is sent and the parser still reads JSON wrapped in chatter', () =>
      scenario(async () => {
        const { engine: e } = await engine(LEGACY);
        fake.addRule({ model: LEGACY, then: { chatter: true } });
        const n = fake.messages().length;
        const a = await ask(e);
        const [req] = since(n);
        assert.equal(req!.body.output_config?.format, undefined);
        assert.equal(req!.status, 200);
        assert.equal(a.citations[0]?.line, 7);
      }));

    test('When the stand-in gets a format for a model without structured outputs, then it answers 400', async () => {
      const res = await fetch(`${fake.url}/v1/messages`, {
        method: 'POST',
        headers: { 'x-api-key': KEY, 'content-type': 'application/json' },
        body: JSON.stringify({ model: LEGACY, max_tokens: 100, output_config: { format: { type: 'json_schema', schema: { type: 'object' } } }, messages: [{ role: 'user', content: 'hi' }] }),
      });
      assert.equal(res.status, 400);
    });
  });

  describe('cost and cache at start-up', () => {
    test('When the shard starts, then its prefix is counted with count_tokens and its price band is told', () =>
      scenario(async () => {
        const n = fake.requests.length;
        const { engine: e } = await engine();
        const counted = fake.requests.slice(n).filter((r) => r.endpoint === 'count_tokens');
        assert.equal(counted.length, 1);
        const cost = e.prefixCost();
        assert.equal(cost.countedBy, 'count_tokens API');
        assert.equal(cost.prefixTokens, e.prefix.countedTokens);
        assert.deepEqual({ band: cost.priceBand, edge: cost.bandEdgeTokens, shrink: cost.shrinkTokens }, { band: 'standard', edge: 100_000, shrink: undefined });
      }));

    test('When a domain is just over a band edge, then the log says it pays the long-prompt rates and how far it would have to shrink', () =>
      scenario(async () => {
        // The fixture domain is small: put the edge 300 tokens under its prefix.
        const probe = await engine();
        const tokens = probe.engine.prefixCost().prefixTokens;
        const prices = { 'claude-haiku-5-5': { longPrompt: { aboveTokens: tokens - 300, input: 0.5, output: 2.5, cacheWrite5m: 0.625, cacheWrite1h: 1, cacheRead: 0.05 } } };
        const { engine: e, logs } = await engine('claude-haiku-5-5', { LLM_PRICES_JSON: JSON.stringify(prices) });
        const cost = e.prefixCost();
        assert.equal(cost.priceBand, 'long prompt');
        assert.equal(cost.shrinkTokens, 300 + 2_000);
        assert.match(logs(), /billed at claude-haiku-5-5's long-prompt rates \(5× the input price/);
        assert.match(logs(), /Shrinking the domain by about 2,300 tokens/);
      }));

    test('When the engine warms its prefix, then one max_tokens 0 call writes it and the first real question reads it', () =>
      scenario(async () => {
        const { engine: e } = await engine();
        const n = fake.messages().length;
        const warm = await e.warm();
        const a = await ask(e);
        const [w, q] = since(n);
        assert.equal(w!.body.max_tokens, 0);
        assert.deepEqual(w!.blocks, []);
        assert.equal(w!.usage!.output_tokens, 0);
        assert.ok(warm.cacheWriteTokens > 0);
        assert.equal(q!.usage!.cache_creation_input_tokens, 0);
        assert.equal(a.usage.cacheReadTokens, warm.cacheWriteTokens);
        assert.equal(w!.raw.includes(REPLY_SCHEMA_JSON) && JSON.stringify(w!.body.thinking) === JSON.stringify(q!.body.thinking), true, 'the warm-up sends what a question sends before its messages');
      }));
  });

  describe('synthesis', () => {
    const replies = (): ShardReply[] => [
      {
        outcome: { shard: 'harbor', status: 'ok', latencyMs: 5 },
        result: {
          queryId: 'q_synthtest0002',
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
    const synthesizer = (env: Record<string, string> = {}) =>
      new Synthesizer({ settings: settings(env), model: 'claude-sonnet-5-5', metrics: createMetrics('coordinator'), log: createLogger({ service: 'coordinator', level: 'silent' }) });

    test('When the synthesis is cut at max_tokens with valid markers, then it is not used: the merge stands, naming LLM_MAX_TOKENS', () =>
      scenario(async () => {
        fake.respondWith(() => 'Ilse Varga [1]. '.repeat(400));
        fake.addRule({ model: 'claude-sonnet-5-5', then: { thinkingTokens: 3_000 } });
        const merged = mergeReplies(replies(), { topK: 5 });
        const out = await synthesizer().synthesize(CAPTAIN, merged, replies());
        assert.equal(out.info.status, 'error');
        assert.match(out.info.detail ?? '', /cut at max_tokens=4096 \(2048 for thinking\).*raise LLM_MAX_TOKENS/);
        assert.equal(out.answer, merged.answer);
        assert.ok(out.usage.outputTokens > 0);
      }));

    test('When the synthesis is refused or fills the context window, then the merge stands and the response says which', () =>
      scenario(async () => {
        fake.respondWith(() => 'Ilse Varga [1].');
        const merged = mergeReplies(replies(), { topK: 5 });
        fake.addRule({ times: 1, then: { stopReason: 'refusal' } });
        const refused = await synthesizer().synthesize(CAPTAIN, merged, replies());
        assert.deepEqual([refused.info.status, refused.answer], ['rejected', merged.answer]);
        assert.match(refused.info.detail ?? '', /declined/);
        fake.addRule({ times: 1, then: { stopReason: 'model_context_window_exceeded' } });
        const full = await synthesizer().synthesize(CAPTAIN, merged, replies());
        assert.deepEqual([full.info.status, full.answer], ['error', merged.answer]);
        assert.match(full.info.detail ?? '', /model_context_window_exceeded/);
      }));

    test('When LLM_EFFORT is a level SYNTH_MODEL does not take, then the synthesiser is refused at start-up', () => {
      assert.throws(
        () => new Synthesizer({ settings: settings({ LLM_EFFORT: 'xhigh' }), model: 'claude-sonnet-4-6', metrics: createMetrics('coordinator'), log: createLogger({ service: 'coordinator', level: 'silent' }) }),
        (err: unknown) => err instanceof ConfigError && /SYNTH_MODEL=claude-sonnet-4-6/.test(err.message),
      );
    });

    test('When the synthesis model thinks by default, then it gets room for it and the word-overlap stand-in still answers', () =>
      scenario(async () => {
        fake.respondWith(wordOverlapResponder);
        const n = fake.messages().length;
        await synthesizer().synthesize(CAPTAIN, mergeReplies(replies(), { topK: 5 }), replies());
        assert.equal(since(n)[0]!.body.max_tokens, 2_048 + THINKING_ROOM.low);
      }));
  });
});
