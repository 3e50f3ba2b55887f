/** The harness's printed report: Markdown tables (pasteable into docs/quality.md) and the target checks. Pure. */
import { KINDS, type Summary } from './metrics.js';

export interface SystemReport {
  name: string;
  all: Summary;
  byKind: Partial<Record<(typeof KINDS)[number], Summary>>;
}

const pct = (x: number | null): string => (x === null ? '–' : `${(x * 100).toFixed(1)}`);
const ms = (x: number): string => (x >= 100 ? x.toFixed(0) : x.toFixed(1));

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]): string => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map((h, i) => (i === 0 ? '---' : '---:'))), ...rows.map(line)].join('\n');
}

/** One row per system: every metric over the whole set. */
export function overallTable(systems: readonly SystemReport[]): string {
  return table(
    ['system', 'questions', 'hit@1 %', 'hit@3 %', 'routing %', 'answer terms %', 'abstention %', 'false abstention %', 'shard calls / q', 'p50 ms', 'p95 ms'],
    systems.map(({ name, all: s }) => [
      name,
      String(s.questions),
      pct(s.hit1),
      pct(s.hit3),
      pct(s.routing),
      pct(s.termMatch),
      pct(s.abstention),
      pct(s.falseAbstention),
      s.shardCallsMean.toFixed(2),
      ms(s.p50Ms),
      ms(s.p95Ms),
    ]),
  );
}

/**
 * One row per system, the numbers a scoring change moves: ranking (hit@k,
 * first citation on the right shard) and confidence (answerable questions
 * answered `low`, unanswerable ones not `high`). For ablation rows.
 */
export function qualityTable(systems: readonly SystemReport[]): string {
  return table(
    ['system', 'questions', 'hit@1 %', 'hit@3 %', 'hit@3 other words %', 'first citation on right shard %', 'false abstention %', 'answerable not high %', 'unanswerable not high %'],
    systems.map(({ name, all: s, byKind }) => [
      name,
      String(s.questions),
      pct(s.hit1),
      pct(s.hit3),
      pct(byKind.paraphrase?.hit3 ?? null),
      pct(s.firstShard),
      pct(s.falseAbstention),
      pct(s.answerableNotHigh),
      pct(s.unanswerableNotHigh),
    ]),
  );
}

/** One row per question kind, one column group per system: hit@1 / hit@3 (abstention for unanswerable). */
export function byKindTable(systems: readonly SystemReport[]): string {
  const kinds = KINDS.filter((k) => systems.some((s) => s.byKind[k] !== undefined));
  return table(
    ['kind', 'n', ...systems.flatMap((s) => [`${s.name} hit@1`, `${s.name} hit@3`, `${s.name} routing`])],
    kinds.map((kind) => {
      const n = systems.find((s) => s.byKind[kind])?.byKind[kind]?.questions ?? 0;
      return [
        kind,
        String(n),
        ...systems.flatMap((s) => {
          const k = s.byKind[kind];
          if (k === undefined) return ['–', '–', '–'];
          if (kind === 'unanswerable') return [`abstain ${pct(k.abstention)}`, '', ''];
          return [pct(k.hit1), pct(k.hit3), pct(k.routing)];
        }),
      ];
    }),
  );
}

export interface TargetCheck {
  name: string;
  value: string;
  target: string;
  met: boolean;
}

/** The same systems measured on each half of the question set. */
export interface SplitReports {
  dev: readonly SystemReport[];
  test: readonly SystemReport[];
}

/**
 * One row per system, each cell "dev / test": the numbers tuned on next to the
 * held-out ones. "other words" = the paraphrase kind; abstention = no citation
 * (confidence none); "not high" = confidence low or none.
 */
