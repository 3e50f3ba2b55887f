/**
 * Routed mode: pick the few domains worth asking from the term statistics the
 * shards publish in their manifests, without asking any shard. Pure.
 *
 * Each domain gets the share of the question's IDF weight that its vocabulary
 * covers — the same coverage a shard's lexical score is built on, as an upper
 * bound (it assumes one passage holds every matching term). A question's rare
 * words decide: a domain that never uses them scores low. The best domain is
 * asked, and so is any other within `minShareOfBest` of it, up to `maxShards`;
 * when even the best covers less than `minCoverage`, no domain is asked and the
 * answer is "nothing found" at the cost of no shard call.
 */
import type { DomainTerms } from '../../../../shared/fleet/manifest.js';
import { analyzeText } from '../../../../shared/text/text-analysis.js';
import { DEFAULT_QUERY_TERM_BUDGET, mostInformativeTerms } from '../../../../shared/text/query-term-budget.js';

export interface RoutableDomain {
  shard: string;
  /** Absent when the shard publishes no statistics (e.g. a non-lexical engine): such a domain is always asked. */
  terms?: DomainTerms;
}

export interface RoutingOptions {
  /** Most domains asked for one question (those without statistics come on top). @defaultValue 3 */
  maxShards: number;
  /** Another domain is asked when its coverage is at least this share of the best domain's. @defaultValue 0.7 */
  minShareOfBest: number;
  /** Below this coverage of the best domain nothing is asked. @defaultValue 0.2 */
  minCoverage: number;
}

export const DEFAULT_ROUTING_OPTIONS: RoutingOptions = Object.freeze({ maxShards: 3, minShareOfBest: 0.7, minCoverage: 0.2 });

export interface DomainRouteScore {
  shard: string;
  /** Share of the question's IDF weight the domain's vocabulary holds, in [0, 1]. */
  coverage: number;
  /** Tie-break: how widely the domain uses the matching terms (Σ idf × ln(1 + df)). */
  depth: number;
}

export interface RouteDecision {
  shards: string[];
  scores: DomainRouteScore[];
}

/** BM25's IDF, as the lexical engine computes it (vocabulary.ts), so routing and shards weigh terms alike. */
function idf(windows: number, df: number): number {
  return Math.log(1 + (windows - df + 0.5) / (df + 0.5));
}

/**
 * Scores each domain on the question's terms. Like a shard (lexical-engine.ts),
 * a long question is scored on the `maxTerms` terms most informative in that
 * domain only, so routing weighs what the shard will.
 */
export function scoreDomains(
  queryTerms: readonly string[],
  domains: readonly RoutableDomain[],
  maxTerms: number = DEFAULT_QUERY_TERM_BUDGET.maxTerms,
): DomainRouteScore[] {
  const distinct = [...new Set(queryTerms)];
  const scored: DomainRouteScore[] = [];
  for (const d of domains) {
    if (d.terms === undefined) continue;
    const { windows, df: dfByTerm } = d.terms;
    const dfOf = (term: string): number => (Object.hasOwn(dfByTerm, term) ? (dfByTerm[term] ?? 0) : 0);
    let total = 0;
    let found = 0;
    let depth = 0;
    for (const term of mostInformativeTerms(distinct, (t) => idf(windows, dfOf(t)), maxTerms)) {
      const df = dfOf(term);
      const weight = idf(windows, df);
      total += weight;
      if (df > 0) {
        found += weight;
        depth += weight * Math.log(1 + df);
      }
    }
    scored.push({ shard: d.shard, coverage: total > 0 ? found / total : 0, depth });
  }
  return scored.sort((a, b) => b.coverage - a.coverage || b.depth - a.depth || a.shard.localeCompare(b.shard));
}

export function routeQuestion(question: string, domains: readonly RoutableDomain[], options: Partial<RoutingOptions> = {}): RouteDecision {
  const opts = { ...DEFAULT_ROUTING_OPTIONS, ...options };
  const blind = domains.filter((d) => d.terms === undefined).map((d) => d.shard);
  const scores = scoreDomains(analyzeText(question), domains);
  const best = scores[0];
  if (best === undefined || best.coverage < opts.minCoverage) return { shards: blind, scores };
  const chosen = scores
    .filter((s) => s.coverage >= best.coverage * opts.minShareOfBest)
    .slice(0, Math.max(1, opts.maxShards))
    .map((s) => s.shard);
  return { shards: [...chosen, ...blind], scores };
}
