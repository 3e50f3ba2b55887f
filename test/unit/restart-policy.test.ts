/** When `memfleet up` restarts a crashed child, and when it gives up (services/cli/up/restart-policy.ts). */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decideRestart, DEFAULT_RESTART_POLICY } from '../../services/cli/up/restart-policy.js';

const NOW = 1_000_000;

describe('decideRestart', () => {
  test('When a child crashes for the first time, then it is restarted after the initial delay', () => {
    assert.deepEqual(decideRestart([NOW], NOW), { action: 'restart', delayMs: 500, recentCrashes: 1 });
  });

  test('When crashes follow each other inside the window, then the delay doubles, capped', () => {
    const delays = [1, 2, 3, 4].map((n) => decideRestart(Array.from({ length: n }, (_, i) => NOW - i * 1000), NOW, { ...DEFAULT_RESTART_POLICY, maxCrashes: 10 }));
    assert.deepEqual(delays.map((d) => (d.action === 'restart' ? d.delayMs : -1)), [500, 1000, 2000, 4000]);
    const many = decideRestart(Array.from({ length: 9 }, (_, i) => NOW - i), NOW, { ...DEFAULT_RESTART_POLICY, maxCrashes: 10 });
    assert.deepEqual(many, { action: 'restart', delayMs: 8000, recentCrashes: 9 });
  });

  test('When a child crashes the fifth time within 60 s, then the supervisor gives up on it', () => {
    const crashes = [NOW - 50_000, NOW - 30_000, NOW - 10_000, NOW - 1_000, NOW];
    assert.deepEqual(decideRestart(crashes, NOW), { action: 'give-up', recentCrashes: 5, windowMs: 60_000 });
  });

  test('When earlier crashes are older than the window, then they do not count', () => {
    const crashes = [NOW - 500_000, NOW - 400_000, NOW - 300_000, NOW - 200_000, NOW - 61_000, NOW];
    assert.deepEqual(decideRestart(crashes, NOW), { action: 'restart', delayMs: 500, recentCrashes: 1 });
  });
});
