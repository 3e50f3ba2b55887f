/**
 * Nearest domain terms to a question word, by word-vector cosine: the
 * semantic expansion of the lexical engine (LexicalOptions.semanticWeight).
 * Built once per domain from its vocabulary: each analysed term gets the
 * vector of its commonest spelling that the word vectors know. A question
 * word then finds the terms of this domain used in a similar sense
 * ("profits" → "earnings", "skipper" → "captain") even when WordNet does not
 * link them.
 */
import { DIMENSIONS, SCALE, type WordVectors } from './word-vectors.js';

export interface Neighbour {
  term: string;
  cosine: number;
}

export class DomainNeighbours {
  private constructor(
    private readonly terms: readonly string[],
    private readonly matrix: Int8Array,
  ) {}

  /** `spellings`: each analysed term with its spellings and their counts (Vocabulary.spellings). */
  static build(spellings: Iterable<[string, ReadonlyMap<string, number>]>, vectors: WordVectors): DomainNeighbours {
    const terms: string[] = [];
    const rows: Int8Array[] = [];
    for (const [term, forms] of spellings) {
      let best: Int8Array | undefined;
      let bestCount = -1;
      for (const [surface, count] of forms) {
        const v = count > bestCount ? vectors.vector(surface) : undefined;
        if (v !== undefined) {
          best = v;
          bestCount = count;
        }
      }
      if (best === undefined) continue;
      terms.push(term);
      rows.push(best);
    }
    const matrix = new Int8Array(terms.length * DIMENSIONS);
    rows.forEach((r, i) => matrix.set(r, i * DIMENSIONS));
    return new DomainNeighbours(terms, matrix);
  }

  get size(): number {
    return this.terms.length;
  }

  /** Up to `limit` domain terms with cosine ≥ `minCosine` to `vector`, best first, leaving out `exclude`. */
  nearest(vector: Int8Array, limit: number, minCosine: number, exclude: (term: string) => boolean): Neighbour[] {
    const floor = minCosine * SCALE * SCALE;
    const found: Neighbour[] = [];
    const m = this.matrix;
    for (let i = 0, row = 0; i < this.terms.length; i++, row += DIMENSIONS) {
      let d = 0;
      for (let j = 0; j < DIMENSIONS; j++) d += (vector[j] as number) * (m[row + j] as number);
      if (d < floor) continue;
      const term = this.terms[i] as string;
      if (exclude(term)) continue;
      found.push({ term, cosine: d / (SCALE * SCALE) });
    }
    return found.sort((a, b) => b.cosine - a.cosine || a.term.localeCompare(b.term)).slice(0, limit);
  }
}
