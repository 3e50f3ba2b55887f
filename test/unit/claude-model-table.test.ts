/** The Claude model table and what is derived from it: effort levels, thinking and max_tokens, the reply schema, the price band. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { REPLY_SCHEMA_JSON, replyFormat } from '../../services/shard/engines/anthropic/structured-output.js';
import { ConfigError } from '../../shared/config/errors.js';
import { chooseEffort } from '../../shared/llm/effort.js';
import { DEFAULT_MODEL_LIMITS, limitsFor, parseModelTable, UNKNOWN_MODEL_LIMITS } from '../../shared/llm/model-limits.js';
import { NEAR_EDGE_TOKENS, priceBandOf } from '../../shared/llm/price-band.js';
import { DEFAULT_PRICES, parsePriceTable } from '../../shared/llm/pricing.js';
import { callShape, grow, THINKING_ROOM } from '../../shared/llm/thinking-policy.js';

const row = (m: string) => limitsFor(DEFAULT_MODEL_LIMITS, m).limits;

describe('model table', () => {
  test('When claude-sonnet-4-6 is looked up, then it takes effort up to max without xhigh and caches from 1,024 tokens (platform docs)', () => {
    const s = row('claude-sonnet-4-6');
    assert.deepEqual(s.efforts, ['low', 'medium', 'high', 'max']);
    assert.equal(s.minCacheTokens, 1_024);
    assert.deepEqual(row('claude-haiku-4-5').efforts, []);
    assert.deepEqual(row('claude-haiku-5-5').efforts, ['low', 'medium', 'high', 'xhigh', 'max']);
  });

  test('When LLM_MODELS_JSON sets efforts, thinking or structuredOutputs, then the row has them; the older supportsEffort still reads', () => {
    const t = parseModelTable('{"claude-haiku-5-5": {"efforts": ["low"], "thinking": "on"}, "my-model": {"supportsEffort": true, "structuredOutputs": true}, "old": {"supportsEffort": false}}');
    assert.deepEqual(limitsFor(t, 'claude-haiku-5-5').limits.efforts, ['low']);
    assert.equal(limitsFor(t, 'claude-haiku-5-5').limits.thinking, 'on');
    assert.deepEqual(limitsFor(t, 'my-model').limits.efforts, ['low', 'medium', 'high', 'xhigh', 'max']);
    assert.equal(limitsFor(t, 'my-model').limits.structuredOutputs, true);
    assert.deepEqual(limitsFor(t, 'old').limits.efforts, []);
    assert.throws(() => parseModelTable('{"m": {"efforts": ["extreme"]}}'), (e: unknown) => e instanceof ConfigError && /m\.efforts\.0/.test(e.message) && /low, medium, high, xhigh, max/.test(e.message));
    assert.throws(() => parseModelTable('{"m": {"thinking": "sometimes"}}'), (e: unknown) => e instanceof ConfigError && /m\.thinking/.test(e.message));
  });
});

describe('effort at start-up', () => {
  test('When LLM_EFFORT names a level the model does not take, then start-up is refused naming the levels it takes', () => {
    assert.throws(
      () => chooseEffort('xhigh', 'claude-sonnet-4-6', 'SHARD_MODEL', row('claude-sonnet-4-6')),
      (e: unknown) => e instanceof ConfigError && /LLM_EFFORT=xhigh is not accepted by SHARD_MODEL=claude-sonnet-4-6, which takes low, medium, high, max/.test(e.message) && /LLM_EFFORT=model/.test(e.message),
    );
    assert.deepEqual(chooseEffort('max', 'claude-sonnet-4-6', 'SHARD_MODEL', row('claude-sonnet-4-6')), { effort: 'max' });
  });

  test('When the model takes no effort at all, then none is sent and start-up goes on (LLM_EFFORT defaults to low)', () => {
    const c = chooseEffort('low', 'claude-haiku-4-5', 'SHARD_MODEL', row('claude-haiku-4-5'));
    assert.equal(c.effort, undefined);
    assert.match(c.note ?? '', /accepts no effort level/);
    assert.deepEqual(chooseEffort(undefined, 'claude-haiku-5-5', 'SHARD_MODEL', row('claude-haiku-5-5')), { effort: undefined });
  });
});

describe('thinking and max_tokens', () => {
  test('When Haiku 5.5 runs at effort low to high (or its default), then thinking is disabled and max_tokens is all answer', () => {
    for (const effort of ['low', 'medium', 'high', undefined] as const) {
      assert.deepEqual(callShape(row('claude-haiku-5-5'), effort, 2_048), { max_tokens: 2_048, thinking: { type: 'disabled' }, thinkingRoom: 0 });
    }
  });

  test('When Haiku 5.5 runs at xhigh or max, or the model cannot stop thinking, then max_tokens leaves room after a thinking budget', () => {
    assert.deepEqual(callShape(row('claude-haiku-5-5'), 'xhigh', 2_048), { max_tokens: 2_048 + THINKING_ROOM.xhigh, thinking: undefined, thinkingRoom: THINKING_ROOM.xhigh });
    assert.deepEqual(callShape(row('claude-opus-5-5'), 'low', 2_048), { max_tokens: 2_048 + THINKING_ROOM.low, thinking: undefined, thinkingRoom: THINKING_ROOM.low });
    assert.equal(callShape(row('claude-opus-5-5'), undefined, 2_048).max_tokens, 2_048 + THINKING_ROOM.high);
    // Capped at the model's output limit.
    assert.equal(callShape(row('claude-opus-5-5'), 'max', 120_000).max_tokens, 128_000);
  });

  test('When a model does not think unless asked, then nothing is sent and max_tokens is LLM_MAX_TOKENS', () => {
    assert.deepEqual(callShape(row('claude-sonnet-4-6'), 'low', 2_048), { max_tokens: 2_048, thinking: undefined, thinkingRoom: 0 });
    assert.deepEqual(callShape(UNKNOWN_MODEL_LIMITS, undefined, 2_048), { max_tokens: 2_048, thinking: undefined, thinkingRoom: 0 });
  });

  test('When a reply is cut at max_tokens, then the one retry gets twice the room, within the output limit, or none at the limit', () => {
    const limits = row('claude-opus-5-5');
    assert.equal(grow(callShape(limits, 'low', 2_048), limits)?.max_tokens, 8_192);
    assert.equal(grow({ max_tokens: 100_000, thinking: undefined, thinkingRoom: 0 }, limits)?.max_tokens, 128_000);
    assert.equal(grow({ max_tokens: 128_000, thinking: undefined, thinkingRoom: 0 }, limits), undefined);
    // Never past what the context window leaves after the prompt.
    assert.equal(grow(callShape(limits, 'low', 2_048), limits, 5_000)?.max_tokens, 5_000);
    assert.equal(grow(callShape(limits, 'low', 2_048), limits, 4_000), undefined);
  });
});

describe('reply schema', () => {
  test('When the schema is serialised, then its bytes are the pinned ones (a change invalidates every cache entry: bump PROMPT_VERSION and this pin)', () => {
    assert.equal(createHash('sha256').update(REPLY_SCHEMA_JSON).digest('hex').slice(0, 16), '72be129ee269b62a');
    assert.equal(JSON.stringify(replyFormat(row('claude-haiku-5-5'))?.schema), REPLY_SCHEMA_JSON);
    assert.equal(replyFormat(UNKNOWN_MODEL_LIMITS), undefined, 'a model without structured outputs falls back to the prompt and the parser');
  });
});

describe('price band at start-up', () => {
  test('When a Haiku 5.5 prefix is over the 100K long-prompt edge, then the band says so and how far the domain would have to shrink', () => {
    const b = priceBandOf(DEFAULT_PRICES, 'claude-haiku-5-5', 104_000)!;
    assert.equal(b.name, 'long prompt');
    assert.equal(b.edgeTokens, 100_000);
    assert.equal(b.shrinkTokens, 4_000 + NEAR_EDGE_TOKENS);
    assert.equal(b.inputRateFactor, 5);
    assert.match(b.warning ?? '', /4,000 over the 100,000-token edge\. Shrinking the domain by about 6,000 tokens/);
  });

  test('When a prefix sits just under the edge, then it is standard with a warning; far under, no warning; one band, no edge', () => {
    const near = priceBandOf(DEFAULT_PRICES, 'claude-haiku-5-5', 99_500)!;
    assert.equal(near.name, 'standard');
    assert.match(near.warning ?? '', /500 under claude-haiku-5-5's 100,000-token long-prompt edge/);
    assert.equal(priceBandOf(DEFAULT_PRICES, 'claude-haiku-5-5', 50_000)!.warning, undefined);
    assert.deepEqual(priceBandOf(DEFAULT_PRICES, 'claude-sonnet-5-5', 300_000), { name: 'standard', edgeTokens: undefined, shrinkTokens: undefined, inputRateFactor: 1, warning: undefined });
    assert.equal(priceBandOf(parsePriceTable(undefined), 'no-such-model', 10), null);
  });
});
