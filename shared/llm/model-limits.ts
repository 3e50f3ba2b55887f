/**
 * What memfleet must know about a Claude model before it sends it a domain:
 * how many tokens fit, how many it may write, and how long a prefix must be
 * before the API caches it. Defaults below; LLM_MODELS_JSON overrides or adds
 * models without a release (see docs/claude.md).
 */
import { z } from 'zod';
import { ConfigError } from '../config/errors.js';

export interface ModelLimits {
  /** Input + output tokens one request may hold. */
  contextWindow: number;
  /** Largest `max_tokens` the model accepts. */
  maxOutputTokens: number;
  /** A cache_control prefix shorter than this is not cached (the API says nothing; usage shows no cache fields). */
  minCacheTokens: number;
  /** Whether `output_config.effort` may be sent (LLM_EFFORT). */
  supportsEffort: boolean;
}

export type ModelTable = Readonly<Record<string, ModelLimits>>;

/**
 * Published limits (platform.claude.com model pages, Nov 2026). Minimum
 * cacheable lengths of the 5.5 models were not published where we looked:
 * the values marked "assumed" are the largest minimum of their family, so at
 * worst the shard warns about a context that would in fact have cached.
 */
export const DEFAULT_MODEL_LIMITS: ModelTable = Object.freeze({
  'claude-haiku-5-5': { contextWindow: 1_000_000, maxOutputTokens: 128_000, minCacheTokens: 4_096 /* assumed */, supportsEffort: true },
  'claude-sonnet-5-5': { contextWindow: 1_000_000, maxOutputTokens: 128_000, minCacheTokens: 2_048 /* assumed */, supportsEffort: true },
  'claude-opus-5-5': { contextWindow: 1_000_000, maxOutputTokens: 128_000, minCacheTokens: 2_048 /* assumed */, supportsEffort: true },
  'claude-sonnet-5': { contextWindow: 1_000_000, maxOutputTokens: 128_000, minCacheTokens: 1_024, supportsEffort: true },
  'claude-opus-5': { contextWindow: 1_000_000, maxOutputTokens: 128_000, minCacheTokens: 512, supportsEffort: true },
  'claude-sonnet-4-6': { contextWindow: 1_000_000, maxOutputTokens: 64_000, minCacheTokens: 2_048, supportsEffort: false },
  'claude-haiku-4-5': { contextWindow: 200_000, maxOutputTokens: 64_000, minCacheTokens: 4_096, supportsEffort: false },
});

/** For a model the table does not know: a window every current model has, and no optional parameters. */
export const UNKNOWN_MODEL_LIMITS: ModelLimits = Object.freeze({
  contextWindow: 200_000,
  maxOutputTokens: 8_192,
  minCacheTokens: 4_096,
  supportsEffort: false,
});

/** Dated ids (claude-haiku-4-5-20251001) share the limits and prices of their alias. */
export function modelKey<T>(table: Readonly<Record<string, T>>, model: string): string | undefined {
  if (Object.hasOwn(table, model)) return model;
  const alias = model.replace(/-\d{8}$/, '');
  return Object.hasOwn(table, alias) ? alias : undefined;
}

export function limitsFor(table: ModelTable, model: string): { limits: ModelLimits; known: boolean } {
  const key = modelKey(table, model);
  return key === undefined ? { limits: UNKNOWN_MODEL_LIMITS, known: false } : { limits: table[key]!, known: true };
}

const positiveInt = z.number({ error: 'expected a positive integer' }).int('expected a positive integer').positive('expected a positive integer');
const LimitsOverrideSchema = z.record(
  z.string().min(1),
  z
    .object({
      contextWindow: positiveInt,
      maxOutputTokens: positiveInt,
      minCacheTokens: z.number({ error: 'expected an integer ≥ 0' }).int().min(0),
      supportsEffort: z.boolean({ error: 'expected true or false' }),
    })
    .partial()
    .strict(),
);

/**
 * Merges LLM_MODELS_JSON (`{"model": {contextWindow?, maxOutputTokens?, minCacheTokens?, supportsEffort?}}`)
 * over the defaults; a model the defaults do not know starts from UNKNOWN_MODEL_LIMITS.
 */
export function parseModelTable(json: string | undefined): ModelTable {
  if (json === undefined || json.trim() === '') return DEFAULT_MODEL_LIMITS;
  const parsed = LimitsOverrideSchema.safeParse(parseJson(json, 'LLM_MODELS_JSON'));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(
      `LLM_MODELS_JSON: ${issue ? `${issue.path.map(String).join('.') || 'value'}: ${issue.message}` : 'invalid'}; expected {"<model>": {"contextWindow": 1000000, "minCacheTokens": 1024, …}}.`,
    );
  }
  const table: Record<string, ModelLimits> = { ...DEFAULT_MODEL_LIMITS };
  for (const [model, override] of Object.entries(parsed.data)) {
    const base = table[modelKey(table, model) ?? model] ?? UNKNOWN_MODEL_LIMITS;
    table[model] = { ...base, ...stripUndefined(override) };
  }
  return Object.freeze(table);
}

export function parseJson(text: string, name: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${name} is not valid JSON (${err instanceof Error ? err.message : String(err)}): fix the value or unset it to use the defaults.`);
  }
}

export function stripUndefined<T extends object>(value: T): { [K in keyof T]-?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as { [K in keyof T]-?: Exclude<T[K], undefined> };
}
