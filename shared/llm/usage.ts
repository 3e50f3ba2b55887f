/**
 * One Claude call's usage as memfleet reports it: the API's token counts split
 * the way they are priced, its cost from the price table, and the two
 * counters (memfleet_llm_tokens_total, memfleet_llm_cost_usd_total).
 */
import type Anthropic from '@anthropic-ai/sdk';
import type { FleetMetrics } from '../metrics/registry.js';
import type { Usage } from '../queues/schemas.js';
import { priceCall, type PriceTable, type TokenCounts } from './pricing.js';

export type ApiUsage = Anthropic.Messages.Usage;

/** The API's usage block → priced token counts; cache writes go to the TTL the API reports (else the one we asked for). */
export function countsFromApi(u: ApiUsage, askedTtl: '5m' | '1h'): TokenCounts {
  const written = u.cache_creation_input_tokens ?? 0;
  let w5m = u.cache_creation?.ephemeral_5m_input_tokens ?? 0;
  let w1h = u.cache_creation?.ephemeral_1h_input_tokens ?? 0;
  const unattributed = Math.max(0, written - w5m - w1h);
  if (askedTtl === '1h') w1h += unattributed;
  else w5m += unattributed;
  return { input: u.input_tokens, output: u.output_tokens, cacheRead: u.cache_read_input_tokens ?? 0, cacheWrite5m: w5m, cacheWrite1h: w1h };
}

export interface PricedUsage {
  usage: Usage;
  counts: TokenCounts;
  /** False when the price table has no row for the model: cost is reported as 0. */
  priced: boolean;
}

export function priceUsage(prices: PriceTable, model: string, counts: TokenCounts): PricedUsage {
  const { costUsd, priced } = priceCall(prices, model, counts);
  return {
    usage: {
      inputTokens: counts.input,
      outputTokens: counts.output,
      cacheReadTokens: counts.cacheRead,
      cacheWriteTokens: counts.cacheWrite5m + counts.cacheWrite1h,
      // Whole nano-dollars: sums of float products otherwise print as 0.000041379999999999993.
      costUsd: Math.round(costUsd * 1e9) / 1e9,
    },
    counts,
    priced,
  };
}

/** Adds one call to the fleet's token and cost counters. */
export function recordUsage(metrics: FleetMetrics, model: string, priced: PricedUsage): void {
  const { counts } = priced;
  const kinds: [string, number][] = [
    ['input', counts.input],
    ['output', counts.output],
    ['cache_read', counts.cacheRead],
    ['cache_write', counts.cacheWrite5m + counts.cacheWrite1h],
  ];
  for (const [kind, n] of kinds) if (n > 0) metrics.llmTokens.inc({ model, kind }, n);
  if (priced.usage.costUsd > 0) metrics.llmCost.inc({ model }, priced.usage.costUsd);
}
