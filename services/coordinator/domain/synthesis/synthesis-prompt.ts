/**
 * What the synthesiser reads: the question, the shard answers, and the merged
 * citations numbered 1..n (the only sources it may cite). Pure.
 */
import { cite } from '../../../../shared/api/citation.js';
import type { MergedCitation } from '../../../../shared/api/query.js';
import { NOT_ANSWERED } from './markers.js';

/** Each passage is cut to this many characters in the prompt; the citation itself keeps all its lines. */
export const PASSAGE_CHARS = 4_000;

export const SYNTHESIS_INSTRUCTIONS = [
  'You merge the answers of several memory shards into one answer.',
  'You get a question, what each shard answered, and the numbered passages the shards cited.',
  'Write one answer of at most six sentences that rests only on those passages.',
  'After each sentence, put the numbers of the passages that support it in square brackets, like [1] or [2][3].',
  'Use only the numbers given; never cite anything else and never invent a number.',
  'When shards disagree, say so and cite both sides.',
  `If the passages do not answer the question, reply exactly ${NOT_ANSWERED}.`,
  'Reply with the answer text only.',
].join('\n');

export interface ShardAnswer {
  shard: string;
  answer: string;
}

export function buildSynthesisMessage(question: string, answers: readonly ShardAnswer[], citations: readonly MergedCitation[]): string {
  const parts = ['<question>', question, '</question>', '<shard_answers>'];
  for (const a of answers) parts.push(`<answer shard="${a.shard}">`, a.answer, '</answer>');
  parts.push('</shard_answers>', '<passages>');
  citations.forEach((c, i) => {
    const text = c.text.length > PASSAGE_CHARS ? `${c.text.slice(0, PASSAGE_CHARS)}…` : c.text;
    parts.push(`<passage n="${i + 1}" cite="${cite(c)}">`, text, '</passage>');
  });
  parts.push('</passages>');
  return parts.join('\n');
}
