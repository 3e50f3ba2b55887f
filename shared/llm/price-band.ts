/**
 * Which price band a domain's questions fall in, told at start-up. Claude
 * Haiku 5.5 bills a whole request at its long-prompt rates once the prompt
 * passes 100K tokens, and its tokenizer counts about 30% more than the
 * offline estimate, so a domain sized by the estimate can land just over the
 * edge and pay five times as much per question. Pure, so it is unit-tested.
 */
import { modelKey } from './model-limits.js';
import type { PriceTable } from './pricing.js';

export interface PriceBand {
  /** `standard`, or `long prompt` when every request is over the model's long-prompt edge. */
  name: 'standard' | 'long prompt';
  /** Prompt tokens above which the long-prompt rates apply; undefined when the model has one band. */
  edgeTokens: number | undefined;
  /** Tokens the prefix would have to lose to fall back under the edge (long band only). */
  shrinkTokens: number | undefined;
  /** How many times the standard input rate the band's input rate is. */
  inputRateFactor: number;
  /** For the start-up log, when the band costs more than it needs to (or nearly does). */
  warning: string | undefined;
}

/** A question's own tokens on top of the prefix (question, wrapper, a turn or two): how near the edge is "near". */
export const NEAR_EDGE_TOKENS = 2_000;

/** `prefixTokens` as counted (or estimated) at start-up; null when the model has no price. */
export function priceBandOf(prices: PriceTable, model: string, prefixTokens: number): PriceBand | null {
  const key = modelKey(prices, model);
  if (key === undefined) return null;
  const price = prices[key]!;
  const long = price.longPrompt;
  if (!long) return { name: 'standard', edgeTokens: undefined, shrinkTokens: undefined, inputRateFactor: 1, warning: undefined };
  const edge = long.aboveTokens;
  const factor = price.input > 0 ? Math.round((long.input / price.input) * 100) / 100 : 1;
  if (prefixTokens > edge) {
    const shrink = prefixTokens - edge + NEAR_EDGE_TOKENS;
    return {
      name: 'long prompt',
      edgeTokens: edge,
      shrinkTokens: shrink,
      inputRateFactor: factor,
      warning:
        `every question on this domain is billed at ${model}'s long-prompt rates (${factor}× the input price, output too): its prefix is ${fmt(prefixTokens)} tokens, ` +
        `${fmt(prefixTokens - edge)} over the ${fmt(edge)}-token edge. Shrinking the domain by about ${fmt(shrink)} tokens (~${fmt(shrink * 4)} characters; that leaves room for the question) would bring it back to the standard rates.`,
    };
  }
  const margin = edge - prefixTokens;
  return {
    name: 'standard',
    edgeTokens: edge,
    shrinkTokens: undefined,
    inputRateFactor: 1,
    warning:
      margin < NEAR_EDGE_TOKENS
        ? `this domain's prefix is ${fmt(prefixTokens)} tokens, ${fmt(margin)} under ${model}'s ${fmt(edge)}-token long-prompt edge: a long question or conversation pushes that request to ${factor}× the price.`
        : undefined,
  };
}

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}
