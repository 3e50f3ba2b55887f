/**
 * Scoring of one system's answers against the question set. Pure: no I/O, so
 * the definitions are unit-tested (test/unit/eval-metrics.test.ts) and every
 * system (baseline, broadcast, routed) is scored by exactly the same code.
 */

import { createHash } from 'node:crypto';

export const KINDS = ['lexical', 'paraphrase', 'planted', 'multi', 'unanswerable'] as const;
export type QuestionKind = (typeof KINDS)[number];

/**
 * Which half of the set a question belongs to: `dev` is tuned on (every
 * threshold and weight of the engine, merge and routing is chosen on it),
 * `test` is only reported. Assigned from the id's hash (splitOf), so an
 * author cannot move a question to the half that suits a result.
 */
export const SPLITS = ['dev', 'test'] as const;
export type Split = (typeof SPLITS)[number];

/** The split a question id belongs to: dev when the first byte of sha256(id) is even, else test. */
export function splitOf(id: string): Split {
  return (createHash('sha256').update(id).digest()[0] as number) % 2 === 0 ? 'dev' : 'test';
}

/** How sure the fleet is of its answer (the `confidence` field of the HTTP response). */
export type Confidence = 'high' | 'low' | 'none';

/** A place that answers the question; `alt` lists equally good places in the same shard. */
export interface Expected {
  shard: string;
  source: string;
  line: number;
  endLine: number;
  alt?: { source?: string; line: number; endLine: number }[];
}

export interface Question {
  id: string;
  split: Split;
  kind: QuestionKind;
  question: string;
  /** Every place an answer must cite; empty for unanswerable questions. */
  expect: Expected[];
  /** Words the expected lines hold and a good answer repeats. */
  answerTerms: string[];
}

export interface CitedLines {
  shard: string;
  source: string;
  line: number;
  endLine: number;
}

/** What a system answered to one question (the fields of the HTTP response the metrics need). */
export interface Observation {
  id: string;
  answer: string;
  citations: CitedLines[];
  /** Shards asked (one call each). */
  shardsAsked: string[];
  latencyMs: number;
  /** The answer's confidence; systems without one (the baseline) leave it out: `high` when they cite anything. */
  confidence?: Confidence;
}

/** Lines of slack on each side of an expected range: a citation this close still counts. */
export const LINE_TOLERANCE = 2;

export function citationMatches(c: CitedLines, e: Expected, tolerance = LINE_TOLERANCE): boolean {
  if (c.shard !== e.shard) return false;
  const ranges = [{ source: e.source, line: e.line, endLine: e.endLine }, ...(e.alt ?? []).map((a) => ({ source: a.source ?? e.source, line: a.line, endLine: a.endLine }))];
  return ranges.some((r) => c.source === r.source && c.line <= r.endLine + tolerance && r.line - tolerance <= c.endLine);
}

/** True when every expected place is matched by one of the first `k` citations. */
export function hitAt(citations: readonly CitedLines[], expect: readonly Expected[], k: number): boolean {
  if (expect.length === 0) return false;
  const top = citations.slice(0, k);
  return expect.every((e) => top.some((c) => citationMatches(c, e)));
}

/** Lower-case, one space between words, dashes and quotes kept: the form answer terms are compared in. */
export function normalizeText(text: string): string {
  return text.replace(/[’‘]/g, "'").replace(/\s+/g, ' ').trim().toLowerCase();
}

export function containsAllTerms(text: string, terms: readonly string[]): boolean {
  const haystack = normalizeText(text);
  return terms.every((t) => haystack.includes(normalizeText(t)));
}

export interface QuestionScore {
  id: string;
  kind: QuestionKind;
  answerable: boolean;
  hit1: boolean;
  hit3: boolean;
  /** Every expected shard was among the shards asked. */
  routed: boolean;
  termMatch: boolean;
  /** The first citation is in one of the expected shards (answerable questions only). */
  firstShard: boolean;
  /** No citation came back. */
  abstained: boolean;
  /** The answer's confidence was not `high` (low, or none). */
  notHigh: boolean;
  shardCalls: number;
  latencyMs: number;
}

export function scoreQuestion(q: Question, o: Observation): QuestionScore {
  const answerable = q.expect.length > 0;
  const asked = new Set(o.shardsAsked);
  return {
    id: q.id,
    kind: q.kind,
    answerable,
    hit1: hitAt(o.citations, q.expect, 1),
    // A question that needs two places can never be answered in one citation; hit@1 stays strict on purpose.
    hit3: hitAt(o.citations, q.expect, 3),
    routed: answerable && q.expect.every((e) => asked.has(e.shard)),
    termMatch: answerable && q.answerTerms.length > 0 && containsAllTerms(o.answer, q.answerTerms),
    firstShard: answerable && o.citations[0] !== undefined && q.expect.some((e) => e.shard === o.citations[0]?.shard),
    abstained: o.citations.length === 0,
    notHigh: (o.confidence ?? (o.citations.length > 0 ? 'high' : 'none')) !== 'high',
    shardCalls: o.shardsAsked.length,
    latencyMs: o.latencyMs,
  };
}

export interface Summary {
  questions: number;
  answerable: number;
  unanswerable: number;
  /** Shares in [0, 1] over answerable questions (null when there are none). */
  hit1: number | null;
  hit3: number | null;
  routing: number | null;
  termMatch: number | null;
  /** Share of answerable questions whose first citation is on an expected shard. */
  firstShard: number | null;
  /** Share of answerable questions answered with confidence low or none. */
  answerableNotHigh: number | null;
  /** Share of unanswerable questions answered with confidence low or none. */
  unanswerableNotHigh: number | null;
  /** Share of answerable questions answered with no citation at all. */
  falseAbstention: number | null;
  /** Share of unanswerable questions answered with no citation (null when there are none). */
  abstention: number | null;
  shardCallsMean: number;
  p50Ms: number;
  p95Ms: number;
}

