/**
 * Many domains (issue 17): what the coordinator pays per query as the number
 * of domains grows, in broadcast (every domain asked) and routed mode (the few
 * domains whose published term statistics cover the question). Three fleets
 * side by side on the bench's Redis, each with its own prefix and coordinator:
 * 4, 16 and 48 small lexical domains (the demo texts cut into slices of 3,000
 * est. tokens, bench/domain-slices.ts), served by at most 4 shard-host
 * processes per fleet (bench/shard-host.ts: several real shards per process).
 * Rounds interleave every fleet and mode, so background load hits them alike.
 * Per fleet and mode: sequential latency, throughput with closed-loop callers,
 * coordinator CPU per query (from /proc), shard calls per query, and how often
 * routing asked the domain the question quotes.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { routeQuestion, type RoutableDomain } from '../../services/coordinator/domain/routing/route-by-terms.js';
import { HeartbeatStore } from '../../shared/fleet/heartbeat-store.js';
import type { BenchContext } from '../context.js';
import { sliceDomains, sliceQuestions, type DomainSlice, type TextFile } from '../domain-slices.js';
import { waitForReplicas } from '../fleet.js';
import { JsonClient } from '../http-client.js';
import { sequential, type SequentialResult } from '../load.js';
import { CpuMeter, sampleProcess } from '../proc-stats.js';
import { startCoordinator, startShardHost, type BenchProcess, type Coordinator } from '../services.js';
import { median, round } from '../stats.js';
import { cpuMsPerOp, meteredLoop, type ConcurrentRun } from './fanout.js';

export const DOMAIN_COUNTS = [4, 16, 48] as const;
export const MODES = ['broadcast', 'routed'] as const;
export type QueryMode = (typeof MODES)[number];
export const TOKENS_PER_DOMAIN = 3_000;
const QUESTIONS_PER_DOMAIN = 3;
/** Shard-host processes per fleet at most: domain i goes to host i mod 4. */
const HOSTS_PER_FLEET = 4;
/**
 * Closed-loop callers in the throughput runs: a broadcast to 48 domains is 48
 * jobs, so 16 callers would keep 768 jobs in flight on 2 cores and measure
 * only the queue behind the shards.
 */
const LOADED_CALLERS = 4;
/** /proc counts CPU in 10 ms ticks: 5 s resolves 2 ms/s of idle work. */
const IDLE_MS = 5_000;

export interface ManyDomainsMeasure {
  domains: number;
  mode: QueryMode;
  sequential: SequentialResult;
  /** Mean shards a query asked (the reply's `shards`), sequential phase. */
  callsPerQuery: number;
  /** Share of queries whose asked shards include the domain the question quotes. */
  aimedDomainAsked: number;
  /** Coordinator CPU ms over the sequential phase ÷ its queries (idle work included). */
  coordinatorCpuMsSequential: number;
  loaded: ConcurrentRun;
}

export interface ManyDomainsFleetInfo {
  domains: number;
  hosts: number;
  /** Spawn → every shard host ready, all hosts started together, ms. */
  startupMs: number;
  /** Coordinator cores used while no query runs (heartbeat and directory reads). */
  idleCoordinatorCores: number;
  hostPeakRssMb: number;
  /** routeQuestion() alone, in the benchmark process, over this fleet's published manifests: ms per question. */
  routeMsPerQuestion: number;
}

export interface ManyDomainsResult {
  tokensPerDomain: number;
  rounds: number;
  sequentialCount: number;
  concurrency: number;
  loadedMs: number;
  fleets: ManyDomainsFleetInfo[];
  /** The machine's 1-minute load average when the rounds ended (the start's is in the machine line). */
  loadAtEnd: number;
  /** One per round, fleet and mode. */
  measures: ManyDomainsMeasure[];
}

interface Fleet {
  domains: number;
  slices: DomainSlice[];
  questions: { domain: string; question: string }[];
  coordinator: Coordinator;
  hosts: BenchProcess[];
  client: JsonClient;
  startupMs: number;
  prefix: string;
}

interface QueryReply {
  shards?: { shard: string; status: string; error?: string }[];
  error?: { code: string; message: string };
}

