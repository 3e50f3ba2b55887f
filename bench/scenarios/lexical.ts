/**
 * Scenario 4: the same 4-wide fan-out over HTTP, with shards running the real
 * lexical engine on the demo contexts. Each shard is started alone, so its
 * start-up time is not inflated by its siblings' index builds (scenario 6).
 */
import type { BenchContext } from '../context.js';
import { waitForReplicas } from '../fleet.js';
import { askFleet, JsonClient } from '../http-client.js';
import { sequential, type SequentialResult } from '../load.js';
import { sampleProcess, type ProcSample } from '../proc-stats.js';
import { DEMO_QUESTIONS, FANOUT_DOMAINS } from '../questions.js';
import { startShard, type BenchProcess, type Coordinator } from '../services.js';
import { meteredLoop, type ConcurrentRun } from './fanout.js';

export interface ShardResources {
  name: string;
  /** True when other shards were starting at the same time (--quick): the start-up time then includes waiting for the CPU. */
  startedTogether?: boolean;
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
  const start = async (domain: string) => {
    const proc = await startShard({ domain, contexts: ctx.demoContexts, engine: 'lexical' }, ctx.fleetEnv, ctx.nodeFlags);
    return { proc, ready: sampleProcess(proc.pid) };
  };
  const shards: { proc: BenchProcess; ready: ProcSample | null }[] = [];
  if (settings.sequentialStarts) {
    for (const domain of FANOUT_DOMAINS) {
      say(`starting lexical shard ${domain}`);
      shards.push(await start(domain));
    }
  } else {
    say('starting 4 lexical shards together');
    shards.push(...(await Promise.all(FANOUT_DOMAINS.map(start))));
  }
  await waitForReplicas(coordinator.url, Object.fromEntries(FANOUT_DOMAINS.map((d) => [d, 1])));

  const client = new JsonClient(coordinator.url, settings.concurrency * 2);
  const ask = (i: number) => askFleet(client, { question: DEMO_QUESTIONS[i % DEMO_QUESTIONS.length] as string, shards: [...FANOUT_DOMAINS], topK: 5 });
  try {
    say('lexical fan-out: sequential, then concurrent');
    const seq = await sequential(ask, settings.lexicalSequentialCount, DEMO_QUESTIONS.length);
    const groups = new Map([
      ['bench client', [process.pid]],
      ['redis', [ctx.redisPid]],
      ['coordinator', [coordinator.pid]],
      ['shards', shards.map((s) => s.proc.pid)],
    ]);
    const concurrent = await meteredLoop(ask, groups, settings.concurrency, settings.concurrentMs, settings.concurrentWarmupMs);
    const result: LexicalResult = {
      sequential: seq,
      concurrent,
      shards: shards.map((s) => ({
        name: s.proc.name,
        startupMs: s.proc.startupMs,
        startedTogether: !settings.sequentialStarts,
        ready: s.ready,
        afterLoad: sampleProcess(s.proc.pid),
      })),
      coordinatorAfterLoad: sampleProcess(coordinator.pid),
    };
    return result;
  } finally {
    client.close();
    await Promise.all(shards.map((s) => s.proc.stop()));
  }
}
