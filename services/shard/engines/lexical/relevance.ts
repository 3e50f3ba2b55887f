/**
 * The cross-shard relevance score of a lexical citation.
 *
 *   score = coverage × (0.5 + 0.5 × bm25 / topBm25)
 *
 * - coverage = Σ idf(t) × presence(t) over distinct query terms t
 *              ÷ Σ idf(t) over all distinct query terms (after stop words and
 *              stemming), where presence is 1 for the term, the synonym
 *              weight for a WordNet synonym of it, else 0; the engine blends
 *              the window's coverage with its best sentence's (a proximity
 *              signal, LexicalOptions.sentenceWeight). Query terms the domain never mentions carry the
 *              largest IDF, so a shard that lacks the rare words of a question
 *              scores low however well it matches the common ones; a term
 *              the domain never uses weighs 1.5 × its IDF
 *              (LexicalOptions.unknownTermWeight), which is what lets
 *              MIN_SCORE tell "asks about something this domain never
 *              mentions" from "a paraphrase".
 * - bm25 / topBm25 ranks the window against this shard's best window for the
 *   same question; it can only halve the score, because raw BM25 depends on the
 *   shard's size and vocabulary and is not comparable across shards.
 *
 * Both factors are in [0, 1], so the score is too. The coordinator's
 * MIN_SCORE threshold on it is calibrated by the evaluation harness
 * (npm run eval, docs/quality.md).
 */

/** Share of the score that follows the window's BM25 rank within its shard (the rest is coverage alone). */
export const DEFAULT_RANK_WEIGHT = 0.5;

export function termCoverage(
  queryTerms: readonly string[],
  present: ReadonlySet<string> | ((term: string) => number),
  idf: (term: string) => number,
): number {
  const share = typeof present === 'function' ? present : (term: string) => (present.has(term) ? 1 : 0);
  let total = 0;
  let found = 0;
  for (const term of queryTerms) {
    const weight = idf(term);
    total += weight;
    found += weight * Math.min(1, Math.max(0, share(term)));
  }
  return total > 0 ? found / total : 0;
}

export function relevanceScore(coverage: number, bm25: number, topBm25: number, rankWeight = DEFAULT_RANK_WEIGHT): number {
  const rank = topBm25 > 0 ? Math.min(1, Math.max(0, bm25 / topBm25)) : 0;
  const score = Math.min(1, Math.max(0, coverage)) * (1 - rankWeight + rankWeight * rank);
  return Math.round(score * 10_000) / 10_000;
}
