/**
 * The evaluation harness (npm run eval): checks the question set against the
 * demo files, runs the naive baseline in-process, starts a real fleet and asks
 * every question over HTTP in broadcast and routed mode, then prints the
 * tables of docs/quality.md and one final JSON line.
 *
 *   node --import tsx eval/run.ts [--in-process] [--split dev|test|all] [--ablation [--only NAMES]] [--verbose] [--per-question FILE] [--contexts DIR] [--questions FILE] [--held-out]
 *
 * --split       ask only one half of the set (dev is what thresholds and weights are tuned on; quick runs);
 *               the report always shows dev and test side by side when both are asked
 *
 * --in-process  the engine without a fleet (same engine, routing and merge code; no HTTP, latency not comparable)
 * --ablation    also run the engine variants of docs/quality.md in-process (each retrieval step switched off)
 * --only A,B    with --ablation: only the variants whose name contains one of these ("one index": the single-index reference)
 * --verbose     list every answerable question a system missed at hit@3, and every unanswerable one it answered
 * --held-out    the whole set is held out (eval/outside: written apart, never tuned on): targets over every question, not the test half
 * --per-question FILE  write one JSON line per question and system (id, kind, hit@1, hit@3, first shard, confidence, the first 3 citations):
 *               diff two runs' files to see which questions a change won or lost
 * --contexts    the contexts folder (default demo/contexts); --questions the question file (default eval/questions.json).
 *               npm run eval:outside: demo/outside-contexts with eval/outside/questions.json (report only, never tuned on)
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { discoverDomains } from '../services/cli/up/discover-domains.js';
import type { DomainContext } from '../services/shard/domain/domain-context.js';
import { loadDomainContext } from '../services/shard/domain/load-domain.js';
import { DEFAULT_FLOOR_RATIO, DEFAULT_HIGH_SCORE, DEFAULT_MIN_SCORE } from '../services/coordinator/domain/merge.js';
import { questionParts } from '../services/coordinator/domain/question-parts.js';
import { ABLATIONS } from './ablations.js';
import { startEvalFleet, type EvalFleet } from './fleet.js';
import { baselineSystem, buildEngines, engineSystem, oneIndexSystem, type ScoredObservation, type System } from './in-process.js';
import { hitAt, scoreQuestion, SPLITS, summarizeByKind, thresholdCurve, type Question, type QuestionScore, type Split } from './metrics.js';
import { loadQuestions, verifyQuestions } from './question-set.js';
import { byKindTable, checkTargets, overallTable, qualityTable, splitTable, targetsTable, type SystemReport } from './report.js';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
const TOP_K = 5;

interface Run {
  report: SystemReport;
  scores: QuestionScore[];
  observations: ScoredObservation[];
}

async function runSystem(system: System, questions: readonly Question[]): Promise<Run> {
  const scores: QuestionScore[] = [];
  const observations: ScoredObservation[] = [];
  for (const q of questions) {
    const o = { ...(await system.ask(q.question, TOP_K)), id: q.id };
    observations.push(o);
    scores.push(scoreQuestion(q, o));
  }
  return { report: { name: system.name, ...summarizeByKind(scores) }, scores, observations };
}

function misses(run: Run, questions: readonly Question[]): string[] {
  const lines: string[] = [];
  for (const [i, q] of questions.entries()) {
    const s = run.scores[i] as QuestionScore;
    const o = run.observations[i] as ScoredObservation;
    const cited = o.citations.slice(0, 3).map((c) => `${c.shard}/${c.source}:${c.line}-${c.endLine} (${c.score.toFixed(3)})`);
    if (s.answerable && !s.hit3) {
      const want = q.expect.map((e) => `${e.shard}/${e.source}:${e.line}-${e.endLine}`).join(' + ');
      lines.push(`  miss  [${q.kind}] ${q.id}: want ${want}; asked ${o.shardsAsked.join(',') || 'none'}; got ${cited.join(', ') || 'nothing'}`);
    } else if (!s.answerable && !s.abstained) {
      lines.push(`  noise [${q.kind}] ${q.id}: got ${cited.join(', ')}`);
    }
  }
  return lines;
}

/** One JSON line per question and system: what `--per-question` writes, to diff two runs. */
function perQuestion(runs: readonly Run[]): string {
  return runs
    .flatMap((run) =>
      run.scores.map((s, i) => {
        const o = run.observations[i] as ScoredObservation;
        const { id, kind, hit1, hit3, firstShard, notHigh } = s;
        const cited = o.citations.slice(0, 3).map((c) => `${c.shard}/${c.source}:${c.line}-${c.endLine} ${c.score.toFixed(3)}`);
        return `${JSON.stringify({ system: run.report.name, id, kind, hit1, hit3, firstShard, notHigh, confidence: o.confidence ?? null, cited })}\n`;
      }),
    )
    .join('');
}

