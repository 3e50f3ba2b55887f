/**
 * Truncated SVD of a sparse matrix by random projection (Halko, Martinsson &
 * Tropp 2011): the k strongest left singular vectors and values of a
 * terms × windows matrix, in a few passes over its non-zeros. This is what
 * latent semantic analysis needs at shard start (latent-space.ts): the full
 * SVD of a 6,000 × 4,000 matrix would take minutes, this takes a fraction of
 * a second. Deterministic (seeded), pure, no dependencies.
 */

/** One column of the matrix: the row indices of its non-zeros and their values. */
export interface SparseColumn {
  rows: Int32Array;
  values: Float64Array;
}

export interface SvdOptions {
  /** Singular vectors kept. */
  rank: number;
  /** Extra random directions, for accuracy of the last kept ones. @defaultValue 10 */
  oversample: number;
  /** Power iterations (sharpen the spectrum when it decays slowly, as text's does). @defaultValue 2 */
  powerIterations: number;
  /** Seed of the random projection, so the same domain gives the same vectors. @defaultValue 1 */
  seed: number;
}

export interface TruncatedSvd {
  /** Left singular vectors, row-major `rows × rank` (row i is the i-th row's coordinates). */
  u: Float64Array;
  /** Singular values, largest first (`rank` of them; zeros when the matrix has lower rank). */
  s: Float64Array;
  rank: number;
}

export const DEFAULT_SVD_OPTIONS: Omit<SvdOptions, 'rank'> = Object.freeze({ oversample: 10, powerIterations: 2, seed: 1 });

/**
 * The `rank` strongest singular triplets' left side of the `rows × columns.length` matrix.
 * Work: (2 + 2 × powerIterations) passes over the non-zeros with `rank + oversample`
 * dense columns, plus Cholesky QR on `columns × l` and `rows × l²` products.
 */
export function truncatedSvd(rows: number, columns: readonly SparseColumn[], options: Partial<SvdOptions> & { rank: number }): TruncatedSvd {
  const opts: SvdOptions = { ...DEFAULT_SVD_OPTIONS, ...options };
  const n = columns.length;
  const rank = Math.max(1, Math.min(opts.rank, rows, n));
  const l = Math.min(rank + Math.max(0, opts.oversample), rows, n);
  // Range finder on the row space (the smaller, column side): Y = Aᵀ Ω, then (Aᵀ A)^q Y.
  const random = gaussian(opts.seed);
  const omega = new Float64Array(rows * l);
  for (let i = 0; i < omega.length; i++) omega[i] = random();
  let y = multiplyTransposed(columns, omega, l);
  for (let it = 0; it < opts.powerIterations; it++) {
    // Only the column side (the smaller one) is re-orthonormalized: one step of AᵀA squares the
    // condition of Y at most, which Cholesky QR run twice in float64 still resolves.
    orthonormalize(y, n, l, 1);
    y = multiplyTransposed(columns, multiply(rows, columns, y, l), l);
  }
  orthonormalize(y, n, l, 2);
  // A ≈ C Qᵀ with C = A Q (rows × l); C's left singular vectors are A's.
  const c = multiply(rows, columns, y, l);
  const gram = new Float64Array(l * l);
  for (let r = 0; r < rows; r++) {
    const o = r * l;
    for (let i = 0; i < l; i++) {
      const ci = c[o + i] as number;
      if (ci === 0) continue;
      for (let j = i; j < l; j++) gram[i * l + j] = (gram[i * l + j] as number) + ci * (c[o + j] as number);
    }
  }
  for (let i = 0; i < l; i++) for (let j = 0; j < i; j++) gram[i * l + j] = gram[j * l + i] as number;
  const { values, vectors } = symmetricEigen(gram, l);
  const order = [...values.keys()].sort((a, b) => (values[b] as number) - (values[a] as number)).slice(0, rank);
  const s = new Float64Array(rank);
  const u = new Float64Array(rows * rank);
  order.forEach((e, k) => {
    const sigma = Math.sqrt(Math.max(0, values[e] as number));
    s[k] = sigma;
    if (sigma <= 1e-12) return;
    for (let r = 0; r < rows; r++) {
      let sum = 0;
      for (let j = 0; j < l; j++) sum += (c[r * l + j] as number) * (vectors[j * l + e] as number);
      u[r * rank + k] = sum / sigma;
    }
  });
  return { u, s, rank };
}

/** A (rows × n, sparse by column) times X (n × l, row-major) → rows × l. */
function multiply(rows: number, columns: readonly SparseColumn[], x: Float64Array, l: number): Float64Array {
  const out = new Float64Array(rows * l);
  columns.forEach((col, d) => {
    const xo = d * l;
    for (let i = 0; i < col.rows.length; i++) {
      const ro = (col.rows[i] as number) * l;
      const w = col.values[i] as number;
      for (let j = 0; j < l; j++) out[ro + j] = (out[ro + j] as number) + w * (x[xo + j] as number);
    }
  });
  return out;
}

