/**
 * Per-term statistics of one domain: how many windows hold a term (for IDF),
 * how often it occurs, and how it is usually spelled (for readable top terms).
 */

export class Vocabulary {
  private readonly dfByTerm = new Map<string, number>();
  private readonly termFrequency = new Map<string, number>();
  private readonly surfaceCounts = new Map<string, Map<string, number>>();
  /** Occurrences written with a capital first letter (a name is capitalised everywhere, a common word mostly not). */
  private readonly capitalCounts = new Map<string, number>();
  private windows = 0;
  private ranked: string[] | undefined;

  /** Counts one occurrence of `term`, written `surface` in the text. */
  addOccurrence(term: string, surface: string, capitalised = false): void {
    this.termFrequency.set(term, (this.termFrequency.get(term) ?? 0) + 1);
    if (capitalised) this.capitalCounts.set(term, (this.capitalCounts.get(term) ?? 0) + 1);
    let spellings = this.surfaceCounts.get(term);
    if (spellings === undefined) {
      spellings = new Map();
      this.surfaceCounts.set(term, spellings);
    }
    spellings.set(surface, (spellings.get(surface) ?? 0) + 1);
    this.ranked = undefined;
  }

  /** Every term with its spellings in the text and how often each occurs. */
  *spellings(): IterableIterator<[term: string, spellings: ReadonlyMap<string, number>]> {
    yield* this.surfaceCounts;
  }

  /** The share of `term`'s occurrences written with a capital first letter (0 when it does not occur). */
  capitalisedShare(term: string): number {
    const tf = this.termFrequency.get(term) ?? 0;
    return tf === 0 ? 0 : (this.capitalCounts.get(term) ?? 0) / tf;
  }

  /** Takes back one `addOccurrence` (a written source replaced or forgotten). */
  removeOccurrence(term: string, surface: string, capitalised = false): void {
    if (capitalised) {
      const c = (this.capitalCounts.get(term) ?? 0) - 1;
      if (c > 0) this.capitalCounts.set(term, c);
      else this.capitalCounts.delete(term);
    }
    const tf = (this.termFrequency.get(term) ?? 0) - 1;
    if (tf > 0) this.termFrequency.set(term, tf);
    else this.termFrequency.delete(term);
    const spellings = this.surfaceCounts.get(term);
    if (spellings !== undefined) {
      const n = (spellings.get(surface) ?? 0) - 1;
      if (n > 0) spellings.set(surface, n);
      else spellings.delete(surface);
      if (spellings.size === 0) this.surfaceCounts.delete(term);
    }
    this.ranked = undefined;
  }

  /** Takes back one `addWindow`. */
  removeWindow(distinctTerms: Iterable<string>): void {
    this.windows--;
    for (const term of distinctTerms) {
      const df = (this.dfByTerm.get(term) ?? 0) - 1;
      if (df > 0) this.dfByTerm.set(term, df);
      else this.dfByTerm.delete(term);
    }
    this.ranked = undefined;
  }

  /** Counts one indexed window holding these distinct terms. */
  addWindow(distinctTerms: Iterable<string>): void {
    this.windows++;
    for (const term of distinctTerms) {
      this.dfByTerm.set(term, (this.dfByTerm.get(term) ?? 0) + 1);
    }
    this.ranked = undefined;
  }

  get windowCount(): number {
    return this.windows;
  }

  /** Windows holding `term` (0 when the domain never uses it). */
  documentFrequency(term: string): number {
    return this.dfByTerm.get(term) ?? 0;
  }

  /** Every term with the number of windows holding it: the domain's routing statistics. */
  documentFrequencies(): Record<string, number> {
    return Object.fromEntries(this.dfByTerm);
  }

  /**
   * BM25's IDF, ln(1 + (N − df + 0.5) / (df + 0.5)): always positive, and
   * largest for a term the domain never mentions, which is what makes a query
   * term missing from the domain weigh heavily against coverage.
   */
  idf(term: string): number {
    const df = this.dfByTerm.get(term) ?? 0;
    return Math.log(1 + (this.windows - df + 0.5) / (df + 0.5));
  }

  /**
   * Terms ranked by tf × idf: frequent in the domain but not in every window.
   * Each is returned as its most common lower-case spelling (a real word, not a
   * stem); run it through `analyzeText` to compare it with index terms.
   * Numbers, words under three letters and one-off words are left out.
   */
  characteristicTerms(limit: number): string[] {
    if (this.ranked === undefined) this.ranked = this.rank();
    return this.ranked.slice(0, Math.max(0, limit));
  }

  private rank(): string[] {
    const scored: { surface: string; score: number }[] = [];
    for (const [term, tf] of this.termFrequency) {
      if (tf < 2 || term.length < 3 || /\p{N}/u.test(term)) continue;
      scored.push({ surface: this.commonestSpelling(term), score: tf * this.idf(term) });
    }
    scored.sort((a, b) => b.score - a.score || (a.surface < b.surface ? -1 : 1));
    const seen = new Set<string>();
    const ranked: string[] = [];
    for (const { surface } of scored) {
      if (seen.has(surface)) continue;
      seen.add(surface);
      ranked.push(surface);
    }
    return ranked;
  }

  private commonestSpelling(term: string): string {
    let best = term;
    let bestCount = -1;
    for (const [surface, count] of this.surfaceCounts.get(term) ?? []) {
      if (count > bestCount || (count === bestCount && surface < best)) {
        best = surface;
        bestCount = count;
      }
    }
    return best;
  }
}
