/**
 * Claude settings shared by the shard engine and the coordinator's
 * synthesiser: key, endpoint, call limits, cache TTL, price and model tables.
 * Which model each role uses (SHARD_MODEL, SYNTH_MODEL) is read by that
 * service's own config.
 */
import { z } from 'zod';
import { envField, parseEnv, type Env } from '../config/env.js';
import { EFFORTS, parseModelTable, type Effort, type ModelTable } from './model-limits.js';
import { parsePriceTable, type PriceTable } from './pricing.js';

export const LLM_VARS = [
  'ANTHROPIC_API_KEY',
  'ANTHROPIC_BASE_URL',
  'CACHE_TTL',
  'LLM_MAX_TOKENS',
  'LLM_TIMEOUT_MS',
  'LLM_MAX_RETRIES',
  'LLM_EFFORT',
  'LLM_PRICES_JSON',
  'LLM_MODELS_JSON',
] as const;

export { EFFORTS, type Effort };

export const DEFAULT_BASE_URL = 'https://api.anthropic.com';

const LlmSchema = z.object({
  ANTHROPIC_API_KEY: envField.optionalStr(),
  ANTHROPIC_BASE_URL: envField
    .str(DEFAULT_BASE_URL)
    .pipe(z.string().regex(/^https?:\/\/[^\s]+$/, 'expected an http(s) URL, e.g. https://api.anthropic.com')),
  CACHE_TTL: z
    .enum(['5m', '1h'], { error: 'expected "5m" (default) or "1h"' })
    .optional()
    .transform((v) => v ?? '5m'),
  LLM_MAX_TOKENS: envField.int(2_048, 64, 128_000),
  LLM_TIMEOUT_MS: envField.int(60_000, 1_000, 600_000),
  LLM_MAX_RETRIES: envField.int(3, 0, 10),
  LLM_EFFORT: z
    .enum([...EFFORTS, 'model'], { error: 'expected low (default), medium, high, xhigh, max, or "model" to let the model decide' })
    .optional()
    .transform((v) => v ?? 'low'),
  LLM_PRICES_JSON: envField.optionalStr(),
  LLM_MODELS_JSON: envField.optionalStr(),
});

export interface LlmSettings {
  /** ANTHROPIC_API_KEY (or the file in ANTHROPIC_API_KEY_FILE). A secret: never log it. */
  apiKey: string | undefined;
  /** ANTHROPIC_BASE_URL: the API, a gateway, or a local test server. */
  baseURL: string;
  /** Lifetime of the cached domain prefix (CACHE_TTL). @defaultValue '5m' */
  cacheTtl: '5m' | '1h';
  /** `max_tokens` of every call (LLM_MAX_TOKENS). @defaultValue 2048 */
  maxTokens: number;
  /** Per-attempt HTTP timeout (LLM_TIMEOUT_MS). @defaultValue 60000 */
  timeoutMs: number;
  /** SDK retries of 408/409/429/5xx/529 and connection errors, with backoff (LLM_MAX_RETRIES). @defaultValue 3 */
  maxRetries: number;
  /** `output_config.effort` for models that accept effort (checked at start-up, effort.ts); undefined lets the model decide. @defaultValue 'low' */
  effort: Effort | undefined;
  prices: PriceTable;
  models: ModelTable;
}

export function parseLlmSettings(env: Env): LlmSettings {
  const raw = parseEnv(LlmSchema, env, LLM_VARS);
  return withApiKey(
    {
      baseURL: raw.ANTHROPIC_BASE_URL.replace(/\/+$/, ''),
      cacheTtl: raw.CACHE_TTL,
      maxTokens: raw.LLM_MAX_TOKENS,
      timeoutMs: raw.LLM_TIMEOUT_MS,
      maxRetries: raw.LLM_MAX_RETRIES,
      effort: raw.LLM_EFFORT === 'model' ? undefined : raw.LLM_EFFORT,
      prices: parsePriceTable(raw.LLM_PRICES_JSON),
      models: parseModelTable(raw.LLM_MODELS_JSON),
    },
    raw.ANTHROPIC_API_KEY?.trim() || undefined,
  );
}

/**
 * A copy of `settings` holding `apiKey` as a non-enumerable property: it is
 * there for the SDK, but JSON, spreads and log serialisers never see it, at
 * any depth of whatever object the settings end up in.
 */
export function withApiKey<K extends string | undefined>(settings: Omit<LlmSettings, 'apiKey'>, apiKey: K): LlmSettings & { apiKey: K } {
  const copy = { ...settings } as LlmSettings & { apiKey: K };
  Object.defineProperty(copy, 'apiKey', { value: apiKey, enumerable: false, writable: false });
  return copy;
}

/** A Claude model id as accepted in SHARD_MODEL / SYNTH_MODEL. */
export const modelIdField = (def: string) =>
  envField.str(def).pipe(z.string().regex(/^[a-z0-9][a-z0-9.:@_-]{2,99}$/i, 'expected a model id such as "claude-haiku-5-5"'));
