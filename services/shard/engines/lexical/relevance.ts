/**
 * The cross-shard relevance score of a lexical citation.
 *
 *   score = coverage × (0.5 + 0.5 × min(1, bm25 / ceiling))
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
 *   The IDF is the fleet's when the job carries fleet statistics
 *   (scoring-idf.ts), so coverage is the same whichever shard holds a passage.
 * - bm25 / ceiling ranks the window against a perfect match in this shard
 *   (bm25-scale.ts; round 4 divided by the shard's best window instead, which
 *   gave every shard's best the full factor); it can only halve the score,
 *   because raw BM25 depends on the shard's size and vocabulary.
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
  // topBm25: what bm25 is divided by (bm25-scale.ts: the shard's best, or a perfect match's).
  const rank = topBm25 > 0 ? Math.min(1, Math.max(0, bm25 / topBm25)) : 0;
  const score = Math.min(1, Math.max(0, coverage)) * (1 - rankWeight + rankWeight * rank);
  return Math.round(score * 10_000) / 10_000;
}
