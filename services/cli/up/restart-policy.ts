/**
 * When `memfleet up` restarts a crashed child, and when it stops trying: a
 * pure function of the child's recent crash times, so it is tested without
 * processes. Backoff doubles with each crash inside the window; a child that
 * crashes `maxCrashes` times inside the window is given up on (a crash loop:
 * a broken folder, a port taken, a bad key), everything else is restarted.
 */

export interface RestartPolicy {
  /** Wait before the first restart. @defaultValue 500 */
  initialDelayMs: number;
  /** Longest wait between restarts. @defaultValue 8000 */
  maxDelayMs: number;
  /** Crashes inside `windowMs` that make the supervisor give up. @defaultValue 5 */
  maxCrashes: number;
  /** How far back crashes count. @defaultValue 60000 */
  windowMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = { initialDelayMs: 500, maxDelayMs: 8_000, maxCrashes: 5, windowMs: 60_000 };

export type RestartDecision =
  | { action: 'restart'; delayMs: number; recentCrashes: number }
  | { action: 'give-up'; recentCrashes: number; windowMs: number };

/**
 * `crashes`: epoch ms of every crash of this child so far, the latest included.
 * Only those inside the window count, so a child that crashed five times last
 * week and once now is restarted after the initial delay.
 */
export function decideRestart(crashes: readonly number[], now: number, policy: RestartPolicy = DEFAULT_RESTART_POLICY): RestartDecision {
  const recent = crashes.filter((at) => now - at < policy.windowMs).length;
  if (recent >= policy.maxCrashes) return { action: 'give-up', recentCrashes: recent, windowMs: policy.windowMs };
  const delayMs = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.max(0, recent - 1));
  return { action: 'restart', delayMs, recentCrashes: recent };
}