export async function runManyDomains(ctx: BenchContext): Promise<ManyDomainsResult> {
  const { settings, say } = ctx;
  const rounds = settings.quick ? 1 : 3;
  const sequentialCount = settings.quick ? 45 : 100;
  const warmup = settings.quick ? 10 : 30;
  const loadedMs = Math.max(3_000, settings.scalingMs);
  const corpus = readCorpus(ctx.demoContexts);
  const dir = mkdtempSync(join(tmpdir(), 'memfleet-bench-domains-'));
  const fleets: Fleet[] = [];
  try {
    for (const n of DOMAIN_COUNTS) {
      const slices = sliceDomains(corpus, n, TOKENS_PER_DOMAIN);
      const contexts = join(dir, `d${n}`);
      for (const s of slices) {
        mkdirSync(join(contexts, s.domain), { recursive: true });
        for (const f of s.files) writeFileSync(join(contexts, s.domain, f.name), f.text);
      }
      const env = { ...ctx.fleetEnv, MEMFLEET_PREFIX: `${ctx.fleetEnv.MEMFLEET_PREFIX}-d${n}` };
      say(`many domains: ${n} domains, a coordinator and ${Math.min(HOSTS_PER_FLEET, n)} shard hosts`);
      const coordinator = await startCoordinator(env, ctx.nodeFlags);
      const t0 = performance.now();
      const byHost = Array.from({ length: Math.min(HOSTS_PER_FLEET, n) }, (_, h) => slices.filter((_, i) => i % HOSTS_PER_FLEET === h));
      const hosts = await Promise.all(
        byHost.map((group) => startShardHost(group.map((s) => ({ domain: s.domain, contexts, engine: 'lexical' as const })), env, ctx.nodeFlags)),
      );
      const startupMs = performance.now() - t0;
      fleets.push({ domains: n, slices, questions: sliceQuestions(slices, QUESTIONS_PER_DOMAIN), coordinator, hosts, client: new JsonClient(coordinator.url, settings.concurrency * 2), startupMs, prefix: env.MEMFLEET_PREFIX });
      await waitForReplicas(coordinator.url, Object.fromEntries(slices.map((s) => [s.domain, 1])), 60_000);
    }
    // Every shard has seen every question of its fleet once (JIT, WordNet look-ups of new words): the rounds then compare warm fleets.
    for (const f of fleets) {
      say(`many domains: warming ${f.domains} domains (${f.questions.length} broadcast queries)`);
      for (const q of f.questions) await ask(f.client, q.question, 'broadcast').catch(() => undefined);
    }

    const routeMs = await Promise.all(fleets.map((f) => timeRouting(ctx.redisUrl, f)));
    say(`many domains: routeQuestion() in-process, ms per question: ${fleets.map((f, i) => `${f.domains} domains ${(routeMs[i] ?? 0).toFixed(3)}`).join(', ')}`);
    say(`many domains: coordinators idle for ${IDLE_MS / 1000} s`);
    const idleMeters = fleets.map((f) => new CpuMeter(new Map([['coordinator', [f.coordinator.pid]]])));
    await new Promise((r) => setTimeout(r, IDLE_MS));
    const idle = idleMeters.map((m) => m.coresUsed().coordinator ?? 0);
    say(`many domains: idle coordinator CPU ms/s: ${fleets.map((f, i) => `${f.domains} domains ${((idle[i] ?? 0) * 1000).toFixed(0)}`).join(', ')}`);

    const plan = fleets.flatMap((f) => MODES.map((mode) => ({ fleet: f, mode })));
    const measures: ManyDomainsMeasure[] = [];
    for (let r = 0; r < rounds; r++) {
      // Rotate the order each round, so no fleet or mode always runs first.
      const order = plan.map((_, i) => plan[(i + r * Math.max(1, Math.floor(plan.length / rounds))) % plan.length] as (typeof plan)[number]);
      for (const { fleet, mode } of order) {
        const m = await measure(ctx, fleet, mode, { sequentialCount, warmup, loadedMs });
        measures.push(m);
        say(
          `many domains round ${r + 1}/${rounds}: ${fleet.domains} ${mode}: p50 ${m.sequential.latency.p50.toFixed(1)} ms, ${m.callsPerQuery.toFixed(2)} calls/query, ` +
            `coordinator ${m.coordinatorCpuMsSequential.toFixed(2)} CPU ms/query (${cpuMsPerOp(m.loaded, 'coordinator').toFixed(2)} under load), ${m.loaded.perSec.toFixed(1)}/s under load, ` +
            `${m.sequential.errors + m.loaded.errors} errors${m.loaded.firstError ? ` (${m.loaded.firstError})` : ''}`,
        );
      }
    }
    return {
      tokensPerDomain: TOKENS_PER_DOMAIN,
      rounds,
      sequentialCount,
      concurrency: LOADED_CALLERS,
      loadedMs,
      fleets: fleets.map((f, i) => ({
        domains: f.domains,
        hosts: f.hosts.length,
        startupMs: f.startupMs,
        idleCoordinatorCores: idle[i] ?? 0,
        hostPeakRssMb: Math.max(...f.hosts.map((h) => sampleProcess(h.pid)?.peakRssMb ?? 0)),
        routeMsPerQuestion: routeMs[i] ?? NaN,
      })),
      measures,
      loadAtEnd: Math.round(loadavg()[0]! * 100) / 100,
    };
  } finally {
    for (const f of fleets) f.client.close();
    await Promise.all(fleets.flatMap((f) => [f.coordinator, ...f.hosts]).map((p) => p.stop()));
    rmSync(dir, { recursive: true, force: true });
  }
}

