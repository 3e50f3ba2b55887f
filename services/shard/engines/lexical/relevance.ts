/**
 * The cross-shard relevance score of a lexical citation.
 *
 *   score = coverage × (0.5 + 0.5 × bm25 / topBm25)
 *
 * - coverage = Σ idf(t) over distinct query terms t present in the window
 *              ÷ Σ idf(t) over all distinct query terms (after stop words and
 *              stemming). Query terms the domain never mentions carry the
 *              largest IDF, so a shard that lacks the rare words of a question
 *              scores low however well it matches the common ones.
 * - bm25 / topBm25 ranks the window against this shard's best window for the
 *   same question; it can only halve the score, because raw BM25 depends on the
 *   shard's size and vocabulary and is not comparable across shards.
 *
 * Both factors are in [0, 1], so the score is too. The weights are a first
 * guess, to be calibrated by the evaluation harness.
 */

export function termCoverage(
  queryTerms: readonly string[],
  present: ReadonlySet<string>,
  idf: (term: string) => number,
): number {
  let total = 0;
  let found = 0;
  for (const term of queryTerms) {
    const weight = idf(term);
    total += weight;
    if (present.has(term)) found += weight;
  }
  return total > 0 ? found / total : 0;
}

export function relevanceScore(coverage: number, bm25: number, topBm25: number): number {
  const rank = topBm25 > 0 ? Math.min(1, Math.max(0, bm25 / topBm25)) : 0;
  const score = Math.min(1, Math.max(0, coverage)) * (0.5 + 0.5 * rank);
  return Math.round(score * 10_000) / 10_000;
}
