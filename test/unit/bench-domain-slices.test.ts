/** The many-domains benchmark's small domains and questions (bench/domain-slices.ts). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sliceDomains, sliceQuestions, type TextFile } from '../../bench/domain-slices.js';
import { DOMAIN_PATTERN } from '../../shared/queues/names.js';
import { estimateTokens } from '../../shared/text/tokens.js';

/** `count` files of 40 lines, each line ten words naming its file and line, so every line is unique. */
function corpus(count: number, prefix = 'book'): TextFile[] {
  return Array.from({ length: count }, (_, f) => ({
    name: `${prefix}/${String(f).padStart(3, '0')}.txt`,
    text: Array.from({ length: 40 }, (_, l) => `file${f} line${l} alpha beta gamma delta epsilon zeta eta theta`).join('\n'),
  }));
}

describe('many-domains slices', () => {
  test('When a corpus is cut into n slices, then each holds the budget, slices share no line and names are valid domains', () => {
    const slices = sliceDomains(corpus(20), 6, 500);
    assert.equal(slices.length, 6);
    const seen = new Set<string>();
    for (const s of slices) {
      assert.match(s.domain, DOMAIN_PATTERN);
      assert.ok(s.tokens >= 500 && s.tokens < 500 + 30, `${s.domain} holds ${s.tokens} tokens`);
      assert.equal(s.tokens, s.files.reduce((n, f) => n + estimateTokens(f.text.replace(/\n$/, '')), 0));
      for (const f of s.files) {
        assert.ok(!f.name.includes('/'), `flat file name: ${f.name}`);
        for (const line of f.text.split('\n').filter(Boolean)) {
          assert.ok(!seen.has(line), `line shared between slices: ${line}`);
          seen.add(line);
        }
      }
    }
    assert.deepEqual(
      slices.map((s) => s.domain),
      ['slice-01', 'slice-02', 'slice-03', 'slice-04', 'slice-05', 'slice-06'],
    );
  });

  test('When slices are cut, then each starts at its own run of the corpus, spread from its start to its end', () => {
    const files = [...corpus(12, 'whales'), ...corpus(12, 'speeches')];
    const first = sliceDomains(files, 4, 300).map((s) => s.files[0]?.name);
    assert.deepEqual(first, ['whales--000.txt', 'whales--006.txt', 'speeches--000.txt', 'speeches--006.txt']);
  });

  test('When a run of files holds less than the budget or there are too few files, then it refuses instead of making unequal domains', () => {
    assert.throws(() => sliceDomains(corpus(4), 4, 10_000), /holds only/);
    assert.throws(() => sliceDomains(corpus(3), 4, 100), /at least 4 files/);
    assert.throws(() => sliceDomains(corpus(3), 0, 100), RangeError);
  });

  test('When questions are made, then question i quotes a line of slice i mod n', () => {
    const slices = sliceDomains(corpus(9), 3, 400);
    const questions = sliceQuestions(slices, 2);
    assert.equal(questions.length, 6);
    questions.forEach((q, i) => {
      const slice = slices[i % 3]!;
      assert.equal(q.domain, slice.domain);
      const quoted = /^Which passage says: (.*)\?$/.exec(q.question)?.[1];
      assert.ok(quoted, q.question);
      assert.ok(slice.files.some((f) => f.text.includes(quoted)), `${q.question} quotes ${slice.domain}`);
    });
    assert.notEqual(questions[0]?.question, questions[3]?.question);
  });
});

describe('many-domains report', () => {
  test('When rounds are summarised, then each fleet and mode gets the median of its rounds and the JSON carries the 48-vs-4 growth', async () => {
    const { formatManyDomains, manyDomainsJson, summarizeManyDomains } = await import('../../bench/scenarios/many-domains.js');
    const latency = (p50: number) => ({ n: 100, min: p50, p50, p90: p50, p99: p50 * 2, max: p50 * 3, mean: p50 });
    const measures = [4, 16, 48].flatMap((domains) =>
      (['broadcast', 'routed'] as const).flatMap((mode) =>
        [1, 2, 3].map((round) => ({
          domains,
          mode,
          sequential: { latency: latency(domains * round), errors: 0 },
          callsPerQuery: mode === 'broadcast' ? domains : 1.5,
          aimedDomainAsked: 1,
          coordinatorCpuMsSequential: mode === 'broadcast' ? domains * 0.3 + round : 2 + round / 10,
          loaded: { concurrency: 4, durationSec: 6, completed: 60, perSec: 10 * round, latency: latency(5), errors: 0, cores: { coordinator: 0.1, shards: 0.5, redis: 0.1, total: 0.7 } },
        })),
      ),
    );
    const result = { tokensPerDomain: 3_000, rounds: 3, sequentialCount: 100, concurrency: 4, loadedMs: 6_000, loadAtEnd: 3, fleets: [], measures };
    const rows = summarizeManyDomains(result);
    assert.equal(rows.length, 6);
    const b48 = rows.find((r) => r.domains === 48 && r.mode === 'broadcast')!;
    assert.equal(b48.p50, 96); // median of 48, 96, 144
    assert.ok(Math.abs(b48.coordinatorCpuMsSequential - 16.4) < 1e-9);
    assert.equal(b48.perSec, 20);
    assert.equal(b48.coordinatorCpuMsLoaded, 5); // 0.1 cores at 20/s
    const json = manyDomainsJson(result) as { many_domains_coordinator_cpu_48_vs_4: { broadcast: number; routed: number } };
    assert.equal(json.many_domains_coordinator_cpu_48_vs_4.broadcast, 5.125); // 16.4 / 3.2
    assert.equal(json.many_domains_coordinator_cpu_48_vs_4.routed, 1);
    assert.match(formatManyDomains(result), /\| 48 \| broadcast \| 48\.00 \| 100 % \| 96 \|/);
  });
});
