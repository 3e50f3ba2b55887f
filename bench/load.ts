/**
 * Load shapes. `sequential`: one operation at a time, so each sample is pure
 * latency. `closedLoop`: N callers each issuing the next operation as soon as
 * the previous one returns, for a fixed time: completed operations per second
 * is the throughput at that concurrency.
 */
import { summarize, type Summary } from './stats.js';

export type Operation = (i: number) => Promise<void>;

export interface SequentialResult {
  latency: Summary;
  errors: number;
  firstError?: string;
}

export async function sequential(op: Operation, count: number, warmup: number): Promise<SequentialResult> {
  let errors = 0;
  let firstError: string | undefined;
  for (let i = 0; i < warmup; i++) await op(i).catch(() => undefined);
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    try {
      await op(i);
      samples.push(performance.now() - t0);
    } catch (err) {
      errors++;
      firstError ??= message(err);
    }
  }
  if (samples.length === 0) throw new Error(`every operation failed: ${firstError ?? 'unknown error'}`);
  return { latency: summarize(samples), errors, ...(firstError ? { firstError } : {}) };
}

export interface ClosedLoopResult {
  concurrency: number;
  durationSec: number;
  completed: number;
  perSec: number;
  latency: Summary;
  errors: number;
  firstError?: string;
}

/** Called when the measuring window opens and closes (after the warm-up), e.g. to read CPU counters over exactly that window. */
export interface WindowHooks {
  opened?: () => void;
  closed?: () => void;
}

export async function closedLoop(op: Operation, concurrency: number, durationMs: number, warmupMs: number, hooks: WindowHooks = {}): Promise<ClosedLoopResult> {
  let errors = 0;
  let firstError: string | undefined;
  const samples: number[] = [];
  let counter = 0;
  let completed = 0;
  const startAt = performance.now();
  const measureFrom = startAt + warmupMs;
  const stopAt = measureFrom + durationMs;
  const caller = async () => {
    while (performance.now() < stopAt) {
      const t0 = performance.now();
      try {
        await op(counter++);
        const t1 = performance.now();
        // Operations that end inside the window: unbiased throughput in a steady state.
        if (t1 >= measureFrom && t1 <= stopAt) {
          samples.push(t1 - t0);
          completed++;
        }
      } catch (err) {
        errors++;
        firstError ??= message(err);
      }
    }
  };
  const opening = setTimeout(() => hooks.opened?.(), warmupMs);
  const closing = setTimeout(() => hooks.closed?.(), warmupMs + durationMs);
  try {
    await Promise.all(Array.from({ length: concurrency }, caller));
  } finally {
    clearTimeout(opening);
    clearTimeout(closing);
  }
  if (samples.length === 0) throw new Error(`no operation completed inside the measuring window: ${firstError ?? 'too slow?'}`);
  const durationSec = durationMs / 1000;
  return {
    concurrency,
    durationSec,
    completed,
    perSec: completed / durationSec,
    latency: summarize(samples),
    errors,
    ...(firstError ? { firstError } : {}),
  };
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
