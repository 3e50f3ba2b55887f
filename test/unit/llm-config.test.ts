/** Claude configuration: prices, model limits, env parsing, start-up refusals, and keys kept out of logs. */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, test } from 'node:test';
import { parseCoordinatorConfig } from '../../services/coordinator/config.js';
import { parseShardConfig } from '../../services/shard/config.js';
import type { Env } from '../../shared/config/env.js';
import { ConfigError } from '../../shared/config/errors.js';
import { generateKeyring } from '../../shared/envelope/index.js';
import { parseLlmSettings } from '../../shared/llm/llm-settings.js';
import { limitsFor, parseModelTable } from '../../shared/llm/model-limits.js';
import { DEFAULT_PRICES, parsePriceTable, priceCall } from '../../shared/llm/pricing.js';
import { countsFromApi, priceUsage, type ApiUsage } from '../../shared/llm/usage.js';
import { createLogger } from '../../shared/log/logger.js';

const KEYS: Env = { MEMFLEET_HMAC_KEYS: generateKeyring('q1'), MEMFLEET_SHARD_HMAC_KEYS: generateKeyring('r1') };
const SHARD: Env = { ...KEYS, SHARD_DOMAIN: 'harbor', CONTEXTS_DIR: '/srv/contexts' };
const SECRET = 'sk-ant-api03-THISISSECRET0123456789abcdef';

const counts = (over: Partial<Record<'input' | 'output' | 'cacheRead' | 'cacheWrite5m' | 'cacheWrite1h', number>>) => ({
  input: 0,
  output: 0,
  cacheRead: 0,
  cacheWrite5m: 0,
  cacheWrite1h: 0,
  ...over,
});

function configError(fn: () => unknown, ...fragments: string[]): string {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof ConfigError, `expected a ConfigError, got ${String(caught)}`);
  for (const f of fragments) assert.ok(caught.message.includes(f), `"${caught.message}" lacks "${f}"`);
  assert.ok(!caught.message.includes(SECRET), 'the key leaked into the message');
  return caught.message;
}

describe('price table', () => {
  test('When Haiku 5.5 reads a short prompt, then the low band prices it', () => {
    const { costUsd } = priceCall(DEFAULT_PRICES, 'claude-haiku-5-5', counts({ input: 50_000, output: 1_000, cacheRead: 40_000 }));
    assert.equal(Math.round(costUsd * 1e9), Math.round((50_000 * 0.1 + 1_000 * 0.5 + 40_000 * 0.01) * 1e3));
  });

  test('When a prompt counting cache reads and writes is over 100K tokens, then every token of the call takes the long-prompt band', () => {
    const { costUsd } = priceCall(DEFAULT_PRICES, 'claude-haiku-5-5', counts({ input: 100, output: 400, cacheRead: 150_000 }));
    assert.equal(Math.round(costUsd * 1e9), Math.round((100 * 0.5 + 400 * 2.5 + 150_000 * 0.05) * 1e3));
  });

  test('When a dated model id is priced, then its alias row applies; an unknown model costs 0 and says so', () => {
    assert.equal(priceCall(DEFAULT_PRICES, 'claude-haiku-4-5-20251001', counts({ input: 1_000_000 })).costUsd, 1);
    assert.deepEqual(priceCall(DEFAULT_PRICES, 'claude-unknown-9', counts({ input: 5 })), { costUsd: 0, priced: false });
  });

  test('When LLM_PRICES_JSON overrides a rate or adds a model, then it is merged over the defaults', () => {
    const table = parsePriceTable(JSON.stringify({ 'claude-sonnet-5-5': { cacheRead: 0.2 }, 'my-model': { input: 1, output: 2, cacheWrite5m: 1.25, cacheWrite1h: 2, cacheRead: 0.1 }, 'claude-haiku-5-5': { longPrompt: null } }));
    assert.equal(table['claude-sonnet-5-5']?.cacheRead, 0.2);
    assert.equal(table['claude-sonnet-5-5']?.input, 2);
    assert.equal(table['my-model']?.output, 2);
    assert.equal(table['claude-haiku-5-5']?.longPrompt, undefined);
  });

  test('When LLM_PRICES_JSON is wrong, then the error names the field and the fix', () => {
    configError(() => parsePriceTable('{"claude-haiku-5-5": {"input": -1}}'), 'LLM_PRICES_JSON', 'claude-haiku-5-5.input', '≥ 0');
    configError(() => parsePriceTable('{"new-model": {"input": 1}}'), 'new-model', 'output');
    configError(() => parsePriceTable('{nope'), 'LLM_PRICES_JSON is not valid JSON');
  });

  test('When the API reports usage with a TTL split, then writes are priced at their own TTL', () => {
    const usage = {
      input_tokens: 40,
      output_tokens: 100,
      cache_read_input_tokens: 0,
      cache_creation_input_tokens: 10_000,
      cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 10_000 },
    } as unknown as ApiUsage;
    const c = countsFromApi(usage, '5m');
    assert.deepEqual(c, counts({ input: 40, output: 100, cacheWrite1h: 10_000 }));
    const priced = priceUsage(DEFAULT_PRICES, 'claude-haiku-5-5', c);
    assert.deepEqual(priced.usage, { inputTokens: 40, outputTokens: 100, cacheReadTokens: 0, cacheWriteTokens: 10_000, costUsd: (40 * 0.1 + 100 * 0.5 + 10_000 * 0.2) / 1e6 });
  });
});

