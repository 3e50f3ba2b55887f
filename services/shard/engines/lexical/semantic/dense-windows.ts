/**
 * One unit vector per indexed window, and the cosine of a question's vector
 * with every one of them: the dense retrieval channel of the lexical engine
 * (LexicalOptions.dense). A full scan, not an approximate index: a 200K-token
 * domain has about 4,000 windows, so a question costs 4,000 dot products of
 * 64–100 floats, well under a millisecond.
 */
export class DenseWindows {
  /** Window vectors by window id (undefined: a hole left by a forgotten source, or a window without a vector). */
  private readonly vectors: (Float32Array | undefined)[] = [];

  constructor(readonly dimensions: number) {}

  set(id: number, vector: Float32Array): void {
    if (vector.length !== this.dimensions) throw new RangeError(`dense window ${id}: vector of ${vector.length} dimensions, need ${this.dimensions}`);
    this.vectors[id] = vector;
  }

  delete(id: number): void {
    this.vectors[id] = undefined;
  }

  /** Cosine of the unit `query` with each window's unit vector, by window id (0 for holes). */
  cosines(query: Float32Array): Float32Array {
    const out = new Float32Array(this.vectors.length);
    const k = this.dimensions;
    for (let id = 0; id < this.vectors.length; id++) {
      const v = this.vectors[id];
      if (v === undefined) continue;
      let d = 0;
      for (let j = 0; j < k; j++) d += (v[j] as number) * (query[j] as number);
      out[id] = d;
    }
    return out;
  }
}

/** Ids of the `n` largest values, largest first (ties: lower id first). */
export function topIds(values: Float32Array, n: number): number[] {
  if (n <= 0) return [];
  const ids: number[] = [];
  for (let id = 0; id < values.length; id++) {
    const v = values[id] as number;
    if (ids.length === n && v <= (values[ids[n - 1] as number] as number)) continue;
    let i = Math.min(ids.length, n - 1);
    if (ids.length < n) ids.push(id);
    while (i > 0 && (values[ids[i - 1] as number] as number) < v) {
      ids[i] = ids[i - 1] as number;
      i--;
    }
    ids[i] = id;
  }
  return ids;
}
