/**
 * Metrics of memory that grows (docs/observability.md): writes by outcome on
 * the coordinator; on each replica, the time from a write's commit to the
 * moment that replica answers from it, the catch-up time, and its version.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { LATENCY_BUCKETS } from '../metrics/registry.js';

export interface MemoryMetrics {
  writes: Counter<'shard' | 'op' | 'outcome'>;
  writeVisible: Histogram<'shard'>;
  catchUp: Histogram<'shard'>;
  version: Gauge<'shard'>;
}

/** The outcomes of memfleet_source_writes_total, created at zero so rate() sees the first one. */
export const WRITE_OUTCOMES = ['created', 'replaced', 'deleted', 'not_found', 'precondition_failed', 'domain_full', 'folder_source', 'invalid', 'unknown_shard', 'error'] as const;
export type WriteOutcomeLabel = (typeof WRITE_OUTCOMES)[number];

export function createMemoryMetrics(registry: Registry): MemoryMetrics {
  const registers = [registry];
  return {
    writes: new Counter({
      name: 'memfleet_source_writes_total',
      help: 'Coordinator: writes of sources (PUT/DELETE and expiry), by shard, op (put, delete, expire) and outcome.',
      labelNames: ['shard', 'op', 'outcome'],
      registers,
    }),
    writeVisible: new Histogram({
      name: 'memfleet_write_visible_seconds',
      help: 'Shard replica: a write committed until this replica answers from it.',
      labelNames: ['shard'],
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    catchUp: new Histogram({
      name: 'memfleet_memory_catchup_seconds',
      help: 'Shard replica: one catch-up of written sources (Redis read, verification, index update).',
      labelNames: ['shard'],
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    version: new Gauge({
      name: 'memfleet_memory_version',
      help: 'Shard replica: the domain version its written sources are at.',
      labelNames: ['shard'],
      registers,
    }),
  };
}
