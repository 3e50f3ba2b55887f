/**
 * What a window's BM25 is divided by for the rank part of its relevance score
 * (relevance.ts: coverage × (1 − rankWeight + rankWeight × bm25 / divisor)).
 *
 * - `shard-best`: this shard's best BM25 for the question. Every shard's best
 *   window then gets the full rank factor, however weak it is next to another
 *   shard's: the rank is shard-relative by construction, and a shard holding
 *   only loose matches scores its best one like a shard holding the answer.
 * - `ceiling`: the BM25 a window of this shard would get holding every
 *   question term with a saturated term frequency at average length,
 *   (k1 + 1 + d) × Σ idf(t) over the question's scored terms, with the IDF
 *   BM25 itself runs on (this domain's). An absolute scale: a window's rank is
 *   its share of a perfect match, not of what else its shard happens to hold,
 *   so a shard of loose matches no longer gives its best one the full factor.
 *   A title match or synonyms can lift a window past it; the relevance score
 *   clamps the rank to 1. (Dividing by a ceiling on fleet-wide IDF, or running
 *   BM25 itself on fleet-wide IDF, measured worse: docs/quality.md.)
 */
export type RankScale = 'shard-best' | 'ceiling';

export const DEFAULT_RANK_SCALE: RankScale = 'ceiling';

export function bm25Ceiling(queryTerms: readonly string[], idf: (term: string) => number, bm25: { k: number; d: number }): number {
  let sum = 0;
  for (const term of queryTerms) sum += idf(term);
  return (bm25.k + 1 + bm25.d) * sum;
}

export function rankDivisor(
  scale: RankScale,
  topBm25: number,
  queryTerms: readonly string[],
  idf: (term: string) => number,
  bm25: { k: number; d: number },
): number {
  return scale === 'shard-best' ? topBm25 : bm25Ceiling(queryTerms, idf, bm25);
}
