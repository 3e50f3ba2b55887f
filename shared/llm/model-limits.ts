/**
 * What memfleet must know about a Claude model before it sends it a domain:
 * how many tokens fit, how many it may write, how long a prefix must be
 * before the API caches it, which effort levels it accepts, how it thinks,
 * and whether it takes a JSON schema for its output. Defaults below;
 * LLM_MODELS_JSON overrides or adds models without a release (see docs/claude.md).
 */
import { z } from 'zod';
import { ConfigError } from '../config/errors.js';

/** `output_config.effort` values of the API (SDK 1.13 OutputConfig.effort). */
export const EFFORTS = ['low', 'medium', 'high', 'xhigh', 'max'] as const;
export type Effort = (typeof EFFORTS)[number];

/**
 * How a model thinks when the request does not say (platform docs, thinking and model pages):
 * - `off`: it does not think unless asked, so nothing is sent and `max_tokens` is all answer;
 * - `on-disable-to-high`: it thinks by default and accepts `thinking: {type: "disabled"}`
 *   only at effort low, medium or high (Claude Haiku 5.5): disabled there, room left above;
 * - `on`: it thinks by default and thinking cannot (or is not known to) be disabled
 *   (Claude Opus 5.5 always thinks): `max_tokens` leaves room for the thinking.
 */
export const THINKING_MODES = ['off', 'on-disable-to-high', 'on'] as const;
export type ThinkingMode = (typeof THINKING_MODES)[number];

export interface ModelLimits {
  /** Input + output tokens one request may hold. */
  contextWindow: number;
  /** Largest `max_tokens` the model accepts. */
  maxOutputTokens: number;
  /** A cache_control prefix shorter than this is not cached (the API says nothing; usage shows no cache fields). */
  minCacheTokens: number;
  /** The `output_config.effort` levels the model accepts (any other answers 400); empty: effort is never sent. */
  efforts: readonly Effort[];
  /** How the model thinks by default (thinking-policy.ts). */
  thinking: ThinkingMode;
  /** Whether `output_config.format` (a JSON schema for the reply) is accepted (structured outputs). */
  structuredOutputs: boolean;
}

export type ModelTable = Readonly<Record<string, ModelLimits>>;

const ALL_EFFORTS: readonly Effort[] = EFFORTS;

/**
 * Published limits (platform.claude.com model, effort, thinking and prompt
 * caching pages, Nov 2026). Minimum cacheable lengths of the 5.5 models were
 * not published where we looked: the values marked "assumed" are the largest
 * minimum of their family, so at worst the shard warns about a context that
 * would in fact have cached. Thinking of Sonnet 5.5 is marked `on` because we
 * found no page saying it may be disabled: room is left rather than risk a 400.
 */
export const DEFAULT_MODEL_LIMITS: ModelTable = Object.freeze({
  'claude-haiku-5-5': row(1_000_000, 128_000, 4_096 /* assumed */, ALL_EFFORTS, 'on-disable-to-high', true),
  'claude-sonnet-5-5': row(1_000_000, 128_000, 2_048 /* assumed */, ALL_EFFORTS, 'on', true),
  'claude-opus-5-5': row(1_000_000, 128_000, 2_048 /* assumed */, ALL_EFFORTS, 'on', true),
  'claude-sonnet-5': row(1_000_000, 128_000, 1_024, ALL_EFFORTS, 'off', true),
  'claude-opus-5': row(1_000_000, 128_000, 512, ALL_EFFORTS, 'off', true),
  // Effort up to max but no xhigh; 1,024-token cache minimum (effort and prompt-caching pages).
  'claude-sonnet-4-6': row(1_000_000, 64_000, 1_024, ['low', 'medium', 'high', 'max'], 'off', true),
  'claude-haiku-4-5': row(200_000, 64_000, 4_096, [], 'off', true),
});

function row(contextWindow: number, maxOutputTokens: number, minCacheTokens: number, efforts: readonly Effort[], thinking: ThinkingMode, structuredOutputs: boolean): ModelLimits {
  return Object.freeze({ contextWindow, maxOutputTokens, minCacheTokens, efforts: Object.freeze([...efforts]), thinking, structuredOutputs });
}

/** For a model the table does not know: a window every current model has, and no optional parameters. */
export const UNKNOWN_MODEL_LIMITS: ModelLimits = Object.freeze({
  contextWindow: 200_000,
  maxOutputTokens: 8_192,
  minCacheTokens: 4_096,
  efforts: Object.freeze([]) as readonly Effort[],
  thinking: 'off',
  structuredOutputs: false,
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
      efforts: z.array(z.enum(EFFORTS, { error: `expected effort levels among ${EFFORTS.join(', ')}` })),
      thinking: z.enum(THINKING_MODES, { error: `expected one of ${THINKING_MODES.join(', ')}` }),
      structuredOutputs: z.boolean({ error: 'expected true or false' }),
      /** Older form: false means no effort levels, true all five (or the model's own list). */
      supportsEffort: z.boolean({ error: 'expected true or false' }),
    })
    .partial()
    .strict(),
);

/**
 * Merges LLM_MODELS_JSON (`{"model": {contextWindow?, maxOutputTokens?, minCacheTokens?, efforts?, thinking?, structuredOutputs?}}`)
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
    const { supportsEffort, efforts, ...rest } = override;
    const legacy = supportsEffort === undefined ? undefined : supportsEffort ? (base.efforts.length > 0 ? base.efforts : ALL_EFFORTS) : [];
    table[model] = row(
      rest.contextWindow ?? base.contextWindow,
      rest.maxOutputTokens ?? base.maxOutputTokens,
      rest.minCacheTokens ?? base.minCacheTokens,
      efforts ?? legacy ?? base.efforts,
      rest.thinking ?? base.thinking,
      rest.structuredOutputs ?? base.structuredOutputs,
    );
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
