/**
 * How much one question may ask of a lexical index. The API admits questions
 * of up to 4,000 characters: hundreds of distinct common words, each with its
 * WordNet synonyms, made one shard spend ~800 ms of blocking engine time on a
 * single question (issue 11). Real questions have at most a dozen distinct
 * terms and about a hundred expansions (eval/questions.json on the demo
 * domains: 12 and 110), so the caps below never touch them.
 *
 * Pure: the shard's lexical engine and the coordinator's routing both use it,
 * so routing scores the same terms a shard will.
 */

export interface QueryTermBudget {
  /** Distinct analysed terms of the question that are searched and scored; the most informative are kept. @defaultValue 32 */
  maxTerms: number;
  /** Synonyms and related words added to those terms, in total. @defaultValue 128 */
  maxExpansions: number;
  /**
   * BM25 hits looked at (narrowed to sentences) per question, on top of the
   * `topK` citations asked for; overlapping hits are skipped and do not count
   * towards `topK`, so without a bound a pathological domain could make the
   * engine narrow every window. @defaultValue 200
   */
  maxHitsExamined: number;
}

export const DEFAULT_QUERY_TERM_BUDGET: QueryTermBudget = Object.freeze({ maxTerms: 32, maxExpansions: 128, maxHitsExamined: 200 });

/**
 * The `max` most informative of `terms` (distinct, in question order): the
 * ones with the highest `idf` — rare words decide what a question is about,
 * and a word the domain never uses weighs most of all. Ties keep the earlier
 * term. Returns `terms` itself when it is within the cap.
 */
export function mostInformativeTerms(terms: readonly string[], idf: (term: string) => number, max: number): readonly string[] {
  if (terms.length <= max) return terms;
  const ranked = terms
    .map((term, at) => ({ term, at, weight: idf(term) }))
    .sort((a, b) => b.weight - a.weight || a.at - b.at)
    .slice(0, Math.max(0, max));
  return ranked.sort((a, b) => a.at - b.at).map((r) => r.term);
}