async function measure(ctx: BenchContext, fleet: Fleet, mode: QueryMode, opts: { sequentialCount: number; warmup: number; loadedMs: number }): Promise<ManyDomainsMeasure> {
  let calls = 0;
  let aimed = 0;
  let asked = 0;
  const op = async (i: number) => {
    const q = fleet.questions[i % fleet.questions.length] as { domain: string; question: string };
    const shards = await ask(fleet.client, q.question, mode);
    calls += shards.length;
    if (shards.includes(q.domain)) aimed++;
    asked++;
  };
  for (let i = 0; i < opts.warmup; i++) await op(i).catch(() => undefined);
  calls = aimed = asked = 0;
  const cpuBefore = sampleProcess(fleet.coordinator.pid)?.cpuSec ?? 0;
  const seq = await sequential(op, opts.sequentialCount, 0);
  const cpuAfter = sampleProcess(fleet.coordinator.pid)?.cpuSec ?? 0;
  const groups = new Map<string, number[]>([
    ['coordinator', [fleet.coordinator.pid]],
    ['shards', fleet.hosts.map((h) => h.pid)],
    ['redis', [ctx.redisPid]],
  ]);
  const callsPerQuery = asked > 0 ? calls / asked : 0;
  const aimedDomainAsked = asked > 0 ? aimed / asked : 0;
  const loaded = await meteredLoop(op, groups, LOADED_CALLERS, opts.loadedMs, ctx.settings.concurrentWarmupMs).catch(
    (err: unknown): ConcurrentRun => {
      // Nothing finished inside the window: a row of zeros that says so, rather than no table at all.
      const none = { n: 0, min: NaN, p50: NaN, p90: NaN, p99: NaN, max: NaN, mean: NaN };
      return { concurrency: LOADED_CALLERS, durationSec: opts.loadedMs / 1000, completed: 0, perSec: 0, latency: none, errors: 1, firstError: err instanceof Error ? err.message : String(err), cores: {} };
    },
  );
  return {
    domains: fleet.domains,
    mode,
    sequential: seq,
    callsPerQuery,
    aimedDomainAsked,
    coordinatorCpuMsSequential: asked > 0 ? ((cpuAfter - cpuBefore) * 1000) / seq.latency.n : 0,
    loaded,
  };
}

/** The routing decision alone (what routed mode adds to the coordinator's work), on the manifests the fleet's shards published. */
async function timeRouting(redisUrl: string, fleet: Fleet): Promise<number> {
  const redis = new Redis(redisUrl);
  try {
    const store = new HeartbeatStore(redis, fleet.prefix);
    const domains: RoutableDomain[] = await Promise.all(
      fleet.slices.map(async (s) => {
        const terms = (await store.manifest(s.domain))?.terms;
        if (!terms) throw new Error(`many domains: ${s.domain} published no term statistics: routed mode would ask it blind`);
        return { shard: s.domain, terms };
      }),
    );
    const passes = 20;
    for (const q of fleet.questions) routeQuestion(q.question, domains); // JIT
    const t0 = performance.now();
    for (let p = 0; p < passes; p++) for (const q of fleet.questions) routeQuestion(q.question, domains);
    return (performance.now() - t0) / (passes * fleet.questions.length);
  } finally {
    redis.disconnect();
  }
}