export function splitTable(reports: SplitReports): string {
  const both = (get: (r: SystemReport) => number | null | undefined) => (i: number): string =>
    `${pct(get(reports.dev[i] as SystemReport) ?? null)} / ${pct(get(reports.test[i] as SystemReport) ?? null)}`;
  const columns: [string, (i: number) => string][] = [
    ['hit@1 %', both((r) => r.all.hit1)],
    ['hit@3 %', both((r) => r.all.hit3)],
    ['hit@3 other words %', both((r) => r.byKind.paraphrase?.hit3)],
    ['first citation on right shard %', both((r) => r.all.firstShard)],
    ['false abstention %', both((r) => r.all.falseAbstention)],
    ['answerable not high %', both((r) => r.all.answerableNotHigh)],
    ['unanswerable abstained %', both((r) => r.all.abstention)],
    ['unanswerable not high %', both((r) => r.all.unanswerableNotHigh)],
    ['shard calls / q', (i) => `${(reports.dev[i] as SystemReport).all.shardCallsMean.toFixed(2)} / ${(reports.test[i] as SystemReport).all.shardCallsMean.toFixed(2)}`],
  ];
  return table(
    ['system (dev / test)', 'questions', ...columns.map(([h]) => h)],
    reports.dev.map((r, i) => [r.name, `${r.all.questions} / ${(reports.test[i] as SystemReport).all.questions}`, ...columns.map(([, cell]) => cell(i))]),
  );
}

/**
 * The targets, checked on one half (the test half in the report).
 * Abstention on unanswerable questions counts an answer that is not `high`
 * (the caller is told not to trust it) as well as one with no citation.
 */
export function checkTargets(baseline: SystemReport, broadcast: SystemReport, routed: SystemReport | undefined): TargetCheck[] {
  const diff = (a: number | null | undefined, b: number | null | undefined): number => (a ?? 0) - (b ?? 0);
  const checks: TargetCheck[] = [];
  const overall = diff(broadcast.all.hit3, baseline.all.hit3);
  checks.push({ name: 'hit@3 over baseline, all answerable', value: `${(overall * 100).toFixed(1)} pts`, target: '≥ 15 pts', met: overall >= 0.15 });
  const para = diff(broadcast.byKind.paraphrase?.hit3, baseline.byKind.paraphrase?.hit3);
  checks.push({ name: 'hit@3 over baseline, other words (paraphrase)', value: `${(para * 100).toFixed(1)} pts`, target: '≥ 15 pts', met: para >= 0.15 });
  const first = broadcast.all.firstShard ?? 0;
  checks.push({ name: 'first citation on the right shard', value: `${pct(first)} %`, target: '≥ 95 %', met: first >= 0.95 });
  const fa = broadcast.all.falseAbstention ?? 0;
  checks.push({ name: 'false abstention on answerable', value: `${pct(fa)} %`, target: '≤ 5 %', met: fa <= 0.05 });
  const abst = broadcast.all.unanswerableNotHigh ?? 0;
  checks.push({ name: 'unanswerable: abstained or confidence low', value: `${pct(abst)} % (abstained ${pct(broadcast.all.abstention)} %)`, target: '≥ 60 %', met: abst >= 0.6 });
  if (routed) {
    const ratio = (routed.all.hit3 ?? 0) / Math.max(1e-9, broadcast.all.hit3 ?? 0);
    checks.push({ name: 'routed hit@3 ÷ broadcast hit@3', value: `${(ratio * 100).toFixed(1)} %`, target: '≥ 95 %', met: ratio >= 0.95 });
    const calls = routed.all.shardCallsMean / Math.max(1e-9, broadcast.all.shardCallsMean);
    checks.push({ name: 'routed shard calls ÷ broadcast', value: `${(calls * 100).toFixed(1)} %`, target: '≤ 50 %', met: calls <= 0.5 });
  }
  return checks;
}

export function targetsTable(checks: readonly TargetCheck[]): string {
  return table(
    ['target', 'measured', 'wanted', 'met'],
    checks.map((c) => [c.name, c.value, c.target, c.met ? 'yes' : 'NO']),
  );
}
