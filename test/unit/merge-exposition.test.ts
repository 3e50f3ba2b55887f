import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Counter, Histogram, Registry } from 'prom-client';
import { mergeExpositions } from '../../shared/metrics/merge-exposition.js';

/**
 * The text BullMQ's `Queue.exportPrometheusMetrics(globalVariables)` returns
 * (node_modules/bullmq/dist/esm/classes/queue-getters.js), for given counts.
 */
function bullmqExposition(queue: string, counts: Record<string, number>, completed: number, failed: number, globals: Record<string, string> = {}): string {
  const variables = Object.keys(globals).reduce((acc, key) => `${acc}, ${key}="${globals[key]}"`, '');
  const metrics: string[] = [];
  metrics.push('# HELP bullmq_job_count Number of jobs in the queue by state');
  metrics.push('# TYPE bullmq_job_count gauge');
  for (const [state, count] of Object.entries(counts)) metrics.push(`bullmq_job_count{queue="${queue}", state="${state}"${variables}} ${count}`);
  metrics.push('# HELP bullmq_job_completed_total Total number of completed jobs');
  metrics.push('# TYPE bullmq_job_completed_total counter');
  metrics.push(`bullmq_job_completed_total{queue="${queue}"${variables}} ${completed}`);
  metrics.push('# HELP bullmq_job_failed_total Total number of failed jobs');
  metrics.push('# TYPE bullmq_job_failed_total counter');
  metrics.push(`bullmq_job_failed_total{queue="${queue}"${variables}} ${failed}`);
  return metrics.join('\n');
}

const SEA = bullmqExposition('shard.sea', { active: 1, waiting: 2, failed: 0 }, 40, 1, { shard: 'sea' });
const LAW = bullmqExposition('shard.law', { active: 0, waiting: 5, failed: 3 }, 7, 0, { shard: 'law' });

interface Family {
  name: string;
  help?: string;
  type?: string;
  samples: string[];
}

/**
 * The rules of the Prometheus text format that concatenated expositions break:
 * one HELP and one TYPE per family, before its samples, and a family's samples
 * in one contiguous group. prom-client only writes the format, so this is the parser.
 */
function parseStrict(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const closed = new Set<string>();
  let current: Family | undefined;
  const familyOf = (sample: string): string => {
    const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(sample)?.[0];
    assert.ok(name, `not a sample line: ${sample}`);
    if (current && (name === current.name || /^_(bucket|sum|count|total|created)$/.test(name.slice(current.name.length)) && name.startsWith(current.name))) return current.name;
    return name;
  };
  const open = (name: string): Family => {
    if (current?.name === name) return current;
    assert.ok(!closed.has(name), `family ${name} appears in two separate groups`);
    if (current) closed.add(current.name);
    current = { name, samples: [] };
    families.set(name, current);
    return current;
  };
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const header = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
    if (header) {
      const [, kind, name, rest] = header as unknown as [string, 'HELP' | 'TYPE', string, string];
      const fam = open(name);
      if (kind === 'HELP') {
        assert.equal(fam.help, undefined, `# HELP ${name} appears twice`);
        assert.equal(fam.samples.length, 0, `# HELP ${name} after its samples`);
        fam.help = rest;
      } else {
        assert.equal(fam.type, undefined, `# TYPE ${name} appears twice`);
        assert.equal(fam.samples.length, 0, `# TYPE ${name} after its samples`);
        assert.match(rest, /^(counter|gauge|histogram|summary|untyped)$/);
        fam.type = rest;
      }
      continue;
    }
    if (line.startsWith('#')) continue;
    assert.match(line, /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? (-?[0-9.eE+-]+|NaN|[+-]Inf)( -?\d+)?$/, `malformed sample: ${line}`);
    open(familyOf(line)).samples.push(line);
  }
  return families;
}

const headerCount = (text: string, kind: 'HELP' | 'TYPE', name: string): number =>
  text.split('\n').filter((line) => line.startsWith(`# ${kind} ${name} `)).length;

