/**
 * Scenario 5 and the 200K half of scenario 6: one domain of ~199K tokens with
 * the lexical engine, saturated by closed-loop callers with 1 replica, then 2.
 * Each replica's start-up time and memory are recorded as it comes up, and the
 * cores every part of the system used show what limits the throughput.
 */
import { cpus } from 'node:os';
import type { BenchContext } from '../context.js';
import { waitForReplicas } from '../fleet.js';
import { askFleet, JsonClient } from '../http-client.js';
import { sampleProcess } from '../proc-stats.js';
import { DEMO_QUESTIONS } from '../questions.js';
import { startShard, type BenchProcess, type Coordinator } from '../services.js';
import { meteredLoop, type ConcurrentRun } from './fanout.js';
import type { ShardResources } from './lexical.js';

export interface ScalingStep {
  replicas: number;
  run: ConcurrentRun;
}

export interface ScalingResult {
  domain: string;
  cores: number;
  steps: ScalingStep[];
  replicas: ShardResources[];
}

export async function runScaling(ctx: BenchContext, coordinator: Coordinator, contexts: string, domain: string): Promise<ScalingResult> {
  const { settings, say } = ctx;
  const replicas: { proc: BenchProcess; ready: ReturnType<typeof sampleProcess> }[] = [];
  const client = new JsonClient(coordinator.url, settings.concurrency * 2);
  const ask = (i: number) => askFleet(client, { question: DEMO_QUESTIONS[i % DEMO_QUESTIONS.length] as string, shards: [domain], topK: 5 });
  const steps: ScalingStep[] = [];
  try {
    for (const n of [1, 2]) {
      say(`scaling: starting replica ${n} of ${domain}`);
      const proc = await startShard({ domain, contexts, engine: 'lexical' }, ctx.fleetEnv, ctx.nodeFlags);
      replicas.push({ proc, ready: sampleProcess(proc.pid) });
      await waitForReplicas(coordinator.url, { [domain]: n });
      for (let i = 0; i < DEMO_QUESTIONS.length; i++) await ask(i); // warm the new replica
      const groups = new Map([
        ['bench client', [process.pid]],
        ['redis', [ctx.redisPid]],
        ['coordinator', [coordinator.pid]],
        ['shards', replicas.map((r) => r.proc.pid)],
      ]);
      steps.push({ replicas: n, run: await meteredLoop(ask, groups, settings.concurrency, settings.scalingMs, settings.concurrentWarmupMs) });
    }
    return {
      domain,
      cores: cpus().length,
      steps,
      replicas: replicas.map((r) => ({ name: r.proc.name, startupMs: r.proc.startupMs, ready: r.ready, afterLoad: sampleProcess(r.proc.pid) })),
    };
  } finally {
    client.close();
    await Promise.all(replicas.map((r) => r.proc.stop()));
  }
}
