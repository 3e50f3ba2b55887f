/**
 * Merging shard results into one answer. Pure: no Redis, no clock, so the
 * policy is unit-tested on its own.
 */
import { EMPTY_USAGE, type ShardResult, type Usage } from '../../../shared/queues/schemas.js';
import { cite } from '../../../shared/api/citation.js';
import type { MergedCitation, ShardOutcome } from '../../../shared/api/query.js';

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
  /** When no citation reaches this, the merge abstains (no citations, NOTHING_FOUND); see floorRatio for the others. */
  minScore?: number;
  /**
   * Once the best citation reaches `minScore` (the fleet does answer), other
   * citations are kept down to `minScore × floorRatio`: the threshold decides
   * *whether* to answer, and a second domain's half of a two-part question
   * scores lower than a whole answer would. 1 drops everything under minScore.
   * @defaultValue DEFAULT_FLOOR_RATIO (0.5)
   */
  floorRatio?: number;
}

export interface Merged {
  answer: string;
  citations: MergedCitation[];
  usage: Usage;
}

export const NOTHING_FOUND = 'Nothing in memory answers this question.';

/**
 * The coordinator's default MIN_SCORE: the highest threshold that keeps false
 * abstentions on the evaluation set at or under 5 % (docs/quality.md). mergeReplies
 * itself drops nothing unless told (minScore defaults to 0 there).
 */
export const DEFAULT_MIN_SCORE = 0.28;

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
  const all: MergedCitation[] = [];
  const bestByShard = new Map<string, { score: number; result: ShardResult; first: MergedCitation }>();
  let usage: Usage = { ...EMPTY_USAGE };

  for (const reply of replies) {
    const result = reply.result;
    if (!result || reply.outcome.status !== 'ok') continue;
    usage = addUsage(usage, result.usage);
    for (const c of result.citations) {
      if (c.score < minScore * floorRatio) continue;
      const merged: MergedCitation = { shard: result.shard, source: c.source, line: c.line, endLine: c.endLine, text: c.text, score: c.score };
      all.push(merged);
      const best = bestByShard.get(result.shard);
      if (!best || c.score > best.score) bestByShard.set(result.shard, { score: c.score, result, first: merged });
    }
  }

  // Best first across shards; ties broken by shard then position so the order is stable.
  all.sort((a, b) => b.score - a.score || a.shard.localeCompare(b.shard) || a.source.localeCompare(b.source) || a.line - b.line);
  // Nothing reaches minScore: abstain, whatever lies between the floor and it.
  const citations = (all[0]?.score ?? 0) >= minScore ? all.slice(0, options.topK) : [];
  if (citations.length === 0) {
    const failed = replies.filter((r) => r.outcome.status !== 'ok').map((r) => `${r.outcome.shard} (${r.outcome.status})`);
    const suffix = failed.length > 0 ? ` Some shards did not answer: ${failed.join(', ')}.` : '';
    return { answer: NOTHING_FOUND + suffix, citations: [], usage };
  }

  const top = citations[0]!.score;
  const kept = new Set(citations);
  const parts = [...bestByShard.values()]
    // Only shards whose tagged citation survived the topK cut, so every tag points into `citations`.
    .filter((b) => b.score >= top * answerRatio && b.result.answer.trim() !== '' && kept.has(b.first))
    .sort((a, b) => b.score - a.score)
    .map((b) => `${b.result.answer.trim()} [${cite(b.first)}]`);
  return { answer: parts.join('\n\n'), citations, usage };
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