describe('mergeExpositions', () => {
  test('When two concatenated BullMQ expositions are checked, then they break the format (the reason for merging)', () => {
    assert.throws(() => parseStrict(`${SEA}\n${LAW}`), /appears/);
  });

  test('When two BullMQ expositions are merged, then each family has one # HELP and one # TYPE', () => {
    const merged = mergeExpositions([SEA, LAW]);
    for (const name of ['bullmq_job_count', 'bullmq_job_completed_total', 'bullmq_job_failed_total']) {
      assert.equal(headerCount(merged, 'HELP', name), 1, `HELP ${name}`);
      assert.equal(headerCount(merged, 'TYPE', name), 1, `TYPE ${name}`);
    }
  });

  test('When two BullMQ expositions are merged, then every sample is kept and grouped under its family', () => {
    const merged = mergeExpositions([SEA, LAW]);
    const families = parseStrict(merged);
    assert.deepEqual([...families.keys()], ['bullmq_job_count', 'bullmq_job_completed_total', 'bullmq_job_failed_total']);
    assert.equal(families.get('bullmq_job_count')?.type, 'gauge');
    assert.equal(families.get('bullmq_job_completed_total')?.type, 'counter');
    assert.deepEqual(families.get('bullmq_job_count')?.samples, [
      'bullmq_job_count{queue="shard.sea", state="active", shard="sea"} 1',
      'bullmq_job_count{queue="shard.sea", state="waiting", shard="sea"} 2',
      'bullmq_job_count{queue="shard.sea", state="failed", shard="sea"} 0',
      'bullmq_job_count{queue="shard.law", state="active", shard="law"} 0',
      'bullmq_job_count{queue="shard.law", state="waiting", shard="law"} 5',
      'bullmq_job_count{queue="shard.law", state="failed", shard="law"} 3',
    ]);
    assert.deepEqual(families.get('bullmq_job_completed_total')?.samples, [
      'bullmq_job_completed_total{queue="shard.sea", shard="sea"} 40',
      'bullmq_job_completed_total{queue="shard.law", shard="law"} 7',
    ]);
    assert.deepEqual(families.get('bullmq_job_failed_total')?.samples, [
      'bullmq_job_failed_total{queue="shard.sea", shard="sea"} 1',
      'bullmq_job_failed_total{queue="shard.law", shard="law"} 0',
    ]);
    const sampleLines = (text: string) => text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).sort();
    assert.deepEqual(sampleLines(merged), sampleLines(`${SEA}\n${LAW}`));
  });

  test('When the merged text is written, then it ends with one newline and has no blank lines', () => {
    const merged = mergeExpositions([SEA, LAW]);
    assert.ok(merged.endsWith('\n'));
    assert.ok(!merged.slice(0, -1).includes('\n\n'));
  });

  test('When one exposition is merged, then it comes out unchanged (plus the final newline)', () => {
    assert.equal(mergeExpositions([SEA]), `${SEA}\n`);
  });

  test('When a queue could not be read (empty text), then it adds nothing', () => {
    assert.equal(mergeExpositions(['', SEA, '']), `${SEA}\n`);
    assert.equal(mergeExpositions(['']).trim(), '');
    assert.equal(mergeExpositions([]).trim(), '');
  });

  test('When histograms from two registries are merged, then _bucket/_sum/_count stay under one header', async () => {
    const expositions: string[] = [];
    for (const shard of ['sea', 'law']) {
      const registry = new Registry();
      const h = new Histogram({ name: 'demo_seconds', help: 'Demo.', labelNames: ['shard'], buckets: [0.1, 1], registers: [registry] });
      h.observe({ shard }, 0.5);
      new Counter({ name: 'demo_total', help: 'Demo count.', labelNames: ['shard'], registers: [registry] }).inc({ shard });
      expositions.push(await registry.metrics());
    }
    const merged = mergeExpositions(expositions);
    const families = parseStrict(merged);
    assert.deepEqual([...families.keys()], ['demo_seconds', 'demo_total']);
    assert.equal(families.get('demo_seconds')?.samples.length, 2 * (3 + 2));
    assert.equal(families.get('demo_total')?.samples.length, 2);
  });

  test('When our own registry output is followed by the merged queue gauges (as /metrics does), then the result is valid', async () => {
    const registry = new Registry();
    new Counter({ name: 'memfleet_envelope_rejected_total', help: 'Rejected.', labelNames: ['reason'], registers: [registry] }).inc({ reason: 'stale' });
    const body = (await registry.metrics()) + mergeExpositions([SEA, LAW]);
    const families = parseStrict(body);
    assert.ok(families.has('memfleet_envelope_rejected_total'));
    assert.equal(families.get('bullmq_job_count')?.samples.length, 6);
  });
});