async function loadDomains(contexts: string): Promise<Map<string, DomainContext>> {
  const domains = new Map<string, DomainContext>();
  for (const name of discoverDomains(contexts).domains) {
    domains.set(name, await loadDomainContext(contexts, name, { maxTokens: 10_000_000 }));
  }
  return domains;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'in-process': { type: 'boolean', default: false },
      ablation: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      'held-out': { type: 'boolean', default: false },
      contexts: { type: 'string', default: path.join(REPO_ROOT, 'demo', 'contexts') },
      questions: { type: 'string', default: path.join(REPO_ROOT, 'eval', 'questions.json') },
      split: { type: 'string', default: 'all' },
      only: { type: 'string' },
      'per-question': { type: 'string' },
    },
    strict: true,
  });
  const contexts = path.resolve(values.contexts);
  const say = (line: string): void => void process.stderr.write(`${line}\n`);

  const domains = await loadDomains(contexts);
  const allQuestions = loadQuestions(values.questions);
  verifyQuestions(allQuestions, domains);
  if (values.split !== 'all' && !(SPLITS as readonly string[]).includes(values.split)) {
    throw new Error(`--split must be dev, test or all, got "${values.split}"`);
  }
  const questions = values.split === 'all' ? allQuestions : allQuestions.filter((q) => q.split === values.split);
  const kinds = new Map<string, number>();
  for (const q of questions) kinds.set(q.kind, (kinds.get(q.kind) ?? 0) + 1);
  say(`${questions.length} of ${allQuestions.length} questions (split ${values.split}) verified against ${contexts} (${[...kinds].map(([k, n]) => `${k} ${n}`).join(', ')})`);
  const split = questions.filter((q) => questionParts(q.question).length > 1);
  say(`${split.length} asked part by part (question-parts.ts; each part sends its own jobs): ${split.map((q) => q.id).join(', ') || 'none'}`);

  const runs: Run[] = [];
  runs.push(await runSystem(baselineSystem(domains), questions));
  say('baseline done');

  // In-process engines: always needed for the abstention curve (citation scores before MIN_SCORE drops any).
  const engines = buildEngines(domains);
  const curveRun = await runSystem(engineSystem('default engine (in-process)', engines, { mode: 'broadcast', merge: { minScore: 0 } }), questions);

  let fleet: EvalFleet | undefined;
  try {
    if (values['in-process']) {
      runs.push(await runSystem(engineSystem('engine broadcast', engines, { mode: 'broadcast' }), questions));
      runs.push(await runSystem(engineSystem('engine routed', engines, { mode: 'routed' }), questions));
    } else {
      say('starting a fleet (private redis-server, memfleet up from dist/)...');
      fleet = await startEvalFleet(REPO_ROOT, contexts);
      say(`fleet up at ${fleet.url}`);
      for (const mode of ['broadcast', 'routed'] as const) {
        const system = fleet.system(mode);
        await system.ask('warm-up question about whales and congress', TOP_K); // first-query costs (JIT, connections) out of the latencies
        runs.push(await runSystem(system, questions));
        say(`${mode} done`);
      }
    }
  } finally {
    await fleet?.stop();
  }

  const ablations: Run[] = [];
  if (values.ablation) {
    const wanted = values.only?.split(',').map((n) => n.trim().toLowerCase());
    for (const variant of ABLATIONS.filter((v) => wanted === undefined || wanted.some((w) => v.name.toLowerCase().includes(w)))) {
      const variantEngines = variant.engine ? buildEngines(domains, variant.engine) : engines;
      ablations.push(await runSystem(engineSystem(variant.name, variantEngines, { mode: 'broadcast', ...variant.system }), questions));
      say(`ablation ${variant.name} done`);
    }
    if (wanted === undefined || wanted.some((w) => 'one index'.includes(w))) {
      ablations.push(await runSystem(oneIndexSystem(domains), questions));
      say('one-index reference done');
    }
  }

  const [baseline, broadcast, routed] = runs as [Run, Run, Run];
  const reports = runs.map((r) => r.report);
  const bySplit = (run: Run, split: Split): SystemReport => {
    const scores = run.scores.filter((_, i) => questions[i]?.split === split);
    return { name: run.report.name, ...summarizeByKind(scores) };
  };
  const splitsAsked = SPLITS.filter((sp) => questions.some((q) => q.split === sp));
  const out: string[] = [];
  if (splitsAsked.length === 2) {
    out.push(
      `## Dev / test (${questions.filter((q) => q.split === 'dev').length} / ${questions.filter((q) => q.split === 'test').length} questions; weights and thresholds are chosen on dev only, test is only reported)`,
      '',
      splitTable({ dev: runs.map((r) => bySplit(r, 'dev')), test: runs.map((r) => bySplit(r, 'test')) }),
      '',
    );
  }
  out.push(`## Overall (${questions.length} questions, top ${TOP_K} citations; hit = right shard and source, lines overlapping the expected range ±2)`, '', overallTable(reports), '');
  out.push('## By kind (hit@1 / hit@3 / routing %; abstention for unanswerable)', '', byKindTable(reports), '');
  // A held-out set (eval/outside: nothing was ever chosen on it) is judged whole; the project's own set on its test half.
  const targetSplit: Split | undefined = !values['held-out'] && splitsAsked.includes('test') ? 'test' : undefined;
  const checks = targetSplit
    ? checkTargets(bySplit(baseline, targetSplit), bySplit(broadcast, targetSplit), bySplit(routed, targetSplit))
    : checkTargets(baseline.report, broadcast.report, routed.report);
  const targetsOn = targetSplit ? 'test half' : values['held-out'] ? `all ${questions.length} questions: a held-out set` : `split ${values.split}`;
  out.push(`## Targets (${targetsOn})`, '', targetsTable(checks), '');

  const thresholds = [0, 0.05, 0.1, 0.15, 0.2, 0.22, 0.24, 0.26, 0.28, 0.3, 0.32, 0.35, 0.4, 0.45, 0.5, 0.6];
  const curveFor = (split: Split) =>
    thresholdCurve(
      questions.flatMap((q, i) => {
        if (q.split !== split) return [];
        const o = curveRun.observations[i] as ScoredObservation;
        return [
          {
            answerable: q.expect.length > 0,
            topScore: o.citations[0]?.score ?? 0,
            // The merge's policy: abstain below t, else keep citations down to t × DEFAULT_FLOOR_RATIO.
            hit3: (t: number) => (o.citations[0] !== undefined && o.citations[0].score >= t ? hitAt(o.citations.filter((c) => c.score >= t * DEFAULT_FLOOR_RATIO), q.expect, 3) : false),
          },
        ];
      }),
      thresholds,
    );
  const curves = splitsAsked.map((sp) => ({ split: sp, points: curveFor(sp) }));
  const curve = curves[0]?.points ?? [];
  out.push(
    `## Best citation score as a threshold (no citation below MIN_SCORE ${DEFAULT_MIN_SCORE}; confidence high from HIGH_SCORE ${DEFAULT_HIGH_SCORE}); share of questions whose best score is below it`,
    '',
    `| threshold | ${curves.map((c) => `${c.split} unanswerable below % | ${c.split} answerable below % | ${c.split} hit@3 if abstaining below %`).join(' | ')} |`,
    `| ---: | ${curves.map(() => '---: | ---: | ---:').join(' | ')} |`,
    ...thresholds.map(
      (t, i) =>
        `| ${t} | ${curves
          .map((c) => {
            const p = c.points[i];
            return p === undefined ? '– | – | –' : `${(p.abstention * 100).toFixed(1)} | ${(p.falseAbstention * 100).toFixed(1)} | ${(p.hit3 * 100).toFixed(1)}`;
          })
          .join(' | ')} |`,
    ),
    '',
  );
  if (ablations.length > 0) {
    const reference = [curveRun.report, ...ablations.map((a) => a.report)];
    out.push('## Ablation (in-process, broadcast, no MIN_SCORE: the default engine, then one step changed)', '', overallTable(reference), '');
    out.push(
      `### Ablation: ranking and confidence (in-process, broadcast, MIN_SCORE ${DEFAULT_MIN_SCORE}, HIGH_SCORE ${DEFAULT_HIGH_SCORE} for every row)`,
      '',
      qualityTable([broadcast.report, ...ablations.map((a) => a.report)]),
      '',
    );
    const ablationRuns = [curveRun, ...ablations];
    if (splitsAsked.length === 2) {
      out.push('### Ablation, dev / test (choose on dev)', '', splitTable({ dev: ablationRuns.map((r) => bySplit(r, 'dev')), test: ablationRuns.map((r) => bySplit(r, 'test')) }), '');
    }
    out.push(byKindTable(reference), '');
  }
  if (values.verbose) {
    for (const run of [...runs, ...ablations]) out.push(`### ${run.report.name}: misses`, ...misses(run, questions), '');
  }
  if (values['per-question'] !== undefined) writeFileSync(values['per-question'], perQuestion([...runs, ...ablations]));
  process.stdout.write(`${out.join('\n')}\n`);
  process.stdout.write(
    `${JSON.stringify({
      questions: questions.length,
      systems: Object.fromEntries(runs.map((r) => [r.report.name, { all: r.report.all, byKind: r.report.byKind }])),
      ablations: Object.fromEntries(ablations.map((r) => [r.report.name, r.report.all])),
      targets: checks,
      abstentionCurve: curve,
      bySplit: Object.fromEntries(splitsAsked.map((sp) => [sp, Object.fromEntries(runs.map((r) => [r.report.name, bySplit(r, sp).all]))])),
      curves,
    })}\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`eval: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