const share = (xs: readonly boolean[]): number | null => (xs.length === 0 ? null : xs.filter(Boolean).length / xs.length);

/** Nearest-rank percentile (p in (0, 100]) of `values`; 0 for an empty list. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] as number;
}

export function summarize(scores: readonly QuestionScore[]): Summary {
  const answerable = scores.filter((s) => s.answerable);
  const unanswerable = scores.filter((s) => !s.answerable);
  const latencies = scores.map((s) => s.latencyMs);
  return {
    questions: scores.length,
    answerable: answerable.length,
    unanswerable: unanswerable.length,
    hit1: share(answerable.map((s) => s.hit1)),
    hit3: share(answerable.map((s) => s.hit3)),
    routing: share(answerable.map((s) => s.routed)),
    termMatch: share(answerable.map((s) => s.termMatch)),
    firstShard: share(answerable.map((s) => s.firstShard)),
    answerableNotHigh: share(answerable.map((s) => s.notHigh)),
    unanswerableNotHigh: share(unanswerable.map((s) => s.notHigh)),
    falseAbstention: share(answerable.map((s) => s.abstained)),
    abstention: share(unanswerable.map((s) => s.abstained)),
    shardCallsMean: scores.length === 0 ? 0 : scores.reduce((n, s) => n + s.shardCalls, 0) / scores.length,
    p50Ms: percentile(latencies, 50),
    p95Ms: percentile(latencies, 95),
  };
}

/** Overall summary plus one per question kind present. */
export function summarizeByKind(scores: readonly QuestionScore[]): { all: Summary; byKind: Partial<Record<QuestionKind, Summary>> } {
  const byKind: Partial<Record<QuestionKind, Summary>> = {};
  for (const kind of KINDS) {
    const of = scores.filter((s) => s.kind === kind);
    if (of.length > 0) byKind[kind] = summarize(of);
  }
  return { all: summarize(scores), byKind };
}

/** What a system answers to unanswerable and answerable questions at one abstention threshold. */
export interface ThresholdPoint {
  threshold: number;
  abstention: number;
  falseAbstention: number;
  hit3: number;
}

/**
 * Abstention trade-off if every citation scoring below `threshold` were dropped
 * (what MIN_SCORE does in the merge): `topScores[i]` is question i's best
 * citation score (0 when none), `hit3AfterDrop` whether it would still hit.
 */
export function thresholdCurve(
  items: readonly { answerable: boolean; topScore: number; hit3: (threshold: number) => boolean }[],
  thresholds: readonly number[],
): ThresholdPoint[] {
  const answerable = items.filter((i) => i.answerable);
  const unanswerable = items.filter((i) => !i.answerable);
  return thresholds.map((threshold) => ({
    threshold,
    abstention: unanswerable.length === 0 ? 0 : unanswerable.filter((i) => i.topScore < threshold).length / unanswerable.length,
    falseAbstention: answerable.length === 0 ? 0 : answerable.filter((i) => i.topScore < threshold).length / answerable.length,
    hit3: answerable.length === 0 ? 0 : answerable.filter((i) => i.topScore >= threshold && i.hit3(threshold)).length / answerable.length,
  }));
}

/**
 * Problems with a question's expected lines: each expected range (or its alt)
 * must exist in the file, every answer term must appear in an expected range,
 * and each expected range must hold at least one answer term. `readLines`
 * returns a file's lines or undefined when it does not exist.
 */
export function verifyQuestion(q: Question, readLines: (shard: string, source: string) => readonly string[] | undefined): string[] {
  const problems: string[] = [];
  if (q.kind === 'unanswerable') {
    if (q.expect.length > 0) problems.push('an unanswerable question must expect nothing');
    return problems;
  }
  if (q.expect.length === 0) problems.push(`a ${q.kind} question must expect at least one place`);
  if (q.kind === 'multi' && new Set(q.expect.map((e) => e.shard)).size < 2) problems.push('a multi question must expect places in two shards');
  if (q.answerTerms.length === 0) problems.push('answerTerms is empty');
  const texts: string[] = [];
  for (const e of q.expect) {
    const ranges = [{ source: e.source, line: e.line, endLine: e.endLine }, ...(e.alt ?? []).map((a) => ({ source: a.source ?? e.source, line: a.line, endLine: a.endLine }))];
    const rangeTexts: string[] = [];
    for (const r of ranges) {
      const lines = readLines(e.shard, r.source);
      const where = `${e.shard}/${r.source}:${r.line}-${r.endLine}`;
      if (lines === undefined) {
        problems.push(`${where}: no such file`);
        continue;
      }
      if (r.line < 1 || r.endLine < r.line || r.endLine > lines.length) {
        problems.push(`${where}: outside the file's ${lines.length} lines`);
        continue;
      }
      const text = lines.slice(r.line - 1, r.endLine).join(' ');
      rangeTexts.push(text);
      if (!q.answerTerms.some((t) => normalizeText(text).includes(normalizeText(t)))) {
        problems.push(`${where}: holds none of the answer terms ${JSON.stringify(q.answerTerms)}`);
      }
    }
    texts.push(...rangeTexts);
  }
  const all = normalizeText(texts.join(' '));
  for (const t of q.answerTerms) {
    if (!all.includes(normalizeText(t))) problems.push(`answer term "${t}" is in none of the expected lines`);
  }
  return problems;
}
