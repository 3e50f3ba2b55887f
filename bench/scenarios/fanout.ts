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

export const VARIANTS = ['bullmqWait', 'bullmqDispatch', 'busInProcess', 'busHttp'] as const;
export type Variant = (typeof VARIANTS)[number];

export const VARIANT_LABELS: Record<Variant, string> = {
  bullmqWait: 'raw BullMQ, job.waitUntilFinished',
  bullmqDispatch: 'raw BullMQ, event dispatch by job id',
  busInProcess: 'memfleet bus in-process (no HTTP), noop engine',
  busHttp: 'memfleet over HTTP, noop engine',
};

export interface ConcurrentRun extends ClosedLoopResult {
  /** Cores each part of the system used during the run. */
  cores: Record<string, number>;
}

export interface FanoutRound {
  ping: SequentialResult;
  sequential: Record<Variant, SequentialResult>;
  concurrent: Record<Variant, ConcurrentRun>;
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
  medians: Record<Variant, VariantMedians>;
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
  const bus = await startInProcessBus(ctx.fleetEnv);
  const client = new JsonClient(coordinator.url, settings.concurrency * 2);
  const ping = new Redis(ctx.redisUrl);
  const question = (i: number) => DEMO_QUESTIONS[i % DEMO_QUESTIONS.length] as string;
  const ops: Record<Variant, Operation> = {
    bullmqWait: async (i) => void (await raw.fanout('waitUntilFinished', question(i))),
    bullmqDispatch: async (i) => void (await raw.fanout('dispatch', question(i))),
    busInProcess: (i) => bus.ask(question(i), [...FANOUT_DOMAINS], 5),
    busHttp: (i) => askFleet(client, { question: question(i), shards: [...FANOUT_DOMAINS], topK: 5 }),
  };
  const groups = new Map<string, number[]>([
    ['bench client', [process.pid]],
    ['redis', [ctx.redisPid]],
    ['coordinator', [coordinator.pid]],
    ['shards', shards.map((s) => s.pid)],
    ['raw workers', workers.map((w) => w.pid)],
  ]);

  const rounds: FanoutRound[] = [];
  try {
    for (let r = 0; r < settings.rounds; r++) {
      // Rotate the order each round so no contender always runs first (or last, on a warmer machine).
      const order = VARIANTS.map((_, i) => VARIANTS[(i + r) % VARIANTS.length] as Variant);
      say(`round ${r + 1}/${settings.rounds}: ${order.join(', ')}`);
      const pingResult = await sequential(async () => void (await ping.ping()), settings.pingCount, 50);
      const seq = {} as Record<Variant, SequentialResult>;
      for (const v of order) seq[v] = await sequential(ops[v], settings.sequentialCount, settings.warmup);
      const conc = {} as Record<Variant, ConcurrentRun>;
      for (const v of order) {
        const meter = new CpuMeter(groups);
        const run = await closedLoop(ops[v], settings.concurrency, settings.concurrentMs, settings.concurrentWarmupMs);
        conc[v] = { ...run, cores: meter.coresUsed() };
      }
      rounds.push({ ping: pingResult, sequential: seq, concurrent: conc });
    }
  } finally {
    ping.disconnect();
    client.close();
    await bus.close();
    await raw.close();
  }

  const coordinatorAfter = sampleProcess(coordinator.pid);
  const shardsAfter = shards.map((s) => ({ name: s.name, afterLoad: sampleProcess(s.pid) }));
  // The coordinator stays up for the lexical and scaling scenarios; the noop shards and raw workers go.
  await Promise.all([...shards, ...workers].map((p) => p.stop()));

  return {
    rounds,
    ping: { p50: median(rounds.map((r) => r.ping.latency.p50)), p99: median(rounds.map((r) => r.ping.latency.p99)) },
    medians: Object.fromEntries(VARIANTS.map((v) => [v, mediansOf(rounds, v)])) as Record<Variant, VariantMedians>,
    coordinator: { startupMs: coordinator.startupMs, afterLoad: coordinatorAfter },
    shards: shardsAfter,
  };
}

/** CPU ms a group of processes spent per completed operation during a run. */
export function cpuMsPerOp(run: ConcurrentRun, group: string): number {
  return run.perSec > 0 ? ((run.cores[group] ?? 0) / run.perSec) * 1000 : 0;
}

function mediansOf(rounds: FanoutRound[], v: Variant): VariantMedians {
  const groups = Object.keys(rounds[0]?.concurrent[v].cores ?? {});
  return {
    p50: median(rounds.map((r) => r.sequential[v].latency.p50)),
    p99: median(rounds.map((r) => r.sequential[v].latency.p99)),
    perSec: median(rounds.map((r) => r.concurrent[v].perSec)),
    concurrentP50: median(rounds.map((r) => r.concurrent[v].latency.p50)),
    concurrentP99: median(rounds.map((r) => r.concurrent[v].latency.p99)),
    cores: Object.fromEntries(groups.map((g) => [g, median(rounds.map((r) => r.concurrent[v].cores[g] ?? 0))])),
    cpuMsPerOp: Object.fromEntries(groups.map((g) => [g, median(rounds.map((r) => cpuMsPerOp(r.concurrent[v], g)))])),
    errors: rounds.reduce((s, r) => s + r.sequential[v].errors + r.concurrent[v].errors, 0),
  };
}
