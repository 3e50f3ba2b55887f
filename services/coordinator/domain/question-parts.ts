/**
 * Two-part questions ("Which island was Queequeg a native of, and what did his
 * coffin become at the end?"). Asked whole, the part with the stronger words
 * fills the first citations and the other part's answer, often in another
 * domain, falls below the cut. So the coordinator asks each part on its own
 * and interleaves the parts' merged citations, best of each part first.
 *
 * Pure: strings and merge results in, the same out.
 */
import { analyzeText } from '../../../shared/text/text-analysis.js';
import type { Confidence, MergedCitation, ShardOutcome } from '../../../shared/api/query.js';
import { addUsage, type Merged } from './merge.js';

/** A part needs at least this many distinct index terms to be asked on its own ("…, and what did he charge?" has one: not a part). */
export const MIN_PART_TERMS = 2;
/** At most this many parts; a longer chain is asked whole. */
export const MAX_PARTS = 3;

const QUESTION_WORD = String.raw`(?:what|which|who|whom|whose|when|where|why|how|(?:for|in|to|at|on|from|by|with) (?:what|which|whom))\b`;
// ", and what …", "; and which …", " and who …": a conjunction that starts a new question.
const JOINED = new RegExp(String.raw`\s*[,;]?\s+and\s+(?=${QUESTION_WORD})`, 'i');
// "…? What …": two questions in one request.
const SEPARATE = /(?<=\?)\s+(?=\S)/;

/**
 * The parts of a question that asks two or three things, or `[question]` when
 * it asks one (or a part would be too thin to ask on its own).
 */
export function questionParts(question: string, minTerms = MIN_PART_TERMS): string[] {
  const parts = question
    .split(SEPARATE)
    .flatMap((q) => q.split(JOINED))
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (parts.length < 2 || parts.length > MAX_PARTS) return [question];
  if (parts.some((p) => new Set(analyzeText(p)).size < minTerms)) return [question];
  return parts;
}

/**
 * Among the parts' citations of one rank, which comes first: `question`, the
 * part asked first (usually the main question, "…, and who may take a free
 * one?" adds to it); `score`, the better scoring.
 */
export type PartOrder = 'question' | 'score';
export const DEFAULT_PART_ORDER: PartOrder = 'question';

/** One part of a question and what the fleet answered to it. */
export interface AnsweredPart {
  question: string;
  merged: Merged;
}

/**
 * The parts' merged answers as one: citations interleaved by rank (every
 * part's best, in `order`, then every part's second…), a stretch of
 * text cited once; the parts' answers one after another, a part nothing
 * answers said so by name; `high` only when every part is, `none` only when
 * no part found anything.
 */
export function combineParts(answered: readonly AnsweredPart[], topK: number, order: PartOrder = DEFAULT_PART_ORDER): Merged {
  const parts = answered.map((a) => a.merged);
  const first = parts[0];
  if (first === undefined) throw new Error('combineParts needs at least one part');
  if (parts.length === 1) return first;
  const citations: MergedCitation[] = [];
  const deepest = Math.max(...parts.map((p) => p.citations.length));
  for (let rank = 0; rank < deepest && citations.length < topK; rank++) {
    const atRank = parts.flatMap((p) => (p.citations[rank] === undefined ? [] : [p.citations[rank] as MergedCitation]));
    if (order === 'score') atRank.sort((a, b) => b.score - a.score);
    for (const c of atRank) {
      if (citations.length >= topK) break;
      if (citations.some((d) => d.shard === c.shard && d.source === c.source && c.line <= d.endLine && d.line <= c.endLine)) continue;
      citations.push(c);
    }
  }
  const found = parts.filter((p) => p.confidence !== 'none');
  const confidence: Confidence = found.length === 0 ? 'none' : found.length === parts.length && found.every((p) => p.confidence === 'high') ? 'high' : 'low';
  const usage = parts.slice(1).reduce((sum, p) => addUsage(sum, p.usage), first.usage);
  const answer =
    found.length === 0
      ? first.answer
      : answered.map((a) => (a.merged.confidence === 'none' ? `Nothing in memory answers "${a.question}".` : a.merged.answer)).join('\n\n');
  return { answer, confidence, citations, usage };
}

/** The job id of a part: the query's own for the first, `<id>_2`, `<id>_3` for the others (every job id stays unique per shard). */
export function partQueryId(queryId: string, index: number): string {
  return index === 0 ? queryId : `${queryId}_${index + 1}`;
}

/**
 * One outcome per shard over the parts that asked it: the first that was not
 * `ok` (the answer is partial), else the slowest; shards in first-asked order.
 */
export function combineOutcomes(perPart: readonly (readonly ShardOutcome[])[]): ShardOutcome[] {
  const byShard = new Map<string, ShardOutcome>();
  for (const outcomes of perPart) {
    for (const o of outcomes) {
      const had = byShard.get(o.shard);
      if (had === undefined || (had.status === 'ok' && (o.status !== 'ok' || o.latencyMs > had.latencyMs))) byShard.set(o.shard, o);
    }
  }
  return [...byShard.values()];
}
