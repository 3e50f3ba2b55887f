/** How much each scenario measures: `--quick` (under a minute) or the full run (a few minutes). */
export interface BenchSettings {
  quick: boolean;
  /** Interleaved rounds of the fan-out comparison; medians across rounds are reported. */
  rounds: number;
  /** Sequential fan-outs per scenario per round (after `warmup` unmeasured ones). */
  sequentialCount: number;
  warmup: number;
  pingCount: number;
  /** Closed-loop callers for the throughput runs. */
  concurrency: number;
  concurrentMs: number;
  concurrentWarmupMs: number;
  lexicalSequentialCount: number;
  /** How many times the engine-alone scenario asks each question of each domain. */
  engineRepeats: number;
  /** Run the engine-alone scenario on the demo domains too (always on the 200K one). */
  engineOnDemoDomains: boolean;
  scalingMs: number;
  /** Start the lexical demo shards one at a time, so each start-up time is its own (the full run); --quick starts them together. */
  sequentialStarts: boolean;
  /** Also measure memfleet's previous completion path (QueueEvents per queue), to show what replacing it bought. */
  ablation: boolean;
}

export function benchSettings(quick: boolean, overrides: { rounds?: number; concurrency?: number }): BenchSettings {
  const base: BenchSettings = quick
    ? {
        quick,
        rounds: 2,
        sequentialCount: 80,
        warmup: 15,
        pingCount: 500,
        concurrency: 16,
        concurrentMs: 1_000,
        concurrentWarmupMs: 300,
        lexicalSequentialCount: 36,
        engineRepeats: 3,
        engineOnDemoDomains: false,
        scalingMs: 1_500,
        sequentialStarts: false,
        ablation: false,
      }
    : {
        quick,
        rounds: 5,
        sequentialCount: 400,
        warmup: 50,
        pingCount: 2_000,
        concurrency: 16,
        concurrentMs: 4_000,
        concurrentWarmupMs: 500,
        lexicalSequentialCount: 240,
        engineRepeats: 10,
        engineOnDemoDomains: true,
        scalingMs: 6_000,
        sequentialStarts: true,
        ablation: true,
      };
  return { ...base, ...(overrides.rounds ? { rounds: overrides.rounds } : {}), ...(overrides.concurrency ? { concurrency: overrides.concurrency } : {}) };
}
