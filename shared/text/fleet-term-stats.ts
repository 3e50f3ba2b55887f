/**
 * Fleet-wide term statistics for one question (distributed IDF, like
 * Elasticsearch's DFS query-then-fetch). Each shard used to weigh the
 * question's words with its own IDF, so the same passage scored differently
 * depending on which domain held it: a word common in one half of a book and
 * rare in the other made the same question "about" different things in each.
 * The coordinator already holds every lexical shard's window counts (the
 * manifests' `terms`, cached for routing); it sums them for the question's
 * terms and sends the sums in the signed job, and every shard weighs the
 * question's words alike.
 *
 * Pure: the coordinator builds the statistics, the shard's lexical engine
 * reads them, and both compute IDF with `bm25Idf`.
 */
import type { DomainTerms } from '../fleet/manifest.js';
import { DEFAULT_QUERY_TERM_BUDGET, mostInformativeTerms } from './query-term-budget.js';

/** The fleet's windows and, for the question's terms, the windows holding each (summed over domains). */
export interface FleetTermStats {
  /** Index windows over every domain counted. */
  windows: number;
  /** Per analysed question term: windows holding it over every domain counted (0 when none does). */
  df: Record<string, number>;
}

/** BM25's IDF, ln(1 + (N − df + 0.5) / (df + 0.5)), as the lexical engine's vocabulary computes it. */
export function bm25Idf(windows: number, df: number): number {
  return Math.log(1 + (Math.max(0, windows - df) + 0.5) / (df + 0.5));
}

/**
 * Sums the domains' statistics for the question's distinct `queryTerms`
 * (analysed with analyzeText). At most `maxTerms` terms are kept, the most
 * informative fleet-wide (the same cap a shard applies, query-term-budget.ts).
 * Undefined when no domain publishes statistics (nothing to share).
 */
export function fleetTermStats(
  queryTerms: readonly string[],
  domains: readonly (DomainTerms | undefined)[],
  maxTerms: number = DEFAULT_QUERY_TERM_BUDGET.maxTerms,
): FleetTermStats | undefined {
  const counted = domains.filter((d): d is DomainTerms => d !== undefined);
  if (counted.length === 0) return undefined;
  const windows = counted.reduce((n, d) => n + d.windows, 0);
  const dfOf = (term: string): number => counted.reduce((n, d) => n + (Object.hasOwn(d.df, term) ? (d.df[term] ?? 0) : 0), 0);
  const distinct = [...new Set(queryTerms)];
  const all = new Map(distinct.map((t) => [t, dfOf(t)]));
  const kept = mostInformativeTerms(distinct, (t) => bm25Idf(windows, all.get(t) ?? 0), maxTerms);
  return { windows, df: Object.fromEntries(kept.map((t) => [t, all.get(t) ?? 0])) };
}

/**
 * The IDF a shard weighs `term` with when the job carries fleet statistics:
 * the fleet's count for the term, or, for a term the coordinator did not
 * send (the question had more terms than the budget), this domain's own count
 * (the fleet holds at least as many), over the fleet's windows. Never below
 * this domain's own count.
 */
export function fleetIdf(stats: FleetTermStats, localDf: (term: string) => number): (term: string) => number {
  return (term) => {
    const local = localDf(term);
    // A source written since the manifests were read may hold a term the fleet's counts do not have yet.
    const df = Math.max(local, Object.hasOwn(stats.df, term) ? (stats.df[term] ?? 0) : 0);
    return bm25Idf(Math.max(stats.windows, df), df);
  };
}
