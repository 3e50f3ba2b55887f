/**
 * Merging shard results into one answer. Pure: no Redis, no clock, so the
 * policy is unit-tested on its own.
 */
import { EMPTY_USAGE, type ShardResult, type Usage } from '../../../shared/queues/schemas.js';
import { cite } from '../../../shared/api/citation.js';
import type { Confidence, MergedCitation, ShardOutcome } from '../../../shared/api/query.js';

export interface ShardReply {
  outcome: ShardOutcome;
  result?: ShardResult;
}

export interface MergeOptions {
  topK: number;
  /**
   * A shard's answer joins the merged answer when its best citation scores at
   * least this fraction of the overall best (scores are comparable across shards).
   */
  answerRatio?: number;
  /**
   * When no citation reaches this, no domain has real evidence: the merge
   * abstains (no citations, NOTHING_FOUND, confidence `none`); see floorRatio
   * for the others.
   */
  minScore?: number;
  /**
   * Citations scoring at least this are `high` confidence, the others `low`;
   * the answer's confidence is its best citation's. Below it the fleet still
   * answers (a near miss is shown, not hidden) and says the evidence is weak.
   * @defaultValue 0 (every citation high), the coordinator passes HIGH_SCORE
   */
  highScore?: number;
  /**
   * Once the best citation reaches `minScore` (the fleet does answer), other
   * citations are kept down to `minScore × floorRatio`: the threshold decides
   * *whether* to answer, and a second domain's half of a two-part question
   * scores lower than a whole answer would. 1 drops everything under minScore.
   * @defaultValue DEFAULT_FLOOR_RATIO (0.5)
   */
  floorRatio?: number;
  /**
   * How broadly a lexical citation's lines hold the question (evidence-breadth.ts);
   * with it, a lexical citation is `high` only when its breadth also reaches
   * `minBreadth`, so an answer resting on the question's one rare word is
   * flagged. Never changes the order. Absent: confidence follows the score alone.
   */
  breadthOf?: (c: { source: string; text: string }) => number;
  /** @defaultValue DEFAULT_MIN_BREADTH */
  minBreadth?: number;
  /**
   * Diversity: once this many citations of one source stand in the list, that
   * source's further citations move after every other source's (their order
   * among themselves kept). The first citation never moves. Absent: pure score order.
   */
  sourceCap?: number;
  /**
   * Another domain's voice: when the first three citations all come from one
   * shard and another shard's best scores at least this fraction of the top,
   * that citation takes the third place (a two-part question's other half is
   * often in another domain). Absent: pure score order.
   */
  otherShardRatio?: number;
}

export interface Merged {
  answer: string;
  /** `high`: the best citation matches the question well; `low`: only weak evidence, check it; `none`: nothing found. */
  confidence: Confidence;
  citations: MergedCitation[];
  usage: Usage;
}

export const NOTHING_FOUND = 'Nothing in memory answers this question.';

/**
 * The coordinator's default MIN_SCORE (no citation at all below it): chosen on
 * the dev half of the evaluation set as the highest threshold that refuses no
 * answerable dev question (docs/quality.md). mergeReplies itself drops nothing unless told
 * (minScore defaults to 0 there).
 */
export const DEFAULT_MIN_SCORE = 0.15;

/**
 * The coordinator's default HIGH_SCORE: from it an answer is `high`
 * confidence, below it `low`. Chosen on the dev half of the evaluation set
 * (docs/quality.md): the lowest threshold under which at least 60 % of the
 * dev half's unanswerable questions fall.
 */
export const DEFAULT_HIGH_SCORE = 0.35;

/**
 * MergeOptions.minBreadth's default: a citation is `high` only when its lines
 * hold more of the question than its one strongest word (breadth above 0).
 * Chosen on the dev half of the evaluation set (docs/quality.md).
 */
export const DEFAULT_MIN_BREADTH = 0.01;

/** A citation's confidence from its score (and, when given, its evidence breadth). */
export function confidenceOf(score: number, highScore: number, breadth = 1, minBreadth = 0): Exclude<Confidence, 'none'> {
  return score >= highScore && breadth >= minBreadth ? 'high' : 'low';
}

/**
 * MergeOptions.floorRatio's default: with MIN_SCORE 0.28, citations down to
 * 0.14 stay once the fleet answers. On the evaluation set this keeps the second
 * domain of two-part questions (multi hit@3 25 → 67 %, docs/quality.md) and
 * changes no abstention.
 */
