/**
 * What `npm run bench -- --only fanout` prints: the 4-wide fan-out comparison
 * alone (raw BullMQ against memfleet, interleaved rounds), its CPU side by
 * side, and a one-line JSON with the three ratios. The quick way to measure
 * one change to the bus; the full run still writes the docs.
 */
import type { Machine } from './machine.js';
import type { BenchSettings } from './settings.js';
import { VARIANTS, VARIANT_LABELS, type FanoutResult } from './scenarios/fanout.js';
import { baseline, cpu, cpuComparison, formatCpuComparison, ms, table } from './report.js';
import { ratio, round } from './stats.js';

export function formatFanoutOnly(m: Machine, s: BenchSettings, f: FanoutResult): string {
  const base = baseline(f);
  const bus = f.medians.busHttp;
  return [
    `Fan-out only (${s.quick ? '`--quick`' : 'full'} settings: ${s.rounds} interleaved rounds, ${s.sequentialCount} sequential fan-outs and ${s.concurrency} callers for ${s.concurrentMs / 1000} s per round); load average at start ${m.loadAtStart.join(' / ')}.`,
    '',
    table(
      ['scenario', 'p50 ms', 'p99 ms', 'fan-outs/s', 'p50 ms under load', 'CPU ms per fan-out under load'],
      VARIANTS.flatMap((v) => {
        const x = f.medians[v];
        return x ? [[VARIANT_LABELS[v] + (x.errors > 0 ? ` (${x.errors} errors)` : ''), ms(x.p50), ms(x.p99), Math.round(x.perSec), ms(x.concurrentP50), cpu(x.cpuMsPerOp)]] : [];
      }),
    ),
    '',
    `Ratios to raw BullMQ: p50 ${round(ratio(bus.p50, base.p50) ?? NaN)}, p99 ${round(ratio(bus.p99, base.p99) ?? NaN)}, throughput ${round(ratio(bus.perSec, base.perSec) ?? NaN)}.`,
    '',
    formatCpuComparison(f),
  ].join('\n');
}

export function fanoutOnlyJson(m: Machine, f: FanoutResult): Record<string, unknown> {
  const base = baseline(f);
  const bus = f.medians.busHttp;
  const { raw } = cpuComparison(f);
  const r3 = (v: number | null | undefined) => (v === null || v === undefined ? null : round(v));
  return {
    bench: 'memfleet',
    only: 'fanout',
    load_at_start: m.loadAtStart,
    bus_p50_vs_bullmq: r3(ratio(bus.p50, base.p50)),
    bus_p99_vs_bullmq: r3(ratio(bus.p99, base.p99)),
    bus_throughput_vs_bullmq: r3(ratio(bus.perSec, base.perSec)),
    bullmq_cpu_ms_per_fanout: r3(raw.total),
    bus_cpu_ms_per_fanout: r3(bus.cpuMsPerOp.total),
    coordinator_cpu_ms_per_fanout: r3(bus.cpuMsPerOp.coordinator),
    shards_cpu_ms_per_fanout: r3(bus.cpuMsPerOp.shards),
    redis_cpu_ms_per_fanout: r3(bus.cpuMsPerOp.redis),
    raw_producer_cpu_ms_per_fanout: r3(raw['bench client']),
    raw_workers_cpu_ms_per_fanout: r3((raw['raw workers'] ?? 0) + (raw.shards ?? 0)),
    raw_redis_cpu_ms_per_fanout: r3(raw.redis),
  };
}
