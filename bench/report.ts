/**
 * Turns the scenarios' results into the printed tables (Markdown, so the same
 * text goes into docs/performance.md) and the final one-line JSON summary.
 */
import type { Machine } from './machine.js';
import type { BenchSettings } from './settings.js';
import { cpuMsPerOp, VARIANTS, VARIANT_LABELS, type ConcurrentRun, type FanoutResult, type Variant } from './scenarios/fanout.js';
import type { EngineResult } from './scenarios/engine.js';
import type { LexicalResult, ShardResources } from './scenarios/lexical.js';
import type { ScalingResult } from './scenarios/scaling.js';
import type { CoordinatorsResult } from './scenarios/coordinators.js';
import type { WritesResult } from './scenarios/writes.js';
import { QUERIES_PER_BATCH, type RedisMemoryResult } from './scenarios/redis-memory.js';
import { formatManyDomains, manyDomainsJson, type ManyDomainsResult } from './scenarios/many-domains.js';
import { DEMO_QUESTIONS } from './questions.js';
import { ratio, round } from './stats.js';
import { MAX_QUESTION_CHARS } from '../shared/queues/schemas.js';
import { DEFAULT_QUERY_TERM_BUDGET } from '../shared/text/query-term-budget.js';

export interface BenchResults {
  machine: Machine;
  settings: BenchSettings;
  startedAt: string;
  durationSec: number;
  fanout: FanoutResult;
  lexical: LexicalResult;
  engines: EngineResult[];
  scaling: ScalingResult;
  coordinators: CoordinatorsResult;
  /** Memory that grows (scenario 7): write to visible, and queries while writes run. */
  writes?: WritesResult;
  redisMemory: RedisMemoryResult;
  /** 4, 16 and 48 small domains, broadcast and routed (issue 17). */
  manyDomains?: ManyDomainsResult;
  domain200k: { tokens: number; files: number };
}

/** The targets of the benchmark issue, each checked against this run's figures. */
export interface Target {
  name: string;
  value: number | null;
  limit: number;
  /** "max": value must be ≤ limit; "min": value must be ≥ limit. */
  kind: 'max' | 'min';
  met: boolean;
}

const RAW = ['bullmqWait', 'bullmqDispatch'] as const;

/** The raw BullMQ figure memfleet is held to: the better of the two completion styles, metric by metric. */
export function baseline(f: FanoutResult): { p50: number; p99: number; perSec: number } {
  return {
    p50: Math.min(...RAW.map((v) => f.medians[v].p50)),
    p99: Math.min(...RAW.map((v) => f.medians[v].p99)),
    perSec: Math.max(...RAW.map((v) => f.medians[v].perSec)),
  };
}

export function allShardResources(r: BenchResults): ShardResources[] {
  return [...r.lexical.shards, ...r.scaling.replicas.map((s, i) => ({ ...s, name: `${s.name} replica ${i + 1}` }))];
}

export function targets(r: BenchResults): Target[] {
  const base = baseline(r.fanout);
  const bus = r.fanout.medians.busHttp;
  const e200 = r.engines.find((e) => e.domain === 'bench-200k');
  const shards = allShardResources(r);
  const check = (name: string, value: number | null, limit: number, kind: 'max' | 'min'): Target => ({
    name,
    value: value === null ? null : round(value),
    limit,
    kind,
    met: value !== null && (kind === 'max' ? value <= limit : value >= limit),
  });
  return [
    check('bus p50 / raw BullMQ p50', ratio(bus.p50, base.p50), 1.3, 'max'),
    check('bus p99 / raw BullMQ p99', ratio(bus.p99, base.p99), 1.5, 'max'),
    check('bus throughput / raw BullMQ throughput', ratio(bus.perSec, base.perSec), 0.8, 'min'),
    check('lexical engine p50 on the 200K-token domain (ms)', e200?.answer.p50 ?? null, 5, 'max'),
    // Shards started together (--quick) wait for each other's CPU: only lone start-ups count against the target.
    check('slowest shard start-up (ms)', Math.max(...shards.filter((s) => !s.startedTogether).map((s) => s.startupMs)), 2_000, 'max'),
    check('largest shard peak resident memory (MB)', Math.max(...shards.map((s) => s.afterLoad?.peakRssMb ?? 0)), 300, 'max'),
    check(`Redis memory per ${QUERIES_PER_BATCH.toLocaleString('en-US')} queries (MB)`, redisGrowthMb(r.redisMemory), 5, 'max'),
  ];
}