/** POST /v1/query over every live domain; the shards it asked, each of which must have answered. */
async function ask(client: JsonClient, question: string, mode: QueryMode): Promise<string[]> {
  const { status, json } = await client.post('/v1/query', { question, mode, topK: 5 });
  const reply = json as QueryReply;
  if (status !== 200) throw new Error(`HTTP ${status}: ${reply.error?.code ?? ''} ${reply.error?.message ?? ''}`);
  const shards = reply.shards ?? [];
  const bad = shards.filter((s) => s.status !== 'ok');
  if (bad.length > 0) throw new Error(`shards not ok: ${bad.map((s) => `${s.shard} ${s.status} ${s.error ?? ''}`).join('; ')}`);
  return shards.map((s) => s.shard);
}

/** Every .txt/.md file of every demo domain, domains and files in name order. */
function readCorpus(demoContexts: string): TextFile[] {
  return readdirSync(demoContexts, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
    .flatMap((domain) =>
      readdirSync(join(demoContexts, domain))
        .filter((n) => n.endsWith('.txt') || n.endsWith('.md'))
        .sort()
        .map((n) => ({ name: `${domain}/${n}`, text: readFileSync(join(demoContexts, domain, n), 'utf8') })),
    );
}

export interface ManyDomainsSummary {
  domains: number;
  mode: QueryMode;
  callsPerQuery: number;
  aimedDomainAsked: number;
  p50: number;
  p99: number;
  perSec: number;
  loadedP50: number;
  coordinatorCpuMsSequential: number;
  coordinatorCpuMsLoaded: number;
  shardsCpuMsLoaded: number;
  errors: number;
}

/** Medians over the rounds, one row per fleet and mode, in DOMAIN_COUNTS × MODES order. */
export function summarizeManyDomains(r: ManyDomainsResult): ManyDomainsSummary[] {
  return DOMAIN_COUNTS.flatMap((domains) =>
    MODES.map((mode) => {
      const ms = r.measures.filter((m) => m.domains === domains && m.mode === mode);
      const med = (f: (m: ManyDomainsMeasure) => number) => (ms.length > 0 ? median(ms.map(f)) : NaN);
      return {
        domains,
        mode,
        callsPerQuery: med((m) => m.callsPerQuery),
        aimedDomainAsked: med((m) => m.aimedDomainAsked),
        p50: med((m) => m.sequential.latency.p50),
        p99: med((m) => m.sequential.latency.p99),
        perSec: med((m) => m.loaded.perSec),
        loadedP50: med((m) => m.loaded.latency.p50),
        coordinatorCpuMsSequential: med((m) => m.coordinatorCpuMsSequential),
        coordinatorCpuMsLoaded: med((m) => cpuMsPerOp(m.loaded, 'coordinator')),
        shardsCpuMsLoaded: med((m) => cpuMsPerOp(m.loaded, 'shards')),
        errors: ms.reduce((n, m) => n + m.sequential.errors + m.loaded.errors, 0),
      };
    }),
  );
}

/** The many-domains table (also printed alone by `npm run bench -- --only many-domains`). */
export function formatManyDomains(r: ManyDomainsResult): string {
  const rows = summarizeManyDomains(r);
  const line = (cells: (string | number)[]) => `| ${cells.map(String).join(' | ')} |`;
  const headers = [
    'domains',
    'mode',
    'shard calls per query',
    'aimed domain asked',
    'p50 ms',
    'p99 ms',
    `queries/s (${r.concurrency} callers)`,
    'p50 ms under load',
    'coordinator CPU ms per query, sequential',
    'coordinator CPU ms per query, under load',
    'shards CPU ms per query, under load',
  ];
  const out = [
    `**Many domains**: ${DOMAIN_COUNTS.join(', ')} lexical domains of ${r.tokensPerDomain.toLocaleString('en-US')} est. tokens (slices of the demo texts), each fleet with its own coordinator and at most ${HOSTS_PER_FLEET} shard-host processes (several real shards per process, bench/shard-host.ts), all up together; ` +
      `questions quote a line of one domain, cycling over the domains; median over ${r.rounds} interleaved round(s) of ${r.sequentialCount} sequential queries, then ${r.concurrency} closed-loop callers for ${r.loadedMs / 1000} s. CPU from /proc; load average when the rounds ended ${r.loadAtEnd}.`,
    '',
    line(headers),
    line(headers.map(() => '---')),
    ...rows.map((x) =>
      line([
        x.domains,
        x.mode + (x.errors > 0 ? ` (${x.errors} errors)` : ''),
        x.callsPerQuery.toFixed(2),
        `${(x.aimedDomainAsked * 100).toFixed(0)} %`,
        round(x.p50),
        round(x.p99),
        Math.round(x.perSec),
        round(x.loadedP50),
        x.coordinatorCpuMsSequential.toFixed(2),
        x.coordinatorCpuMsLoaded.toFixed(2),
        x.shardsCpuMsLoaded.toFixed(2),
      ]),
    ),
    '',
    `Fleets: ${r.fleets
      .map((f) => `${f.domains} domains on ${f.hosts} hosts ready in ${(f.startupMs / 1000).toFixed(1)} s, host peak RSS ≤ ${Math.round(f.hostPeakRssMb)} MB, idle coordinator ${(f.idleCoordinatorCores * 1000).toFixed(0)} CPU ms/s, routing decision alone ${f.routeMsPerQuestion.toFixed(3)} ms per question (in-process)`)
      .join('; ')}.`,
  ];
  return out.join('\n');
}

/** The figures for the JSON summary line. */
export function manyDomainsJson(r: ManyDomainsResult): Record<string, unknown> {
  const rows = summarizeManyDomains(r);
  const r3 = (v: number) => (Number.isFinite(v) ? round(v) : null);
  const by = (mode: QueryMode, f: (x: ManyDomainsSummary) => number) => Object.fromEntries(rows.filter((x) => x.mode === mode).map((x) => [String(x.domains), r3(f(x))]));
  const growth = (mode: QueryMode) => {
    const first = rows.find((x) => x.mode === mode && x.domains === DOMAIN_COUNTS[0]);
    const last = rows.find((x) => x.mode === mode && x.domains === DOMAIN_COUNTS[DOMAIN_COUNTS.length - 1]);
    return first && last && first.coordinatorCpuMsSequential > 0 ? r3(last.coordinatorCpuMsSequential / first.coordinatorCpuMsSequential) : null;
  };
  return {
    many_domains: Object.fromEntries(
      MODES.map((mode) => [
        mode,
        {
          shard_calls_per_query: by(mode, (x) => x.callsPerQuery),
          aimed_domain_asked: by(mode, (x) => x.aimedDomainAsked),
          p50_ms: by(mode, (x) => x.p50),
          p99_ms: by(mode, (x) => x.p99),
          throughput: by(mode, (x) => x.perSec),
          coordinator_cpu_ms_per_query: by(mode, (x) => x.coordinatorCpuMsSequential),
          coordinator_cpu_ms_per_query_loaded: by(mode, (x) => x.coordinatorCpuMsLoaded),
          shards_cpu_ms_per_query_loaded: by(mode, (x) => x.shardsCpuMsLoaded),
          errors: rows.filter((x) => x.mode === mode).reduce((n, x) => n + x.errors, 0),
        },
      ]),
    ),
    many_domains_coordinator_cpu_48_vs_4: { broadcast: growth('broadcast'), routed: growth('routed') },
    many_domains_load_at_end: r.loadAtEnd,
    many_domains_route_ms_per_question: Object.fromEntries(r.fleets.map((f) => [String(f.domains), r3(f.routeMsPerQuestion)])),
    many_domains_idle_coordinator_cpu_ms_per_sec: Object.fromEntries(r.fleets.map((f) => [String(f.domains), r3(f.idleCoordinatorCores * 1000)])),
  };
}