describe('model limits', () => {
  test('When LLM_MODELS_JSON narrows a window or adds a model, then lookups see it', () => {
    const table = parseModelTable('{"claude-haiku-5-5": {"contextWindow": 5000}, "my-model": {"minCacheTokens": 64}}');
    assert.equal(limitsFor(table, 'claude-haiku-5-5').limits.contextWindow, 5_000);
    assert.equal(limitsFor(table, 'claude-haiku-5-5').limits.maxOutputTokens, 128_000);
    assert.deepEqual(limitsFor(table, 'my-model'), { known: true, limits: { contextWindow: 200_000, maxOutputTokens: 8_192, minCacheTokens: 64, efforts: [], thinking: 'off', structuredOutputs: false } });
    assert.equal(limitsFor(table, 'other').known, false);
    configError(() => parseModelTable('{"m": {"contextWindow": 0}}'), 'LLM_MODELS_JSON', 'm.contextWindow');
  });
});

describe('claude settings', () => {
  test('When nothing is set, then the documented defaults apply', () => {
    const s = parseLlmSettings({});
    assert.equal(s.apiKey, undefined);
    assert.deepEqual(
      { ...s, prices: undefined, models: undefined },
      { baseURL: 'https://api.anthropic.com', cacheTtl: '5m', maxTokens: 2048, timeoutMs: 60_000, maxRetries: 3, effort: 'low', prices: undefined, models: undefined },
    );
  });

  test('When a value is out of range, then the variable is named', () => {
    configError(() => parseLlmSettings({ CACHE_TTL: '10m' }), 'CACHE_TTL');
    configError(() => parseLlmSettings({ LLM_MAX_RETRIES: '50' }), 'LLM_MAX_RETRIES');
    configError(() => parseLlmSettings({ ANTHROPIC_BASE_URL: 'localhost:9' }), 'ANTHROPIC_BASE_URL');
    assert.equal(parseLlmSettings({ LLM_EFFORT: 'model' }).effort, undefined);
  });

  test('When ENGINE=anthropic has no key, then the shard refuses to start and says what to set', () => {
    configError(() => parseShardConfig({ ...SHARD, ENGINE: 'anthropic' }), 'ENGINE=anthropic needs ANTHROPIC_API_KEY', 'ANTHROPIC_API_KEY_FILE');
  });

  test('When the key comes from ANTHROPIC_API_KEY_FILE, then the shard reads it; lexical shards ignore the Claude variables', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'memfleet-key-'));
    try {
      const file = path.join(dir, 'key');
      await writeFile(file, `${SECRET}\n`);
      const config = parseShardConfig({ ...SHARD, ENGINE: 'anthropic', ANTHROPIC_API_KEY_FILE: file, SHARD_MODEL: 'claude-haiku-4-5', CACHE_TTL: '1h' });
      assert.equal(config.anthropic?.settings.apiKey, SECRET);
      assert.equal(config.anthropic?.model, 'claude-haiku-4-5');
      assert.equal(config.anthropic?.settings.cacheTtl, '1h');
      assert.equal(parseShardConfig({ ...SHARD, LLM_PRICES_JSON: '{broken' }).anthropic, undefined);
      configError(() => parseShardConfig({ ...SHARD, ENGINE: 'anthropic', ANTHROPIC_API_KEY: SECRET, ANTHROPIC_API_KEY_FILE: file }), 'ANTHROPIC_API_KEY and ANTHROPIC_API_KEY_FILE are both set');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('When SYNTHESIS=on has no key, then the coordinator refuses to start; with a key, synthesis is available', () => {
    configError(() => parseCoordinatorConfig({ ...KEYS, SYNTHESIS: 'on' }), 'SYNTHESIS=on needs ANTHROPIC_API_KEY');
    assert.deepEqual(parseCoordinatorConfig(KEYS).synthesis, { byDefault: false, model: 'claude-sonnet-5-5', llm: undefined });
    const on = parseCoordinatorConfig({ ...KEYS, SYNTHESIS: 'on', ANTHROPIC_API_KEY: SECRET, SYNTH_MODEL: 'claude-opus-5-5' }).synthesis;
    assert.equal(on?.byDefault, true);
    assert.equal(on?.model, 'claude-opus-5-5');
    assert.equal(on?.llm?.apiKey, SECRET);
  });

  test('When settings or an error mentioning the key are logged, then the key never reaches the output', async () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (d: Buffer) => (text += d.toString()));
    const log = createLogger({ service: 'shard', level: 'info', destination: out });
    const settings = { ...parseLlmSettings({ ANTHROPIC_API_KEY: SECRET }), prices: undefined, models: undefined };
    log.info({ settings }, 'settings');
    // Deeper than any redact path: the key is not enumerable, so no serialiser sees it.
    const config = parseShardConfig({ ...SHARD, ENGINE: 'anthropic', ANTHROPIC_API_KEY: SECRET });
    assert.equal(config.anthropic?.settings.apiKey, SECRET);
    assert.ok(!JSON.stringify(config).includes('THISISSECRET'));
    log.info({ config }, 'whole config');
    log.info({ apiKey: SECRET, ANTHROPIC_API_KEY: SECRET }, 'top level');
    log.warn(`request failed with Authorization: Bearer ${SECRET}`);
    log.error(new Error(`bad key ${SECRET}`));
    await new Promise((r) => setImmediate(r));
    assert.ok(text.includes('settings') && text.includes('top level') && text.includes('whole config'), text);
    assert.ok(!text.includes('THISISSECRET'), `key leaked: ${text}`);
  });
});
