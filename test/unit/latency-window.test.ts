import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LatencyWindow } from '../../services/coordinator/fanout/latency-window.js';

describe('LatencyWindow (p50 per shard)', () => {
  test('When nothing was recorded, then p50 is null', () => {
    assert.equal(new LatencyWindow().p50('a'), null);
  });

  test('When values are recorded, then p50 is their median, per shard', () => {
    const w = new LatencyWindow();
    for (const v of [5, 1, 9]) w.record('a', v);
    for (const v of [2, 4, 6, 8]) w.record('b', v);
    assert.equal(w.p50('a'), 5);
    assert.equal(w.p50('b'), 5);
    assert.equal(w.count('b'), 4);
  });

  test('When more values arrive than the window holds, then only the newest count', () => {
    const w = new LatencyWindow(3);
    for (const v of [100, 100, 100, 1, 2, 3]) w.record('a', v);
    assert.equal(w.p50('a'), 2);
    assert.equal(w.count('a'), 3);
  });
});
