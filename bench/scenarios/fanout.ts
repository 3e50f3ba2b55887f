/**
 * Scenarios 1–3: the Redis floor, raw BullMQ fan-out and memfleet's bus, in
 * interleaved rounds against one Redis, so background load hits every
 * contender alike. memfleet runs as separate processes (a coordinator and four
 * shards with ENGINE=noop); the raw baseline has four worker processes too.
 */
import { Redis } from 'ioredis';
import type { BenchContext } from '../context.js';
import { waitForReplicas } from '../fleet.js';
import { askFleet, JsonClient } from '../http-client.js';
import { startInProcessBus } from '../inprocess-bus.js';
import { closedLoop, sequential, type ClosedLoopResult, type Operation, type SequentialResult } from '../load.js';
import { sampleProcess, CpuMeter, type ProcSample } from '../proc-stats.js';
import { DEMO_QUESTIONS, FANOUT_DOMAINS } from '../questions.js';
import { RawFanout } from '../raw/producer.js';
import { startRawWorker, startShard, type Coordinator } from '../services.js';
import { median } from '../stats.js';

export const VARIANTS = ['bullmqWait', 'bullmqDispatch', 'busInProcessQueueEvents', 'busInProcess', 'busHttp'] as const;
export type Variant = (typeof VARIANTS)[number];

export const VARIANT_LABELS: Record<Variant, string> = {
  bullmqWait: 'raw BullMQ, job.waitUntilFinished',
  bullmqDispatch: 'raw BullMQ, event dispatch by job id',
  busInProcessQueueEvents: 'memfleet bus in-process, previous completion path (QueueEvents per queue)',
  busInProcess: 'memfleet bus in-process (no HTTP), noop engine',
  busHttp: 'memfleet over HTTP, noop engine',
};

export interface ConcurrentRun extends ClosedLoopResult {
  /** Cores each part of the system used during the run. */
  cores: Record<string, number>;
}

export interface FanoutRound {
  ping: SequentialResult;
  sequential: Partial<Record<Variant, SequentialResult>>;
  concurrent: Partial<Record<Variant, ConcurrentRun>>;
}

export interface VariantMedians {
  p50: number;
  p99: number;
  perSec: number;
  concurrentP50: number;
  concurrentP99: number;
  cores: Record<string, number>;
  /** CPU milliseconds each part of the system spent per fan-out under load (cores used / throughput). */
  cpuMsPerOp: Record<string, number>;
  errors: number;
}

export interface FanoutResult {
  rounds: FanoutRound[];
  ping: { p50: number; p99: number };
  /** Every contender measured; the previous completion path only in the full run. */
  medians: Partial<Record<Variant, VariantMedians>> & Record<Exclude<Variant, 'busInProcessQueueEvents'>, VariantMedians>;
  coordinator: { startupMs: number; afterLoad: ProcSample | null };
  shards: { name: string; afterLoad: ProcSample | null }[];
}

