/**
 * Proximity: how much of the question a short run of consecutive terms holds.
 * Query words found close together (within `span` analysed terms, across line
 * and sentence breaks) are better evidence than the same words scattered over
 * a paragraph; the sentence coverage measures this per sentence, this per
 * fixed-width stretch, which also works for long sentences and for dialogue
 * broken into short ones.
 *
 * Pure: the engine passes the window's analysed terms and how each term counts.
 */

/** What a window term stands for: a question term (`concept`) at `weight` (1 for the term itself, lower for a synonym). */
export type ConceptOf = (term: string) => { concept: string; weight: number } | undefined;

/**
 * The highest Σ idf(concept) × weight over the distinct concepts found within
 * any `span` consecutive terms, ÷ totalIdf (so in [0, 1]).
 */
export function spanCoverage(
  terms: readonly string[],
  span: number,
  conceptOf: ConceptOf,
  idf: (concept: string) => number,
  totalIdf: number,
): number {
  if (totalIdf <= 0 || span <= 0) return 0;
  const hits: { at: number; concept: string; weight: number }[] = [];
  for (const [at, term] of terms.entries()) {
    const c = conceptOf(term);
    if (c !== undefined) hits.push({ at, concept: c.concept, weight: c.weight });
  }
  let best = 0;
  for (let i = 0; i < hits.length; i++) {
    const start = (hits[i] as { at: number }).at;
    const found = new Map<string, number>();
    for (let j = i; j < hits.length; j++) {
      const h = hits[j] as { at: number; concept: string; weight: number };
      if (h.at - start >= span) break;
      found.set(h.concept, Math.max(found.get(h.concept) ?? 0, h.weight));
    }
    let sum = 0;
    for (const [concept, weight] of found) sum += idf(concept) * weight;
    best = Math.max(best, sum);
  }
  return Math.min(1, best / totalIdf);
}
