/** The benchmark's percentile math (bench/stats.ts): the figures in docs/performance.md rest on it. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { median, percentile, ratio, summarize } from '../../bench/stats.js';

describe('benchmark statistics', () => {
  test('When the sample count is even, then the median interpolates between the middle two', () => {
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.equal(median([7]), 7);
  });

  test('When p99 is asked of 101 ordered values, then it is the 100th, and p0/p100 are the extremes', () => {
    const values = Array.from({ length: 101 }, (_, i) => 100 - i); // unsorted on purpose
    assert.equal(percentile(values, 99), 99);
    assert.equal(percentile(values, 0), 0);
    assert.equal(percentile(values, 100), 100);
    assert.equal(percentile([10, 20], 25), 12.5);
  });

  test('When there are no samples or p is out of range, then it throws instead of inventing a number', () => {
    assert.throws(() => percentile([], 50), RangeError);
    assert.throws(() => percentile([1], 101), RangeError);
    assert.throws(() => summarize([]), RangeError);
  });

  test('When a summary is taken, then it does not reorder the caller\'s array and its fields agree', () => {
    const values = [5, 1, 4, 2, 3];
    const s = summarize(values);
    assert.deepEqual(values, [5, 1, 4, 2, 3]);
    assert.deepEqual({ n: s.n, min: s.min, p50: s.p50, max: s.max, mean: s.mean }, { n: 5, min: 1, p50: 3, max: 5, mean: 3 });
  });

  test('When a ratio has no denominator, then it is null rather than Infinity', () => {
    assert.equal(ratio(3, 2), 1.5);
    assert.equal(ratio(3, 0), null);
    assert.equal(ratio(null, 2), null);
  });
});
