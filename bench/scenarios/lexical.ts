/**
 * Scenario 4: the same 4-wide fan-out over HTTP, with shards running the real
 * lexical engine on the demo contexts. Each shard is started alone, so its
 * start-up time is not inflated by its siblings' index builds (scenario 6).
 */
import type { BenchContext } from '../context.js';
import { waitForReplicas } from '../fleet.js';
import { askFleet, JsonClient } from '../http-client.js';
import { closedLoop, sequential, type SequentialResult } from '../load.js';
import { CpuMeter, sampleProcess, type ProcSample } from '../proc-stats.js';
import { DEMO_QUESTIONS, FANOUT_DOMAINS } from '../questions.js';
import { startShard, type BenchProcess, type Coordinator } from '../services.js';
import type { ConcurrentRun } from './fanout.js';

export interface ShardResources {
  name: string;
  startupMs: number;
  ready: ProcSample | null;
  afterLoad: ProcSample | null;
}

export interface LexicalResult {
  sequential: SequentialResult;
  concurrent: ConcurrentRun;
  shards: ShardResources[];
  coordinatorAfterLoad: ProcSample | null;
}

export async function runLexical(ctx: BenchContext, coordinator: Coordinator): Promise<LexicalResult> {
  const { settings, say } = ctx;
  const shards: { proc: BenchProcess; ready: ProcSample | null }[] = [];
  for (const domain of FANOUT_DOMAINS) {
    say(`starting lexical shard ${domain}`);
    const proc = await startShard({ domain, contexts: ctx.demoContexts, engine: 'lexical' }, ctx.fleetEnv, ctx.nodeFlags);
    shards.push({ proc, ready: sampleProcess(proc.pid) });
  }
  await waitForReplicas(coordinator.url, Object.fromEntries(FANOUT_DOMAINS.map((d) => [d, 1])));

  const client = new JsonClient(coordinator.url, settings.concurrency * 2);
  const ask = (i: number) => askFleet(client, { question: DEMO_QUESTIONS[i % DEMO_QUESTIONS.length] as string, shards: [...FANOUT_DOMAINS], topK: 5 });
  try {
    say('lexical fan-out: sequential, then concurrent');
    const seq = await sequential(ask, settings.lexicalSequentialCount, DEMO_QUESTIONS.length);
    const meter = new CpuMeter(
      new Map([
        ['bench client', [process.pid]],
        ['redis', [ctx.redisPid]],
        ['coordinator', [coordinator.pid]],
        ['shards', shards.map((s) => s.proc.pid)],
      ]),
    );
    const run = await closedLoop(ask, settings.concurrency, settings.concurrentMs, settings.concurrentWarmupMs);
    const concurrent = { ...run, cores: meter.coresUsed() };
    const result: LexicalResult = {
      sequential: seq,
      concurrent,
      shards: shards.map((s) => ({ name: s.proc.name, startupMs: s.proc.startupMs, ready: s.ready, afterLoad: sampleProcess(s.proc.pid) })),
      coordinatorAfterLoad: sampleProcess(coordinator.pid),
    };
    return result;
  } finally {
    client.close();
    await Promise.all(shards.map((s) => s.proc.stop()));
  }
}
