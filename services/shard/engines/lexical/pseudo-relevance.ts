/**
 * Pseudo-relevance feedback (RM3-style query expansion): the first retrieval's
 * best windows are assumed relevant, and the terms that characterise them are
 * added to the question at a low weight for a second retrieval. A paraphrase
 * that shares one rare word with the answer's passage can so reach the
 * passage's other words.
 *
 * Pure: the engine passes the windows' analysed terms and its IDF.
 */

export interface FeedbackDocument {
  /** Analysed terms of the window, in order (repeats count). */
  terms: readonly string[];
  /** The window's first-retrieval score; only its ratio to the best counts. */
  score: number;
}

export interface FeedbackTerm {
  term: string;
  /** In (0, 1]: the term's feedback weight relative to the best feedback term. */
  weight: number;
}

/**
 * The `count` terms with the highest Σ_d (score_d / best score) × tf(t, d) / |d| × idf(t)
 * over the feedback documents (RM1's relevance model, weighted by IDF so that
 * words every window uses do not win), leaving out `exclude` (the question's
 * own terms and their expansions).
 */
export function feedbackTerms(
  documents: readonly FeedbackDocument[],
  exclude: ReadonlySet<string>,
  idf: (term: string) => number,
  count: number,
): FeedbackTerm[] {
  const best = documents.reduce((max, d) => Math.max(max, d.score), 0);
  if (best <= 0 || count <= 0) return [];
  const weights = new Map<string, number>();
  for (const doc of documents) {
    if (doc.terms.length === 0) continue;
    const docWeight = doc.score / best / doc.terms.length;
    for (const term of doc.terms) {
      if (exclude.has(term)) continue;
      weights.set(term, (weights.get(term) ?? 0) + docWeight);
    }
  }
  const scored = [...weights].map(([term, w]) => ({ term, weight: w * idf(term) }));
  scored.sort((a, b) => b.weight - a.weight || (a.term < b.term ? -1 : 1));
  const top = scored.slice(0, count);
  const max = top[0]?.weight ?? 0;
  return max > 0 ? top.map((t) => ({ term: t.term, weight: t.weight / max })) : [];
}