/** @param coordinator - the coordinator process, which outlives this scenario (the lexical and scaling ones reuse it) */
export async function runFanout(ctx: BenchContext, coordinator: Coordinator): Promise<FanoutResult> {
  const { settings, say } = ctx;
  const rawPrefix = `${ctx.fleetEnv.MEMFLEET_PREFIX}-raw`;
  const rawQueues = FANOUT_DOMAINS.map((d) => `raw.${d}`);

  say('starting 4 memfleet noop shards and 4 raw BullMQ workers');
  // All at once: their start-up times are not measured here (the lexical scenario starts its shards one by one for that).
  const [shards, workers] = await Promise.all([
    Promise.all(FANOUT_DOMAINS.map((domain) => startShard({ domain, contexts: ctx.demoContexts, engine: 'noop' }, ctx.fleetEnv, ctx.nodeFlags))),
    Promise.all(rawQueues.map((q) => startRawWorker(q, { REDIS_URL: ctx.redisUrl, RAW_PREFIX: rawPrefix }))),
  ]);
  await waitForReplicas(coordinator.url, Object.fromEntries(FANOUT_DOMAINS.map((d) => [d, 1])));

  const raw = new RawFanout(ctx.redisUrl, rawPrefix, rawQueues);
  await raw.ready();
  const client = new JsonClient(coordinator.url, settings.concurrency * 2);
  const ping = new Redis(ctx.redisUrl);
  const question = (i: number) => DEMO_QUESTIONS[i % DEMO_QUESTIONS.length] as string;
  const fixed = (op: Operation) => async () => ({ op, close: async () => undefined });
  // In-process buses exist only while measured: an idle one would still receive (and pay for) every
  // other contender's completions — the QueueEvents one all events of memfleet's queues.
  const inProcess = (completion: 'result-channel' | 'queue-events') => async () => {
    const bus = await startInProcessBus(ctx.fleetEnv, completion);
    // Starts its listeners before the clock does. A QueueEvents listener can miss events until its first
    // XREAD is in place (the old design's start-up race: such a job is found only at its deadline), hence the short one.
    await bus.ask(question(0), [...FANOUT_DOMAINS], 5, 1_500).catch(() => undefined);
    return { op: (i: number) => bus.ask(question(i), [...FANOUT_DOMAINS], 5), close: () => bus.close() };
  };
  const contenders: Record<Variant, () => Promise<{ op: Operation; close: () => Promise<void> }>> = {
    bullmqWait: fixed(async (i) => void (await raw.fanout('waitUntilFinished', question(i)))),
    bullmqDispatch: fixed(async (i) => void (await raw.fanout('dispatch', question(i)))),
    busInProcessQueueEvents: inProcess('queue-events'),
    busInProcess: inProcess('result-channel'),
    busHttp: fixed((i) => askFleet(client, { question: question(i), shards: [...FANOUT_DOMAINS], topK: 5 })),
  };
  const measure = async <T extends { latency: { p50: number } }>(v: Variant, what: string, run: (op: Operation) => Promise<T>): Promise<T> => {
    const started = performance.now();
    const { op, close } = await contenders[v]();
    try {
      const result = await run(op);
      say(`  ${v} ${what}: p50 ${result.latency.p50.toFixed(2)} ms (${((performance.now() - started) / 1000).toFixed(1)} s)`);
      return result;
    } finally {
      await close();
    }
  };
  const groups = new Map<string, number[]>([
    ['bench client', [process.pid]],
    ['redis', [ctx.redisPid]],
    ['coordinator', [coordinator.pid]],
    ['shards', shards.map((s) => s.pid)],
    ['raw workers', workers.map((w) => w.pid)],
  ]);

  // The previous completion path is an ablation for the full run; --quick keeps to the contenders the targets name.
  const variants = VARIANTS.filter((v) => settings.ablation || v !== 'busInProcessQueueEvents');
  const rounds: FanoutRound[] = [];
  try {
    for (let r = 0; r < settings.rounds; r++) {
      // Rotate the order each round so no contender always runs first (or last, on a warmer machine).
      const order = variants.map((_, i) => variants[(i + r) % variants.length] as Variant);
      say(`round ${r + 1}/${settings.rounds}: ${order.join(', ')}`);
      const pingResult = await sequential(async () => void (await ping.ping()), settings.pingCount, 50);
      const seq: Partial<Record<Variant, SequentialResult>> = {};
      for (const v of order) seq[v] = await measure(v, 'sequential', (op) => sequential(op, settings.sequentialCount, settings.warmup));
      const conc: Partial<Record<Variant, ConcurrentRun>> = {};
      for (const v of order) {
        conc[v] = await measure(v, 'concurrent', async (op) => {
          return meteredLoop(op, groups, settings.concurrency, settings.concurrentMs, settings.concurrentWarmupMs);
        });
      }
      rounds.push({ ping: pingResult, sequential: seq, concurrent: conc });
    }
  } finally {
    ping.disconnect();
    client.close();
    await raw.close();
  }

  const coordinatorAfter = sampleProcess(coordinator.pid);
  const shardsAfter = shards.map((s) => ({ name: s.name, afterLoad: sampleProcess(s.pid) }));
  // The coordinator stays up for the lexical and scaling scenarios; the noop shards and raw workers go.
  await Promise.all([...shards, ...workers].map((p) => p.stop()));

  return {
    rounds,
    ping: { p50: median(rounds.map((r) => r.ping.latency.p50)), p99: median(rounds.map((r) => r.ping.latency.p99)) },
    medians: Object.fromEntries(variants.map((v) => [v, mediansOf(rounds, v)])) as Partial<Record<Variant, VariantMedians>> & Record<Exclude<Variant, 'busInProcessQueueEvents'>, VariantMedians>,
    coordinator: { startupMs: coordinator.startupMs, afterLoad: coordinatorAfter },
    shards: shardsAfter,
  };
}

/** A closed-loop run with the CPU each group of processes used over exactly its measuring window. */
export async function meteredLoop(op: Operation, groups: ReadonlyMap<string, readonly number[]>, concurrency: number, durationMs: number, warmupMs: number): Promise<ConcurrentRun> {
  let meter: CpuMeter | undefined;
  let cores: Record<string, number> | undefined;
  const run = await closedLoop(op, concurrency, durationMs, warmupMs, {
    opened: () => (meter = new CpuMeter(groups)),
    closed: () => (cores = meter?.coresUsed()),
  });
  return { ...run, cores: cores ?? meter?.coresUsed() ?? {} };
}

/** CPU ms a group of processes spent per completed operation during a run. */
export function cpuMsPerOp(run: ConcurrentRun, group: string): number {
  return run.perSec > 0 ? ((run.cores[group] ?? 0) / run.perSec) * 1000 : 0;
}

function mediansOf(rounds: FanoutRound[], v: Variant): VariantMedians {
  const seq = rounds.map((r) => r.sequential[v]).filter((x): x is SequentialResult => x !== undefined);
  const conc = rounds.map((r) => r.concurrent[v]).filter((x): x is ConcurrentRun => x !== undefined);
  const groups = Object.keys(conc[0]?.cores ?? {});
  return {
    p50: median(seq.map((x) => x.latency.p50)),
    p99: median(seq.map((x) => x.latency.p99)),
    perSec: median(conc.map((x) => x.perSec)),
    concurrentP50: median(conc.map((x) => x.latency.p50)),
    concurrentP99: median(conc.map((x) => x.latency.p99)),
    cores: Object.fromEntries(groups.map((g) => [g, median(conc.map((x) => x.cores[g] ?? 0))])),
    cpuMsPerOp: Object.fromEntries(groups.map((g) => [g, median(conc.map((x) => cpuMsPerOp(x, g)))])),
    errors: [...seq, ...conc].reduce((sum, x) => sum + x.errors, 0),
  };
}