/** The larger growth of any batch of queries: the first batch (from an empty history) or a later one. */
export function redisGrowthMb(m: RedisMemoryResult): number {
  return Math.max(...m.batches.map((b) => b.growthMb));
}

/** The Redis memory table (also printed alone by `npm run bench -- --only redis-memory`). */
export function formatRedisMemory(m: RedisMemoryResult): string {
  const out: string[] = [];
  out.push(
    `**Redis memory** (a private redis-server of its own; 4 lexical shards on the demo contexts, 16 callers; \`used_memory\` from INFO memory; baseline after 50 warm-up queries: ${m.baselineMb.toFixed(1)} MB)`,
  );
  out.push('');
  out.push(
    table(
      ['batch', 'queries', 'errors', 'growth MB'],
      m.batches.map((b, i) => [i === 0 ? 'first (from an empty history)' : `next (${i + 1})`, b.queries.toLocaleString('en-US'), b.errors, b.growthMb.toFixed(2)]),
    ),
  );
  out.push('');
  out.push(`What BullMQ keeps per queue at the end: ${m.queues.map((q) => `${q.shard} events stream ${q.eventsLength} entries, ${q.completedJobs} completed jobs`).join('; ')}.`);
  out.push('');
  out.push(`Largest kinds of key at the end (MEMORY USAGE): ${m.byKind.map((k) => `\`${k.kind}\` ${k.keys.toLocaleString('en-US')} keys ${k.mb.toFixed(2)} MB`).join('; ')}.`);
  return out.join('\n');
}

function table(headers: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.map(String).join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

const ms = (v: number) => round(v).toString();
const mb = (v: number | undefined) => (v === undefined ? 'n/a' : Math.round(v).toString());
/** "3.52 = client 0.37 + coordinator 1.00 + …": CPU ms per operation, parts under 0.02 ms left out. */
const cpu = (perOp: Record<string, number>) => {
  const parts = Object.entries(perOp).filter(([k, v]) => k !== 'total' && v >= 0.02);
  return `${(perOp.total ?? 0).toFixed(2)} = ${parts.map(([k, v]) => `${k} ${v.toFixed(2)}`).join(' + ')}`;
};
const cores = (c: Record<string, number>) =>
  Object.entries(c)
    .filter(([k, v]) => k !== 'total' && v >= 0.01)
    .map(([k, v]) => `${k} ${v.toFixed(2)}`)
    .join(', ') + ` (total ${(c.total ?? 0).toFixed(2)})`;
const perOp = (run: ConcurrentRun) => Object.fromEntries(Object.keys(run.cores).map((g) => [g, cpuMsPerOp(run, g)]));

export function formatMarkdown(r: BenchResults): string {
  const { machine: m, settings: s, fanout: f } = r;
  const base = baseline(f);
  const out: string[] = [];
  out.push(
    `Run ${r.startedAt} (${s.quick ? '`--quick`' : 'full run'}, ${Math.round(r.durationSec)} s) on ${m.cpuModel}, ${m.cores} cores, ${m.memoryGb} GB, ${m.os}; ` +
      `Node ${m.node}, Redis ${m.redis}, BullMQ ${m.bullmq}; load average at start ${m.loadAtStart.join(' / ')}.`,
  );
  out.push('');
  out.push(
    `**Fan-out to 4 queues/shards** — median over ${s.rounds} interleaved rounds; sequential: ${s.sequentialCount} fan-outs per round; ` +
      `concurrent: ${s.concurrency} closed-loop callers for ${s.concurrentMs / 1000} s per round.`,
  );
  out.push('');
  out.push(
    table(
      ['scenario', 'p50 ms', 'p99 ms', 'fan-outs/s', 'p50 ms under load', 'CPU ms per fan-out under load'],
      [
        ['Redis PING from Node (ioredis), the floor', ms(f.ping.p50), ms(f.ping.p99), '—', '—', '—'],
        ...VARIANTS.flatMap((v) => {
          const x = f.medians[v];
          if (!x) return [];
          return [[VARIANT_LABELS[v] + (x.errors > 0 ? ` (${x.errors} errors)` : ''), ms(x.p50), ms(x.p99), Math.round(x.perSec), ms(x.concurrentP50), cpu(x.cpuMsPerOp)]];
        }),
        [
          'memfleet over HTTP, lexical engine, demo contexts',
          ms(r.lexical.sequential.latency.p50),
          ms(r.lexical.sequential.latency.p99),
          Math.round(r.lexical.concurrent.perSec),
          ms(r.lexical.concurrent.latency.p50),
          cpu(perOp(r.lexical.concurrent)),
        ],
      ],
    ),
  );
  out.push('');
  out.push(`Raw BullMQ baseline (the better of its two variants, per figure): p50 ${ms(base.p50)} ms, p99 ${ms(base.p99)} ms, ${Math.round(base.perSec)} fan-outs/s.`);
  const engineP50 = r.engines.filter((e) => e.domain !== 'bench-200k').map((e) => e.answer.p50);
  out.push('');
  out.push(
    `Bus and engine shares: the lexical fan-out's p50 (${ms(r.lexical.sequential.latency.p50)} ms) minus the noop fan-out's (${ms(f.medians.busHttp.p50)} ms) ` +
      `leaves ${ms(r.lexical.sequential.latency.p50 - f.medians.busHttp.p50)} ms for the four engines working in parallel` +
      (engineP50.length > 0 ? ` (alone, one question takes ${ms(Math.min(...engineP50))}–${ms(Math.max(...engineP50))} ms p50 on these domains)` : '') +
      `; the bus costs the noop figure (the same use case in-process, without HTTP: ${ms(f.medians.busInProcess.p50)} ms in this run).`,
  );
  out.push('');
  out.push('**Targets** (ratios from this run)');
  out.push('');
  out.push(
    table(
      ['target', 'measured', 'limit', 'met'],
      targets(r).map((t) => [t.name, t.value === null ? 'n/a' : t.value, `${t.kind === 'max' ? '≤' : '≥'} ${t.limit}`, t.met ? 'yes' : '**no**']),
    ),
  );
  out.push('');
  out.push(`**Lexical engine alone** (in-process \`engine.answer()\`, ${DEMO_QUESTIONS.length} questions × ${s.engineRepeats})`);
  out.push('');
  out.push(
    table(
      ['domain', 'est. tokens', 'load + index ms', 'p50 ms', 'mean ms', 'p99 ms'],
      r.engines.map((e) => [e.domain, e.tokens.toLocaleString('en-US'), Math.round(e.buildMs), ms(e.answer.p50), ms(e.answer.mean), ms(e.answer.p99)]),
    ),
  );
  out.push('');
  out.push(
    `**The longest question** (${MAX_QUESTION_CHARS.toLocaleString('en-US')} characters of the domain's commonest distinct words, bench/long-question.ts; ` +
      `the engine scores at most ${DEFAULT_QUERY_TERM_BUDGET.maxTerms} of its terms, docs/reliability.md): first ask (WordNet cache cold), then ${Math.max(3, s.engineRepeats)} repeats`,
  );
  out.push('');
  out.push(
    table(
      ['domain', 'distinct words', 'first ask ms', 'p50 ms', 'p99 ms'],
      r.engines.map((e) => [e.domain, e.long.distinctWords, ms(e.long.firstMs), ms(e.long.answer.p50), ms(e.long.answer.p99)]),
    ),
  );
  out.push('');
  out.push(
    `**Scaling**: one lexical domain (\`${r.scaling.domain}\`, ${r.domain200k.tokens.toLocaleString('en-US')} est. tokens), ${s.concurrency} closed-loop callers for ${s.scalingMs / 1000} s; machine has ${r.scaling.cores} cores.`,
  );
  out.push('');
  out.push(
    table(
      ['replicas', 'queries/s', 'p50 ms', 'p99 ms', 'cores used', 'CPU ms per query'],
      r.scaling.steps.map((st) => [st.replicas, Math.round(st.run.perSec), ms(st.run.latency.p50), ms(st.run.latency.p99), cores(st.run.cores), cpu(perOp(st.run))]),
    ),
  );
  out.push('');
  out.push(
    `**Coordinators**: ${r.coordinators.shardsAsked} noop shards behind 1, then 2 coordinator processes, ${s.concurrency} closed-loop callers round-robin over them for ${s.scalingMs / 1000} s; result messages counted on every result channel (one per coordinator).`,
  );
  out.push('');
  out.push(
    table(
      ['coordinators', 'queries/s', 'p50 ms', 'p99 ms', 'cores used', 'result channels', 'messages a coordinator receives per query it ran', 'fleet-wide messages'],
      r.coordinators.steps.map((st) => [st.coordinators, Math.round(st.run.perSec), ms(st.run.latency.p50), ms(st.run.latency.p99), cores(st.run.cores), st.channels, st.messagesPerQuery.toFixed(2), st.fleetWideMessages]),
    ),
  );
  out.push('');
  if (r.writes) {
    const w = r.writes;
    out.push(
      `**Writes** (memory that grows): ${w.replicas} lexical replicas of \`${w.domain}\`; a note PUT over HTTP, then either both replicas' \`memfleet_memory_version\` polled until each has applied it (no question asked: the signed notification path), or a question asked at once (the job carries the version, so the replica catches up first). Then ${s.concurrency} closed-loop callers with no writes, and again while a writer PUTs notes to 20 sources at a steady pace (${Math.round(w.writesPerSec)} writes/s measured).`,
    );
    out.push('');
    const e200w = r.engines.find((e) => e.domain === 'bench-200k');
    out.push(
      table(
        ['measure', 'n', 'p50 ms', 'p99 ms', 'max ms'],
        [
          ...(e200w
            ? [
                ['one note into the 200K index, in-process (loading and indexing it from scratch: ' + Math.round(e200w.buildMs) + ' ms)', e200w.noteUpdate.n, ms(e200w.noteUpdate.p50), ms(e200w.noteUpdate.p99), ms(e200w.noteUpdate.max)],
              ]
            : []),
          ['PUT round trip', w.put.n, ms(w.put.p50), ms(w.put.p99), ms(w.put.max)],
          ['PUT sent → visible on both replicas', w.visibleEverywhere.n, ms(w.visibleEverywhere.p50), ms(w.visibleEverywhere.p99), ms(w.visibleEverywhere.max)],
          ['PUT sent → answer cites the note', w.cited.n, ms(w.cited.p50), ms(w.cited.p99), ms(w.cited.max)],
        ],
      ),
    );
    out.push('');
    out.push(
      table(
        ['questions', 'queries/s', 'p50 ms', 'p99 ms', 'errors'],
        [
          ['no writes', Math.round(w.withoutWrites.perSec), ms(w.withoutWrites.latency.p50), ms(w.withoutWrites.latency.p99), w.withoutWrites.errors],
          [`writes running (${Math.round(w.writesPerSec)}/s)`, Math.round(w.withWrites.perSec), ms(w.withWrites.latency.p50), ms(w.withWrites.latency.p99), w.withWrites.errors],
          [
            'ratio (with / without)',
            round(ratio(w.withWrites.perSec, w.withoutWrites.perSec) ?? NaN),
            round(ratio(w.withWrites.latency.p50, w.withoutWrites.latency.p50) ?? NaN),
            round(ratio(w.withWrites.latency.p99, w.withoutWrites.latency.p99) ?? NaN),
            '',
          ],
        ],
      ),
    );
    out.push('');
  }
  if (r.manyDomains) {
    out.push(formatManyDomains(r.manyDomains));
    out.push('');
  }
  out.push(formatRedisMemory(r.redisMemory));
  out.push('');
  out.push('**Resources** (start-up: spawn until `/readyz` says ready; memory: resident set from /proc)');
  out.push('');
  const coord = r.lexical.coordinatorAfterLoad;
  out.push(
    table(
      ['process', 'start-up ms', 'RSS MB when ready', 'RSS MB after load', 'peak RSS MB'],
      [
        ...allShardResources(r).map((x) => [
          x.name,
          `${Math.round(x.startupMs)}${x.startedTogether ? ' (4 started together)' : ''}`,
          mb(x.ready?.rssMb),
          mb(x.afterLoad?.rssMb),
          mb(x.afterLoad?.peakRssMb),
        ]),
        ...f.shards.map((x) => [x.name, '—', '—', mb(x.afterLoad?.rssMb), mb(x.afterLoad?.peakRssMb)]),
        ['coordinator (after all fan-out and lexical load)', Math.round(f.coordinator.startupMs), '—', mb(coord?.rssMb), mb(coord?.peakRssMb)],
      ],
    ),
  );
  return out.join('\n');
}

