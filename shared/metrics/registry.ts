/**
 * The fleet's Prometheus metrics (names are a contract with the Grafana
 * dashboard and alert rules in deploy/). Each service builds one registry;
 * the same definitions are used everywhere so names and buckets never drift.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Seconds. Resolves sub-millisecond bus hops (0.25 ms) up to minute-long LLM
 * calls, so one histogram family serves both engines.
 */
export const LATENCY_BUCKETS = [
  0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120,
];

export interface FleetMetrics {
  registry: Registry;
  queryDuration: Histogram<'mode' | 'outcome'>;
  shardRoundtrip: Histogram<'shard' | 'outcome'>;
  shardQueueWait: Histogram<'shard'>;
  engineDuration: Histogram<'shard' | 'engine'>;
  envelopeRejected: Counter<'reason'>;
  llmTokens: Counter<'model' | 'kind'>;
  llmCost: Counter<'model'>;
  shardUp: Gauge<'shard'>;
  jobsProcessed: Counter<'shard' | 'outcome'>;
  /** Claude citations dropped because they did not match the domain's real lines. */
  citationsRejected: Counter<'shard'>;
}

export function createMetrics(service: 'coordinator' | 'shard', labels: Record<string, string> = {}): FleetMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service, ...labels });
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    queryDuration: new Histogram({
      name: 'memfleet_query_duration_seconds',
      help: 'HTTP query, arrival to response (coordinator).',
      labelNames: ['mode', 'outcome'],
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    shardRoundtrip: new Histogram({
      name: 'memfleet_shard_roundtrip_seconds',
      help: 'Coordinator: job added to a shard queue until its signed result is verified.',
      labelNames: ['shard', 'outcome'],
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    shardQueueWait: new Histogram({
      name: 'memfleet_shard_queue_wait_seconds',
      help: 'Shard: job created until a replica picked it up.',
      labelNames: ['shard'],
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    engineDuration: new Histogram({
      name: 'memfleet_engine_duration_seconds',
      help: 'Shard: engine time per question.',
      labelNames: ['shard', 'engine'],
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    envelopeRejected: new Counter({
      name: 'memfleet_envelope_rejected_total',
      help: 'Envelopes that failed verification, by reason.',
      labelNames: ['reason'],
      registers,
    }),
    llmTokens: new Counter({
      name: 'memfleet_llm_tokens_total',
      help: 'Claude tokens by model and kind (input, output, cache_read, cache_write).',
      labelNames: ['model', 'kind'],
      registers,
    }),
    llmCost: new Counter({
      name: 'memfleet_llm_cost_usd_total',
      help: 'Claude cost in US dollars, priced from the configured price table.',
      labelNames: ['model'],
      registers,
    }),
    shardUp: new Gauge({
      name: 'memfleet_shard_up',
      help: 'Live replicas per shard domain, as seen by heartbeat.',
      labelNames: ['shard'],
      registers,
    }),
    jobsProcessed: new Counter({
      name: 'memfleet_shard_jobs_total',
      help: 'Shard: jobs handled, by outcome (ok, rejected, expired, error).',
      labelNames: ['shard', 'outcome'],
      registers,
    }),
    citationsRejected: new Counter({
      name: 'memfleet_citations_rejected_total',
      help: 'Shard: citations from Claude dropped because the line range or quoted text did not match the domain.',
      labelNames: ['shard'],
      registers,
    }),
  };
}

/** Every reason a shard or coordinator may count in memfleet_envelope_rejected_total. */
export const REJECT_REASONS = [
  'malformed',
  'too_large',
  'unknown_kid',
  'bad_signature',
  'stale',
  'future',
  'replay',
  'invalid_payload',
  'wrong_shard',
  'wrong_job_id',
  'already_answered',
] as const;

/**
 * Creates a shard's labelled series at zero. prom-client exports a labelled
 * series only after its first observation, so without this `rate()` never
 * sees the first rejection or the first error, and alerts miss it.
 */
export function primeShardSeries(metrics: FleetMetrics, shard: string, engine: string): void {
  for (const reason of REJECT_REASONS) metrics.envelopeRejected.inc({ reason }, 0);
  for (const outcome of ['ok', 'rejected', 'expired', 'error']) metrics.jobsProcessed.inc({ shard, outcome }, 0);
  metrics.shardQueueWait.zero({ shard });
  metrics.engineDuration.zero({ shard, engine });
}
