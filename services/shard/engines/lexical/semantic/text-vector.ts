/**
 * The meaning of a stretch of text as one vector: the IDF-weighted sum of its
 * words' pre-trained vectors (stop words and unknown words left out). The
 * cosine of a question's vector and a passage's is the semantic signal the
 * lexical engine fuses with its term coverage (LexicalOptions.semanticFusion):
 * it rises when the passage talks about the same things in other words.
 */
import { tokenize, toTerm } from '../../../../../shared/text/text-analysis.js';
import { DIMENSIONS, type WordVectors } from './word-vectors.js';

/** Float vector of `text` (all zeros when no word is known). */
export function textVector(text: string, vectors: WordVectors, idf: (term: string) => number): Float32Array {
  const sum = new Float32Array(DIMENSIONS);
  for (const word of tokenize(text)) {
    const term = toTerm(word);
    if (term === null) continue;
    const v = vectors.vector(word);
    if (v === undefined) continue;
    const w = idf(term);
    for (let i = 0; i < DIMENSIONS; i++) (sum[i] as number) += w * (v[i] as number);
  }
  return sum;
}

export function cosine(a: Float32Array, b: Float32Array): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    ab += x * y;
    aa += x * x;
    bb += y * y;
  }
  return aa === 0 || bb === 0 ? 0 : ab / Math.sqrt(aa * bb);
}