/** Aᵀ (n × rows) times X (rows × l, row-major) → n × l. */
function multiplyTransposed(columns: readonly SparseColumn[], x: Float64Array, l: number): Float64Array {
  const out = new Float64Array(columns.length * l);
  columns.forEach((col, d) => {
    const oo = d * l;
    for (let i = 0; i < col.rows.length; i++) {
      const xo = (col.rows[i] as number) * l;
      const w = col.values[i] as number;
      for (let j = 0; j < l; j++) out[oo + j] = (out[oo + j] as number) + w * (x[xo + j] as number);
    }
  });
  return out;
}

/**
 * Orthonormalizes the l columns of a row-major `rows × l` matrix in place, by
 * Cholesky QR (G = MᵀM = RᵀR, M ← M R⁻¹), run twice where accuracy matters
 * (a second pass repairs what the first lost to a badly conditioned M):
 * every pass reads rows contiguously, several times faster than
 * Gram–Schmidt's column walks. A column dependent on earlier ones becomes 0.
 */
function orthonormalize(m: Float64Array, rows: number, l: number, passes: number): void {
  for (let pass = 0; pass < passes; pass++) {
    const g = new Float64Array(l * l);
    for (let r = 0; r < rows; r++) {
      const o = r * l;
      for (let i = 0; i < l; i++) {
        const mi = m[o + i] as number;
        if (mi === 0) continue;
        const gi = i * l;
        for (let j = i; j < l; j++) g[gi + j] = (g[gi + j] as number) + mi * (m[o + j] as number);
      }
    }
    // Upper-triangular R with RᵀR = G; a pivot that vanishes (a dependent column) gives a zero column.
    const rMat = new Float64Array(l * l);
    const scale = Math.max(1e-300, ...Array.from({ length: l }, (_, i) => g[i * l + i] as number));
    for (let i = 0; i < l; i++) {
      let d = g[i * l + i] as number;
      for (let k = 0; k < i; k++) d -= (rMat[k * l + i] as number) ** 2;
      if (d <= 1e-12 * scale) continue;
      const rii = Math.sqrt(d);
      rMat[i * l + i] = rii;
      for (let j = i + 1; j < l; j++) {
        let v = g[i * l + j] as number;
        for (let k = 0; k < i; k++) v -= (rMat[k * l + i] as number) * (rMat[k * l + j] as number);
        rMat[i * l + j] = v / rii;
      }
    }
    // Each row x ← x R⁻¹ (forward substitution on xᵀ = Rᵀ yᵀ).
    const row = new Float64Array(l);
    for (let r = 0; r < rows; r++) {
      const o = r * l;
      for (let j = 0; j < l; j++) {
        const rjj = rMat[j * l + j] as number;
        if (rjj === 0) {
          row[j] = 0;
          continue;
        }
        let v = m[o + j] as number;
        for (let k = 0; k < j; k++) v -= (row[k] as number) * (rMat[k * l + j] as number);
        row[j] = v / rjj;
      }
      m.set(row, o);
    }
  }
}

/**
 * Eigenvalues and eigenvectors (columns of `vectors`, row-major l × l) of a
 * symmetric matrix, by cyclic Jacobi rotations: small matrices only (l ≈ 100).
 */
export function symmetricEigen(matrix: Float64Array, l: number): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(matrix);
  const v = new Float64Array(l * l);
  for (let i = 0; i < l; i++) v[i * l + i] = 1;
  for (let sweep = 0; sweep < 60; sweep++) {
    let off = 0;
    let diag = 0;
    for (let i = 0; i < l; i++) {
      diag += (a[i * l + i] as number) ** 2;
      for (let j = i + 1; j < l; j++) off += (a[i * l + j] as number) ** 2;
    }
    if (off <= 1e-22 * Math.max(diag, 1e-300)) break;
    for (let p = 0; p < l; p++) {
      for (let q = p + 1; q < l; q++) {
        const apq = a[p * l + q] as number;
        if (Math.abs(apq) < 1e-300) continue;
        const app = a[p * l + p] as number;
        const aqq = a[q * l + q] as number;
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const cos = 1 / Math.sqrt(t * t + 1);
        const sin = t * cos;
        for (let k = 0; k < l; k++) {
          const akp = a[k * l + p] as number;
          const akq = a[k * l + q] as number;
          a[k * l + p] = cos * akp - sin * akq;
          a[k * l + q] = sin * akp + cos * akq;
        }
        for (let k = 0; k < l; k++) {
          const apk = a[p * l + k] as number;
          const aqk = a[q * l + k] as number;
          a[p * l + k] = cos * apk - sin * aqk;
          a[q * l + k] = sin * apk + cos * aqk;
        }
        for (let k = 0; k < l; k++) {
          const vkp = v[k * l + p] as number;
          const vkq = v[k * l + q] as number;
          v[k * l + p] = cos * vkp - sin * vkq;
          v[k * l + q] = sin * vkp + cos * vkq;
        }
      }
    }
  }
  const values = new Float64Array(l);
  for (let i = 0; i < l; i++) values[i] = a[i * l + i] as number;
  return { values, vectors: v };
}

/** Standard normal numbers from a seeded 32-bit generator (mulberry32 + Box–Muller). */
function gaussian(seed: number): () => number {
  let state = seed >>> 0;
  const uniform = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 1) / 4294967297;
  };
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}
