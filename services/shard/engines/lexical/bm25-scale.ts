/**
 * What a window's BM25 is divided by for the rank part of its relevance score
 * (relevance.ts: coverage × (1 − rankWeight + rankWeight × bm25 / divisor)).
 *
 * - `shard-best`: this shard's best BM25 for the question. Every shard's best
 *   window then gets the full rank factor, however weak it is next to another
 *   shard's: the rank is shard-relative by construction, and a shard holding
 *   only loose matches scores its best one like a shard holding the answer.
 * - `ceiling`: the BM25 of a perfect match in this shard: a window holding
 *   every question term the domain uses, each with a saturated term frequency
 *   at average length, (k1 + 1 + d) × Σ idf(t), with the IDF BM25 itself runs
 *   on (this domain's). An absolute scale: a window's rank is its share of a
 *   perfect match, not of what else its shard happens to hold. Terms the
 *   domain never uses are left out because BM25 can never match them and the
 *   coverage already charges for them (unknownTermWeight); counting them made
 *   a small domain refuse a question half made of everyday words it never
 *   uses (test/unit/answer-quality.test.ts). A title match or synonyms can lift
 *   a window past the ceiling; the relevance score clamps the rank to 1.
 *   (Variants measured on the dev half are in docs/quality.md.)
 * - `ceiling-all-terms`: the same, counting the terms the domain never uses
 *   too (at their BM25 IDF for df 0). Measured, not the default.
 */
export type RankScale = 'shard-best' | 'ceiling' | 'ceiling-all-terms';

export const DEFAULT_RANK_SCALE: RankScale = 'ceiling';

/** What the ceiling needs of the domain's vocabulary (vocabulary.ts). */
export interface TermCounts {
  documentFrequency(term: string): number;
  idf(term: string): number;
}

export function bm25Ceiling(queryTerms: readonly string[], vocabulary: TermCounts, bm25: { k: number; d: number }, allTerms = false): number {
  let sum = 0;
  for (const term of queryTerms) if (allTerms || vocabulary.documentFrequency(term) > 0) sum += vocabulary.idf(term);
  return (bm25.k + 1 + bm25.d) * sum;
}

export function rankDivisor(scale: RankScale, topBm25: number, queryTerms: readonly string[], vocabulary: TermCounts, bm25: { k: number; d: number }): number {
  return scale === 'shard-best' ? topBm25 : bm25Ceiling(queryTerms, vocabulary, bm25, scale === 'ceiling-all-terms');
}
