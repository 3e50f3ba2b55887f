/**
 * Many coordinators: the same four noop shards behind 1, then 2 coordinator
 * processes, saturated round-robin by closed-loop callers. Shows the
 * throughput with each count and, from a PSUBSCRIBE on every result channel
 * over the measuring window, the result messages each coordinator received
 * per query it ran: with per-coordinator channels it stays at the number of
 * shards asked, whatever the number of coordinators.
 */
import { Redis } from 'ioredis';
import type { BenchContext } from '../context.js';
import { waitForReplicas } from '../fleet.js';
import { askFleet, JsonClient } from '../http-client.js';
import { DEMO_QUESTIONS, FANOUT_DOMAINS } from '../questions.js';
import { startCoordinator, startShard, type BenchProcess, type Coordinator } from '../services.js';
import { meteredLoop, type ConcurrentRun } from './fanout.js';

export interface CoordinatorStep {
  coordinators: number;
  run: ConcurrentRun;
  /** Result channels that carried messages in the measuring window (one per coordinator). */
  channels: number;
  /** Result messages a coordinator received per query it ran, in the measuring window (= shards asked). */
  messagesPerQuery: number;
  /** Messages on the fleet-wide channel (jobs without an address): 0 expected. */
  fleetWideMessages: number;
}

export interface CoordinatorsResult {
  shardsAsked: number;
  steps: CoordinatorStep[];
}

export async function runCoordinators(ctx: BenchContext, first: Coordinator): Promise<CoordinatorsResult> {
  const { settings, say } = ctx;
  const prefix = String(ctx.fleetEnv.MEMFLEET_PREFIX);
  say('coordinators: starting 4 noop shards');
  const shards = await Promise.all(FANOUT_DOMAINS.map((domain) => startShard({ domain, contexts: ctx.demoContexts, engine: 'noop' }, ctx.fleetEnv, ctx.nodeFlags)));
  const extra: BenchProcess[] = [];
  const listener = new Redis(ctx.redisUrl);
  let counting = false;
  const perChannel = new Map<string, number>();
  listener.on('pmessage', (_p: string, channel: string) => {
    if (counting) perChannel.set(channel, (perChannel.get(channel) ?? 0) + 1);
  });
  await listener.psubscribe(`${prefix}:results*`);
  const steps: CoordinatorStep[] = [];
  try {
    const coordinators: Coordinator[] = [first];
    for (const n of [1, 2]) {
      if (coordinators.length < n) {
        const c = await startCoordinator(ctx.fleetEnv, ctx.nodeFlags);
        extra.push(c);
        coordinators.push(c);
      }
      for (const c of coordinators) await waitForReplicas(c.url, Object.fromEntries(FANOUT_DOMAINS.map((d) => [d, 1])));
      say(`coordinators: ${n} coordinator(s), round-robin`);
      const clients = coordinators.map((c) => new JsonClient(c.url, settings.concurrency * 2));
      const answered = coordinators.map(() => 0);
      const ask = async (i: number) => {
        const k = i % clients.length;
        await askFleet(clients[k]!, { question: DEMO_QUESTIONS[i % DEMO_QUESTIONS.length] as string, shards: [...FANOUT_DOMAINS] });
        if (counting) answered[k]! += 1;
      };
      const groups = new Map<string, number[]>([
        ['coordinators', coordinators.map((c) => c.pid)],
        ['shards', shards.map((s) => s.pid)],
        ['redis', [ctx.redisPid]],
      ]);
      perChannel.clear();
      // Count from the end of the warm-up, when the measuring window opens.
      const timer = setTimeout(() => (counting = true), settings.concurrentWarmupMs);
      const run = await meteredLoop(ask, groups, settings.concurrency, settings.scalingMs, settings.concurrentWarmupMs);
      clearTimeout(timer);
      counting = false;
      for (const c of clients) c.close();
      const channels = [...perChannel.entries()].filter(([ch]) => ch !== `${prefix}:results`);
      const totalAnswered = answered.reduce((a, b) => a + b, 0);
      const totalMessages = channels.reduce((a, [, m]) => a + m, 0);
      // Each per-coordinator channel has one subscriber, its coordinator: what a coordinator receives per query it ran.
      steps.push({
        coordinators: n,
        run,
        channels: channels.length,
        messagesPerQuery: totalAnswered > 0 ? totalMessages / totalAnswered : 0,
        fleetWideMessages: perChannel.get(`${prefix}:results`) ?? 0,
      });
      say(`coordinators: ${n}: ${run.perSec.toFixed(0)}/s, ${totalMessages} result messages for ${totalAnswered} queries`);
    }
    return { shardsAsked: FANOUT_DOMAINS.length, steps };
  } finally {
    listener.disconnect();
    await Promise.all([...extra, ...shards].map((p) => p.stop()));
  }
}