export function summaryJson(r: BenchResults): Record<string, unknown> {
  const f = r.fanout;
  const base = baseline(f);
  const bus = f.medians.busHttp;
  const inproc = f.medians.busInProcess;
  const e200 = r.engines.find((e) => e.domain === 'bench-200k');
  const shards = allShardResources(r);
  const t = targets(r);
  const r3 = (v: number | null | undefined) => (v === null || v === undefined ? null : round(v));
  return {
    bench: 'memfleet',
    mode: r.settings.quick ? 'quick' : 'full',
    started_at: r.startedAt,
    duration_sec: Math.round(r.durationSec),
    rounds: r.settings.rounds,
    concurrency: r.settings.concurrency,
    machine: r.machine,
    redis_ping_p50_ms: r3(f.ping.p50),
    redis_ping_p99_ms: r3(f.ping.p99),
    bullmq_p50_ms: r3(base.p50),
    bullmq_p99_ms: r3(base.p99),
    bullmq_throughput: r3(base.perSec),
    bullmq_wait_until_finished: { p50_ms: r3(f.medians.bullmqWait.p50), p99_ms: r3(f.medians.bullmqWait.p99), throughput: r3(f.medians.bullmqWait.perSec) },
    bullmq_dispatch: { p50_ms: r3(f.medians.bullmqDispatch.p50), p99_ms: r3(f.medians.bullmqDispatch.p99), throughput: r3(f.medians.bullmqDispatch.perSec) },
    bus_p50_ms: r3(bus.p50),
    bus_p99_ms: r3(bus.p99),
    bus_throughput: r3(bus.perSec),
    bus_p50_vs_bullmq: r3(ratio(bus.p50, base.p50)),
    bus_p99_vs_bullmq: r3(ratio(bus.p99, base.p99)),
    bus_throughput_vs_bullmq: r3(ratio(bus.perSec, base.perSec)),
    bullmq_cpu_ms_per_fanout: r3(Math.min(...RAW.map((v) => f.medians[v].cpuMsPerOp.total ?? Infinity))),
    bus_cpu_ms_per_fanout: r3(bus.cpuMsPerOp.total),
    bus_cpu_ms_per_fanout_by_process: Object.fromEntries(Object.entries(bus.cpuMsPerOp).filter(([k, v]) => k !== 'total' && v >= 0.02).map(([k, v]) => [k, r3(v)])),
    ...(f.medians.busInProcessQueueEvents
      ? {
          bus_inprocess_previous_completion_path: {
            p50_ms: r3(f.medians.busInProcessQueueEvents.p50),
            p99_ms: r3(f.medians.busInProcessQueueEvents.p99),
            throughput: r3(f.medians.busInProcessQueueEvents.perSec),
            cpu_ms_per_fanout: r3(f.medians.busInProcessQueueEvents.cpuMsPerOp.total),
          },
        }
      : {}),
    bus_inprocess_p50_ms: r3(inproc.p50),
    bus_inprocess_p99_ms: r3(inproc.p99),
    bus_inprocess_throughput: r3(inproc.perSec),
    bus_inprocess_cpu_ms_per_fanout: r3(inproc.cpuMsPerOp.total),
    lexical_p50_ms: r3(r.lexical.sequential.latency.p50),
    lexical_p99_ms: r3(r.lexical.sequential.latency.p99),
    lexical_throughput: r3(r.lexical.concurrent.perSec),
    engine_200k_p50_ms: r3(e200?.answer.p50),
    engine_200k_p99_ms: r3(e200?.answer.p99),
    engine_200k_mean_ms: r3(e200?.answer.mean),
    redis_memory_mb_per_1000_queries: r3(redisGrowthMb(r.redisMemory)),
    engine_long_question_p50_ms_max: r3(Math.max(...r.engines.map((e) => e.long.answer.p50))),
    scaling_throughput: Object.fromEntries(r.scaling.steps.map((s) => [String(s.replicas), r3(s.run.perSec)])),
    scaling_cores: r.scaling.cores,
    coordinators_throughput: Object.fromEntries(r.coordinators.steps.map((c) => [String(c.coordinators), r3(c.run.perSec)])),
    coordinators_messages_per_query: Object.fromEntries(r.coordinators.steps.map((c) => [String(c.coordinators), r3(c.messagesPerQuery)])),
    shard_startup_ms_max: Math.round(Math.max(...shards.filter((s) => !s.startedTogether).map((s) => s.startupMs))),
    shard_rss_mb_max: r3(Math.max(...shards.map((s) => s.afterLoad?.peakRssMb ?? 0))),
    coordinator_rss_mb_peak: r3(r.lexical.coordinatorAfterLoad?.peakRssMb),
    ...(r.writes
      ? {
          note_index_update_200k_p50_ms: r3(r.engines.find((e) => e.domain === 'bench-200k')?.noteUpdate.p50),
          note_index_update_200k_p99_ms: r3(r.engines.find((e) => e.domain === 'bench-200k')?.noteUpdate.p99),
          write_visible_all_replicas_p50_ms: r3(r.writes.visibleEverywhere.p50),
          write_visible_all_replicas_p99_ms: r3(r.writes.visibleEverywhere.p99),
          write_to_cited_p50_ms: r3(r.writes.cited.p50),
          write_to_cited_p99_ms: r3(r.writes.cited.p99),
          writes_per_sec_during_queries: r3(r.writes.writesPerSec),
          query_p50_with_writes_vs_without: r3(ratio(r.writes.withWrites.latency.p50, r.writes.withoutWrites.latency.p50)),
          query_p99_with_writes_vs_without: r3(ratio(r.writes.withWrites.latency.p99, r.writes.withoutWrites.latency.p99)),
          query_throughput_with_writes_vs_without: r3(ratio(r.writes.withWrites.perSec, r.writes.withoutWrites.perSec)),
        }
      : {}),
    ...(r.manyDomains ? manyDomainsJson(r.manyDomains) : {}),
    targets_met: t.every((x) => x.met),
    targets_missed: t.filter((x) => !x.met).map((x) => x.name),
  };
}
