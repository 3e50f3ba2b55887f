/**
 * The price table that turns token counts into dollars, for the
 * memfleet_llm_cost_usd_total counter and every response's `usage.costUsd`.
 * Defaults below; LLM_PRICES_JSON overrides a model's rates or adds a model,
 * so a price change needs no release.
 */
import { z } from 'zod';
import { ConfigError } from '../config/errors.js';
import { modelKey, parseJson, stripUndefined } from './model-limits.js';

/** US dollars per million tokens. */
export interface Rates {
  input: number;
  output: number;
  /** Writing a prefix to the 5-minute cache. */
  cacheWrite5m: number;
  /** Writing a prefix to the 1-hour cache. */
  cacheWrite1h: number;
  /** Reading a cached prefix (cache hits and refreshes). */
  cacheRead: number;
}

export interface ModelPrice extends Rates {
  /**
   * A second band for long prompts: when a request's prompt (input + cache
   * reads + cache writes) is over `aboveTokens`, every token of that request,
   * output included, is billed at these rates (Claude Haiku 5.5).
   */
  longPrompt?: Rates & { aboveTokens: number };
}

export type PriceTable = Readonly<Record<string, ModelPrice>>;

/**
 * Anthropic list prices in USD per million tokens (platform.claude.com pricing
 * and model pages, read Nov 2026). Cache writes are 1.25× (5 min) and 2× (1 h)
 * the input rate; cache reads are what each model page says (0.05× to 0.1×).
 */
export const DEFAULT_PRICES: PriceTable = Object.freeze({
  'claude-haiku-5-5': {
    input: 0.1,
    output: 0.5,
    cacheWrite5m: 0.125,
    cacheWrite1h: 0.2,
    cacheRead: 0.01,
    longPrompt: { aboveTokens: 100_000, input: 0.5, output: 2.5, cacheWrite5m: 0.625, cacheWrite1h: 1, cacheRead: 0.05 },
  },
  'claude-sonnet-5-5': { input: 2, output: 10, cacheWrite5m: 2.5, cacheWrite1h: 4, cacheRead: 0.1 },
  'claude-opus-5-5': { input: 4, output: 20, cacheWrite5m: 5, cacheWrite1h: 8, cacheRead: 0.2 },
  'claude-sonnet-5': { input: 2, output: 10, cacheWrite5m: 2.5, cacheWrite1h: 4, cacheRead: 0.2 },
  'claude-opus-5': { input: 5, output: 25, cacheWrite5m: 6.25, cacheWrite1h: 10, cacheRead: 0.5 },
  'claude-sonnet-4-6': { input: 3, output: 15, cacheWrite5m: 3.75, cacheWrite1h: 6, cacheRead: 0.3 },
  'claude-haiku-4-5': { input: 1, output: 5, cacheWrite5m: 1.25, cacheWrite1h: 2, cacheRead: 0.1 },
});

/** Token counts of one call, split the way they are priced. */
export interface TokenCounts {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite5m: number;
  cacheWrite1h: number;
}

/** The rates that apply to one call: the long-prompt band when its prompt is over the threshold. */
export function ratesFor(price: ModelPrice, counts: TokenCounts): Rates {
  const prompt = counts.input + counts.cacheRead + counts.cacheWrite5m + counts.cacheWrite1h;
  return price.longPrompt && prompt > price.longPrompt.aboveTokens ? price.longPrompt : price;
}

/** Cost in US dollars of one call; `priced: false` when the table has no row for the model (cost 0). */
export function priceCall(table: PriceTable, model: string, counts: TokenCounts): { costUsd: number; priced: boolean } {
  const key = modelKey(table, model);
  if (key === undefined) return { costUsd: 0, priced: false };
  const r = ratesFor(table[key]!, counts);
  const micro =
    counts.input * r.input + counts.output * r.output + counts.cacheRead * r.cacheRead + counts.cacheWrite5m * r.cacheWrite5m + counts.cacheWrite1h * r.cacheWrite1h;
  return { costUsd: micro / 1_000_000, priced: true };
}

const rate = z.number({ error: 'expected a price in USD per million tokens' }).min(0, 'expected a price ≥ 0');
const RatesShape = { input: rate, output: rate, cacheWrite5m: rate, cacheWrite1h: rate, cacheRead: rate };
const PriceOverrideSchema = z.record(
  z.string().min(1),
  z
    .object({
      ...RatesShape,
      longPrompt: z
        .object({ ...RatesShape, aboveTokens: z.number({ error: 'expected a token count' }).int().positive() })
        .strict()
        .nullable(),
    })
    .partial()
    .strict(),
);

/**
 * Merges LLM_PRICES_JSON over the defaults, model by model: a known model may
 * override some rates; a new model must give all five. `"longPrompt": null`
 * removes the long-prompt band.
 */
export function parsePriceTable(json: string | undefined): PriceTable {
  if (json === undefined || json.trim() === '') return DEFAULT_PRICES;
  const parsed = PriceOverrideSchema.safeParse(parseJson(json, 'LLM_PRICES_JSON'));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(
      `LLM_PRICES_JSON: ${issue ? `${issue.path.map(String).join('.') || 'value'}: ${issue.message}` : 'invalid'}; expected {"<model>": {"input": 0.1, "output": 0.5, "cacheWrite5m": 0.125, "cacheWrite1h": 0.2, "cacheRead": 0.01}} in USD per million tokens.`,
    );
  }
  const table: Record<string, ModelPrice> = { ...DEFAULT_PRICES };
  for (const [model, override] of Object.entries(parsed.data)) {
    const base: Partial<ModelPrice> = table[modelKey(table, model) ?? model] ?? {};
    const { longPrompt, ...rates } = override;
    const merged: Partial<ModelPrice> = { ...base, ...stripUndefined(rates) };
    if (longPrompt === null) delete merged.longPrompt;
    else if (longPrompt !== undefined) merged.longPrompt = longPrompt;
    for (const field of ['input', 'output', 'cacheWrite5m', 'cacheWrite1h', 'cacheRead'] as const) {
      if (merged[field] === undefined) {
        throw new ConfigError(`LLM_PRICES_JSON: model "${model}" is not in the default table, so it needs "${field}" (USD per million tokens) as well.`);
      }
    }
    table[model] = merged as ModelPrice;
  }
  return Object.freeze(table);
}
