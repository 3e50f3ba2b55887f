/**
 * Percentiles and summaries for the benchmark. Pure functions, no I/O, so the
 * numbers in docs/performance.md come from code a unit test can check.
 */

/**
 * The p-th percentile (0 ≤ p ≤ 100) of `values`, by linear interpolation
 * between the two nearest ranks (numpy's default, R type 7): the median of
 * [1, 2, 3, 4] is 2.5, the p100 is the maximum.
 * @throws RangeError on an empty array or p outside [0, 100]
 */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new RangeError('percentile: no values (did the scenario record any samples?)');
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile: p must be within [0, 100], got ${p}`);
  const sorted = [...values].sort((a, b) => a - b);
  return percentileOfSorted(sorted, p);
}

function percentileOfSorted(sorted: readonly number[], p: number): number {
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  const low = sorted[lo] as number;
  const high = sorted[hi] as number;
  return low + (high - low) * (rank - lo);
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

export interface Summary {
  n: number;
  min: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/** Summary of latency samples (any unit; the benchmark uses milliseconds). */
export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) throw new RangeError('summarize: no values (did the scenario record any samples?)');
  const sorted = [...values].sort((a, b) => a - b);
  const sum = sorted.reduce((s, v) => s + v, 0);
  return {
    n: sorted.length,
    min: sorted[0] as number,
    p50: percentileOfSorted(sorted, 50),
    p90: percentileOfSorted(sorted, 90),
    p99: percentileOfSorted(sorted, 99),
    max: sorted[sorted.length - 1] as number,
    mean: sum / sorted.length,
  };
}

/** a / b, or null when either side is missing or b is 0 (a ratio the JSON line can carry honestly). */
export function ratio(a: number | null | undefined, b: number | null | undefined): number | null {
  if (a === null || a === undefined || b === null || b === undefined || b === 0) return null;
  return a / b;
}

/** Rounds for printing: 3 significant decimals below 10, 2 below 100, 1 above. */
export function round(value: number): number {
  const abs = Math.abs(value);
  const digits = abs < 10 ? 3 : abs < 100 ? 2 : 1;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
