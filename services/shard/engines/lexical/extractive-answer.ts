/**
 * Builds the lexical engine's answer from the sentences of its best citations:
 * no generation, so every word of the answer is in the cited lines.
 */
import type { ScoredSentence } from './narrow-to-sentences.js';
import { findWords, toTerm } from '../../../../shared/text/text-analysis.js';

export interface AnswerOptions {
  /** Longest answer, in characters. @defaultValue 600 */
  maxChars: number;
  /** Most sentences joined into one answer. @defaultValue 3 */
  maxSentences: number;
  /**
   * A sentence after the best one is added only if its weight is at least this
   * share of the best weight, so weak matches don't dilute a precise one.
   * @defaultValue 0.5
   */
  minShareOfBest: number;
}

export const DEFAULT_ANSWER_OPTIONS: AnswerOptions = Object.freeze({
  maxChars: 600,
  maxSentences: 3,
  minShareOfBest: 0.5,
});

/**
 * `ranked` holds, per citation in citation order, that citation's matching
 * sentences. The best sentence overall always makes the answer (shortened
 * around its first query term if it is too long); others are chosen by weight
 * while they fit, and the chosen ones are quoted in document order (citation,
 * then line), so the answer never reorders the text it quotes.
 */
export function composeAnswer(
  ranked: readonly (readonly ScoredSentence[])[],
  queryTerms: ReadonlySet<string>,
  opts: AnswerOptions = DEFAULT_ANSWER_OPTIONS,
): string {
  const pool = ranked
    .flatMap((sentences, citationRank) => sentences.map((s) => ({ ...s, citationRank })))
    .sort((a, b) => b.weight - a.weight || a.citationRank - b.citationRank);
  const best = pool[0];
  if (best === undefined) return '';

  const first = excerpt(cleanSentence(best.text), queryTerms, opts.maxChars);
  const chosen: { text: string; citationRank: number; line: number }[] = [{ text: first, citationRank: best.citationRank, line: best.line }];
  let length = first.length;
  const seen = new Set([cleanSentence(best.text)]);
  for (const candidate of pool.slice(1)) {
    if (chosen.length >= opts.maxSentences || candidate.weight < best.weight * opts.minShareOfBest) break;
    const text = cleanSentence(candidate.text);
    if (seen.has(text) || length + 1 + text.length > opts.maxChars) continue;
    seen.add(text);
    chosen.push({ text, citationRank: candidate.citationRank, line: candidate.line });
    length += 1 + text.length;
  }
  chosen.sort((a, b) => a.citationRank - b.citationRank || a.line - b.line);
  // A sentence without end punctuation (a heading, a "key: value" line) is set apart, not run into the next one.
  return chosen.map((c, i) => (i < chosen.length - 1 && !/[.!?:;"'’”)\]…]$/.test(c.text) ? `${c.text}:` : c.text)).join(' ');
}

/** Drops Markdown block markers that read as noise in a one-paragraph answer. */
function cleanSentence(text: string): string {
  return text.replace(/^(?:#{1,6}\s+|>\s*|[-*+]\s+)/, '').trim();
}

/** `text` if it fits, else about `maxChars` around the first query term, cut at word boundaries. */
function excerpt(text: string, queryTerms: ReadonlySet<string>, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const anchor = findWords(text).find((w) => {
    const term = toTerm(w.word);
    return term !== null && queryTerms.has(term);
  });
  const budget = maxChars - 2; // room for the ellipses
  let start = anchor === undefined ? 0 : Math.max(0, anchor.index - Math.floor(budget / 3));
  start = Math.min(start, text.length - budget);
  let end = start + budget;
  if (start > 0) {
    const space = text.indexOf(' ', start);
    if (space !== -1 && space < (anchor?.index ?? end)) start = space + 1;
  }
  if (end < text.length) {
    const space = text.lastIndexOf(' ', end);
    if (space > start) end = space;
  }
  return `${start > 0 ? '…' : ''}${text.slice(start, end).trim()}${end < text.length ? '…' : ''}`;
}
