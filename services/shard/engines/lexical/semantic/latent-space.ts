/**
 * Latent semantic analysis of one domain, trained at shard start on the
 * domain's own text: the truncated SVD (randomized-svd.ts) of its
 * terms × windows TF-IDF matrix. Terms that occur in the same passages get
 * nearby vectors, so a question and a passage that share few words but talk
 * about the same things (in this domain's usage) get a high cosine. Nothing
 * is downloaded or shipped: the vectors are the domain's.
 *
 * A text (a window, a question) is placed in the space by folding it in:
 * the sum of its terms' vectors, weighted by (1 + ln tf) × idf, the same
 * weighting the matrix was built with. Windows added later (written notes)
 * fold in the same way; terms the training never saw have no vector.
 */
import { truncatedSvd, type SparseColumn } from './randomized-svd.js';

export interface LatentSpaceOptions {
  /** Dimensions kept. @defaultValue 100 */
  dimensions: number;
  /** Terms in fewer windows than this are left out (a word seen once co-occurs by accident). @defaultValue 2 */
  minDocumentFrequency: number;
  /** Power iterations of the randomized SVD. @defaultValue 2 */
  powerIterations: number;
}

export const DEFAULT_LATENT_SPACE_OPTIONS: LatentSpaceOptions = Object.freeze({ dimensions: 100, minDocumentFrequency: 2, powerIterations: 2 });

export class LatentSpace {
  private constructor(
    private readonly termIndex: ReadonlyMap<string, number>,
    /** Row-major terms × dimensions. */
    private readonly termVectors: Float32Array,
    readonly dimensions: number,
  ) {}

  /**
   * `windows`: each window's analysed terms (with repeats); `idf`: the domain's IDF.
   * A domain too small to hold `dimensions` independent directions gets fewer.
   */
  static train(windows: readonly (readonly string[])[], idf: (term: string) => number, options: Partial<LatentSpaceOptions> = {}): LatentSpace {
    const opts = { ...DEFAULT_LATENT_SPACE_OPTIONS, ...options };
    const df = new Map<string, number>();
    for (const terms of windows) for (const t of new Set(terms)) df.set(t, (df.get(t) ?? 0) + 1);
    const termIndex = new Map<string, number>();
    for (const [t, n] of df) if (n >= opts.minDocumentFrequency) termIndex.set(t, termIndex.size);
    const columns: SparseColumn[] = [];
    for (const terms of windows) {
      const weights = weigh(terms, termIndex, idf);
      if (weights.size === 0) continue;
      columns.push({ rows: Int32Array.from(weights.keys(), (t) => termIndex.get(t) as number), values: Float64Array.from(weights.values()) });
    }
    const rows = termIndex.size;
    if (rows === 0 || columns.length === 0) return new LatentSpace(new Map(), new Float32Array(0), 0);
    const svd = truncatedSvd(rows, columns, { rank: opts.dimensions, powerIterations: opts.powerIterations });
    let k = svd.rank;
    while (k > 0 && (svd.s[k - 1] as number) <= 1e-9) k--;
    const termVectors = new Float32Array(rows * k);
    for (let r = 0; r < rows; r++) for (let j = 0; j < k; j++) termVectors[r * k + j] = svd.u[r * svd.rank + j] as number;
    return new LatentSpace(termIndex, termVectors, k);
  }

  /** Terms that have a vector. */
  get size(): number {
    return this.termIndex.size;
  }

  has(term: string): boolean {
    return this.termIndex.has(term);
  }

  /**
   * Unit vector of a text from its analysed terms (with repeats), each
   * weighted (1 + ln tf) × idf × `boost(term)`; all zeros when none has a vector.
   */
  embed(terms: readonly string[], idf: (term: string) => number, boost: (term: string) => number = () => 1): Float32Array {
    const out = new Float32Array(this.dimensions);
    const k = this.dimensions;
    for (const [term, weight] of weigh(terms, this.termIndex, idf)) {
      const row = this.termIndex.get(term) as number;
      const w = weight * boost(term);
      for (let j = 0; j < k; j++) out[j] = (out[j] as number) + w * (this.termVectors[row * k + j] as number);
    }
    return normalize(out);
  }

  /**
   * Up to `limit` terms whose vectors are nearest `term`'s (cosine ≥ `minCosine`),
   * best first, leaving out `exclude`; none when `term` has no vector.
   */
  nearest(term: string, limit: number, minCosine: number, exclude: (term: string) => boolean): { term: string; cosine: number }[] {
    const i = this.termIndex.get(term);
    if (i === undefined || limit <= 0) return [];
    const k = this.dimensions;
    const norms = this.norms();
    const ni = norms[i] as number;
    if (ni === 0) return [];
    const found: { term: string; cosine: number }[] = [];
    for (const [other, r] of this.termIndex) {
      if (r === i || norms[r] === 0) continue;
      let d = 0;
      for (let j = 0; j < k; j++) d += (this.termVectors[i * k + j] as number) * (this.termVectors[r * k + j] as number);
      const c = d / (ni * (norms[r] as number));
      if (c >= minCosine && !exclude(other)) found.push({ term: other, cosine: c });
    }
    return found.sort((a, b) => b.cosine - a.cosine || a.term.localeCompare(b.term)).slice(0, limit);
  }

  private termNorms: Float32Array | undefined;

  private norms(): Float32Array {
    if (this.termNorms === undefined) {
      const k = this.dimensions;
      const norms = new Float32Array(this.termIndex.size);
      for (let r = 0; r < norms.length; r++) {
        let n = 0;
        for (let j = 0; j < k; j++) n += (this.termVectors[r * k + j] as number) ** 2;
        norms[r] = Math.sqrt(n);
      }
      this.termNorms = norms;
    }
    return this.termNorms;
  }

  /** Cosine of two terms' vectors (0 when either has none). */
  similarity(a: string, b: string): number {
    const ia = this.termIndex.get(a);
    const ib = this.termIndex.get(b);
    if (ia === undefined || ib === undefined) return 0;
    const k = this.dimensions;
    let ab = 0;
    let aa = 0;
    let bb = 0;
    for (let j = 0; j < k; j++) {
      const x = this.termVectors[ia * k + j] as number;
      const y = this.termVectors[ib * k + j] as number;
      ab += x * y;
      aa += x * x;
      bb += y * y;
    }
    return aa === 0 || bb === 0 ? 0 : ab / Math.sqrt(aa * bb);
  }
}

/** (1 + ln tf) × idf of each term that has a row. */
function weigh(terms: readonly string[], termIndex: ReadonlyMap<string, number>, idf: (term: string) => number): Map<string, number> {
  const tf = new Map<string, number>();
  for (const t of terms) if (termIndex.has(t)) tf.set(t, (tf.get(t) ?? 0) + 1);
  const out = new Map<string, number>();
  for (const [t, n] of tf) out.set(t, (1 + Math.log(n)) * idf(t));
  return out;
}

export function normalize(v: Float32Array): Float32Array {
  let norm = 0;
  for (let i = 0; i < v.length; i++) norm += (v[i] as number) ** 2;
  norm = Math.sqrt(norm);
  if (norm > 0) for (let i = 0; i < v.length; i++) v[i] = (v[i] as number) / norm;
  return v;
}
