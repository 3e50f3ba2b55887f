/** Pure selection of documents into token-budgeted domains. */

import type { DomainName } from './config.js';
import type { DemoDocument } from './documents.js';
import { estimateTokens } from './text.js';

export interface DomainPlan {
  name: DomainName;
  documents: DemoDocument[];
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

/** How many leading items fit: stops before the first item that would take the total past `budget`. */
export function prefixWithinBudget(tokens: readonly number[], budget: number): number {
  let total = 0;
  for (const [index, itemTokens] of tokens.entries()) {
    if (total + itemTokens > budget) return index;
    total += itemTokens;
  }
  return tokens.length;
}

/**
 * Index k splitting items into [0, k) and [k, n), both non-empty and within
 * `budget`, with the two totals as close as possible (the smallest such k on a tie).
 * Throws when no split keeps both parts within budget.
 */
export function balancedSplit(tokens: readonly number[], budget: number): number {
  const total = sum(tokens);
  let best: { index: number; imbalance: number } | undefined;
  let head = 0;
  for (let index = 1; index < tokens.length; index++) {
    head += tokens[index - 1] ?? 0;
    const tail = total - head;
    if (head > budget || tail > budget) continue;
    const imbalance = Math.abs(head - tail);
    if (best === undefined || imbalance < best.imbalance) best = { index, imbalance };
  }
  if (best === undefined) {
    throw new Error(`cannot split ${total} tokens into two parts of at most ${budget} tokens each`);
  }
  return best.index;
}

function tokensOf(documents: readonly DemoDocument[]): number[] {
  return documents.map((document) => estimateTokens(document.content));
}

/**
 * The five demo domains:
 * - moby-dick-1 / moby-dick-2: the book (in reading order) cut in two near-equal halves;
 * - sotu-early: addresses from the first onward, until the next would exceed the budget;
 * - sotu-civil-war: addresses from 1861 (Lincoln's first) onward, likewise;
 * - sotu-modern: addresses from the latest backward (never reusing an early one), likewise.
 * `addresses` must be in chronological order.
 */
export function planDomains(
  mobyDick: readonly DemoDocument[],
  addresses: readonly DemoDocument[],
  budget: number,
): DomainPlan[] {
  const split = balancedSplit(tokensOf(mobyDick), budget);
  const earlyCount = prefixWithinBudget(tokensOf(addresses), budget);
  const civilWarStart = Math.max(earlyCount, addresses.findIndex((a) => /^1861-/.test(a.fileName)));
  const civilWar = addresses.slice(civilWarStart);
  const civilWarCount = prefixWithinBudget(tokensOf(civilWar), budget);
  const newestFirst = addresses.slice(civilWarStart + civilWarCount).reverse();
  const modernCount = prefixWithinBudget(tokensOf(newestFirst), budget);
  return [
    { name: 'moby-dick-1', documents: mobyDick.slice(0, split) },
    { name: 'moby-dick-2', documents: mobyDick.slice(split) },
    { name: 'sotu-early', documents: addresses.slice(0, earlyCount) },
    { name: 'sotu-civil-war', documents: civilWar.slice(0, civilWarCount) },
    { name: 'sotu-modern', documents: newestFirst.slice(0, modernCount).reverse() },
  ];
}