export const DEFAULT_FLOOR_RATIO = 0.5;

export function mergeReplies(replies: readonly ShardReply[], options: MergeOptions): Merged {
  const answerRatio = options.answerRatio ?? 0.6;
  const minScore = options.minScore ?? 0;
  const floorRatio = options.floorRatio ?? DEFAULT_FLOOR_RATIO;
  const highScore = options.highScore ?? 0;
  const minBreadth = options.minBreadth ?? DEFAULT_MIN_BREADTH;
  const breadthOf = options.breadthOf;
  const all: MergedCitation[] = [];
  const bestByShard = new Map<string, { score: number; result: ShardResult; first: MergedCitation }>();
  let usage: Usage = { ...EMPTY_USAGE };

  for (const reply of replies) {
    const result = reply.result;
    if (!result || reply.outcome.status !== 'ok') continue;
    usage = addUsage(usage, result.usage);
    for (const c of result.citations) {
      if (c.score < minScore * floorRatio) continue;
      const merged: MergedCitation = {
        shard: result.shard,
        source: c.source,
        line: c.line,
        endLine: c.endLine,
        text: c.text,
        score: c.score,
        // Breadth is a lexical measure: another engine's citation may answer in other words.
        confidence:
          breadthOf !== undefined && result.engine === 'lexical' && c.score >= highScore
            ? confidenceOf(c.score, highScore, breadthOf(c), minBreadth)
            : confidenceOf(c.score, highScore),
      };
      all.push(merged);
      const best = bestByShard.get(result.shard);
      if (!best || c.score > best.score) bestByShard.set(result.shard, { score: c.score, result, first: merged });
    }
  }

  // Best first across shards; ties broken by shard then position so the order is stable.
  all.sort((a, b) => b.score - a.score || a.shard.localeCompare(b.shard) || a.source.localeCompare(b.source) || a.line - b.line);
  if (options.sourceCap !== undefined) capPerSource(all, options.sourceCap);
  if (options.otherShardRatio !== undefined) otherShardThird(all, options.otherShardRatio);
  // Nothing reaches minScore: abstain, whatever lies between the floor and it.
  const citations = (all[0]?.score ?? 0) >= minScore ? all.slice(0, options.topK) : [];
  if (citations.length === 0) {
    const failed = replies.filter((r) => r.outcome.status !== 'ok').map((r) => `${r.outcome.shard} (${r.outcome.status})`);
    const suffix = failed.length > 0 ? ` Some shards did not answer: ${failed.join(', ')}.` : '';
    return { answer: NOTHING_FOUND + suffix, confidence: 'none', citations: [], usage };
  }

  const top = citations[0]!.score;
  const kept = new Set(citations);
  const parts = [...bestByShard.values()]
    // Only shards whose tagged citation survived the topK cut, so every tag points into `citations`.
    .filter((b) => b.score >= top * answerRatio && b.result.answer.trim() !== '' && kept.has(b.first))
    .sort((a, b) => b.score - a.score)
    .map((b) => `${b.result.answer.trim()} [${cite(b.first)}]`);
  return { answer: parts.join('\n\n'), confidence: citations[0]!.confidence, citations, usage };
}

/** In place: a source's citations past the first `cap` move after all others, each group keeping its order. */
export function capPerSource(citations: MergedCitation[], cap: number): void {
  const seen = new Map<string, number>();
  const head: MergedCitation[] = [];
  const tail: MergedCitation[] = [];
  for (const c of citations) {
    const key = `${c.shard}\u0000${c.source}`;
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    (n < Math.max(1, cap) ? head : tail).push(c);
  }
  citations.splice(0, citations.length, ...head, ...tail);
}

/** In place: see MergeOptions.otherShardRatio. */
export function otherShardThird(citations: MergedCitation[], ratio: number): void {
  const first = citations[0];
  if (first === undefined || citations.length < 4) return;
  if (citations.slice(0, 3).some((c) => c.shard !== first.shard)) return;
  const at = citations.findIndex((c) => c.shard !== first.shard);
  if (at < 3 || (citations[at] as MergedCitation).score < ratio * first.score) return;
  const [other] = citations.splice(at, 1);
  citations.splice(2, 0, other as MergedCitation);
}

export function addUsage(a: Usage, b: Usage): Usage {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    cacheReadTokens: a.cacheReadTokens + b.cacheReadTokens,
    cacheWriteTokens: a.cacheWriteTokens + b.cacheWriteTokens,
    costUsd: a.costUsd + b.costUsd,
  };
}
