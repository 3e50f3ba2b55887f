import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LATENCY_BUCKETS, createMetrics, type FleetMetrics } from '../../shared/metrics/registry.js';

/**
 * The metrics table of DESIGN.md ("Metrics"), plus the jobs counter added in
 * docs/architecture.md. The Grafana dashboard and alert rules depend on these.
 */
const CONTRACT: ReadonlyArray<{ name: string; type: 'histogram' | 'counter' | 'gauge'; labels: readonly string[] }> = [
  { name: 'memfleet_query_duration_seconds', type: 'histogram', labels: ['mode', 'outcome'] },
  { name: 'memfleet_shard_roundtrip_seconds', type: 'histogram', labels: ['shard', 'outcome'] },
  { name: 'memfleet_shard_queue_wait_seconds', type: 'histogram', labels: ['shard'] },
  { name: 'memfleet_engine_duration_seconds', type: 'histogram', labels: ['shard', 'engine'] },
  { name: 'memfleet_envelope_rejected_total', type: 'counter', labels: ['reason'] },
  { name: 'memfleet_llm_tokens_total', type: 'counter', labels: ['model', 'kind'] },
  { name: 'memfleet_llm_cost_usd_total', type: 'counter', labels: ['model'] },
  { name: 'memfleet_shard_up', type: 'gauge', labels: ['shard'] },
  { name: 'memfleet_shard_jobs_total', type: 'counter', labels: ['shard', 'outcome'] },
  { name: 'memfleet_citations_rejected_total', type: 'counter', labels: ['shard'] },
];

/** Records one value in every fleet metric, so each has a sample in the output. */
function exercise(m: FleetMetrics): void {
  m.queryDuration.observe({ mode: 'broadcast', outcome: 'ok' }, 0.012);
  m.shardRoundtrip.observe({ shard: 'sea', outcome: 'ok' }, 0.004);
  m.shardQueueWait.observe({ shard: 'sea' }, 0.0004);
  m.engineDuration.observe({ shard: 'sea', engine: 'lexical' }, 0.002);
  m.envelopeRejected.inc({ reason: 'stale' });
  m.llmTokens.inc({ model: 'claude-x', kind: 'input' }, 120);
  m.llmCost.inc({ model: 'claude-x' }, 0.01);
  m.shardUp.set({ shard: 'sea' }, 2);
  m.jobsProcessed.inc({ shard: 'sea', outcome: 'ok' });
  m.citationsRejected.inc({ shard: 'sea' });
}

/** Every label name used on any sample line of a text exposition. */
function labelNamesIn(text: string, metric?: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    if (metric && !line.startsWith(metric)) continue;
    const labels = /\{(.*)\}/.exec(line)?.[1];
    if (!labels) continue;
    for (const match of labels.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="/g)) names.add(match[1] as string);
  }
  return names;
}

describe('createMetrics', () => {
  test('When the coordinator registry is built, then every metric of the contract is registered with its type', async () => {
    const { registry } = createMetrics('coordinator');
    const byName = new Map((await registry.getMetricsAsJSON()).map((m) => [m.name, m]));
    for (const { name, type } of CONTRACT) {
      const metric = byName.get(name);
      assert.ok(metric, `${name} is not registered`);
      assert.equal(String(metric.type), type, `${name} type`);
      assert.ok(metric.help.length > 0, `${name} has no help`);
    }
  });

  test('When each metric is recorded with its documented labels, then its samples carry exactly those labels (plus service, and le on buckets)', async () => {
    const metrics = createMetrics('coordinator');
    exercise(metrics);
    const text = await metrics.registry.metrics();
    for (const { name, type, labels } of CONTRACT) {
      const expected = new Set([...labels, 'service']);
      if (type === 'histogram') {
        assert.deepEqual(labelNamesIn(text, `${name}_sum`), expected, `${name}_sum labels`);
        assert.deepEqual(labelNamesIn(text, `${name}_bucket`), new Set([...expected, 'le']), `${name}_bucket labels`);
      } else {
        assert.deepEqual(labelNamesIn(text, `${name}{`), expected, `${name} labels`);
      }
    }
  });

  test('When a metric is recorded with a label outside the contract, then prom-client refuses it', () => {
    const m = createMetrics('coordinator');
    assert.throws(() => m.queryDuration.observe({ mode: 'broadcast', outcome: 'ok', queryId: 'q_1' } as never, 1));
    assert.throws(() => m.envelopeRejected.inc({ reason: 'stale', jobId: '7' } as never));
    assert.throws(() => m.shardUp.set({ shard: 'sea', replica: 'r1' } as never, 1));
  });

  test('When histograms are written, then their buckets include 0.0005 s and 60 s', async () => {
    assert.ok(LATENCY_BUCKETS.includes(0.0005));
    assert.ok(LATENCY_BUCKETS.includes(60));
    const metrics = createMetrics('coordinator');
    exercise(metrics);
    const text = await metrics.registry.metrics();
    for (const { name } of CONTRACT.filter((c) => c.type === 'histogram')) {
      assert.match(text, new RegExp(`^${name}_bucket\\{le="0\\.0005",[^}]*\\} `, 'm'), `${name} has no 0.0005 bucket`);
      assert.match(text, new RegExp(`^${name}_bucket\\{le="60",[^}]*\\} `, 'm'), `${name} has no 60 bucket`);
    }
  });

  test('When the buckets are listed, then they are strictly increasing', () => {
    for (let i = 1; i < LATENCY_BUCKETS.length; i++) assert.ok((LATENCY_BUCKETS[i] as number) > (LATENCY_BUCKETS[i - 1] as number));
  });

  test('When the shard registry is built with its domain, then every sample carries service="shard" and the domain', async () => {
    const metrics = createMetrics('shard', { shard: 'sea' });
    metrics.envelopeRejected.inc({ reason: 'replay' });
    const text = await metrics.registry.metrics();
    assert.match(text, /^memfleet_envelope_rejected_total\{reason="replay",service="shard",shard="sea"\} 1$/m);
  });

  test('When Node default metrics are collected, then they are in the same registry', async () => {
    const { registry } = createMetrics('coordinator');
    const names = (await registry.getMetricsAsJSON()).map((m) => m.name);
    assert.ok(names.some((n) => n.startsWith('process_') || n.startsWith('nodejs_')), 'no default metrics');
  });

  test('When two registries are built in one process, then they do not clash', async () => {
    const a = createMetrics('coordinator');
    const b = createMetrics('shard', { shard: 'law' });
    a.shardUp.set({ shard: 'sea' }, 1);
    assert.doesNotMatch(await b.registry.metrics(), /memfleet_shard_up\{[^}]*shard="sea"/);
  });

  test('When every metric has been recorded, then the output has no label named like an id (queryId, jobId, …)', async () => {
    for (const metrics of [createMetrics('coordinator'), createMetrics('shard', { shard: 'sea' })]) {
      exercise(metrics);
      const names = [...labelNamesIn(await metrics.registry.metrics())];
      assert.ok(names.length > 0);
      const idLike = names.filter((n) => /(^|_)id$|[a-z]Id$|ID$/.test(n) || /^(query|job|request|trace|nonce)/i.test(n));
      assert.deepEqual(idLike, [], `id-like labels: ${idLike.join(', ')}`);
    }
  });
});
