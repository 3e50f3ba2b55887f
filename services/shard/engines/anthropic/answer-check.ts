/**
 * The answer's prose is held to the same standard as its citations: the
 * model ends every sentence with the numbers of the citations that support
 * it (`[1]`, `[1][2]`, `[1, 3]`, counted in the order of its `citations`
 * array), and a sentence is kept only when it carries at least one number and
 * every number names a citation that passed citation-check.ts. A sentence
 * with no number, or resting on a citation that failed, is dropped: a
 * document that talks the model into writing something it cannot quote
 * (prompt injection, issue 11) gets nothing into the answer. Pure.
 *
 * Sentences are split as the lexical engine splits them (common
 * abbreviations and initials do not end one); a marker written after the full
 * stop ("… sailed. [1]") belongs to the sentence before it.
 */
import { splitSentences } from '../lexical/sentences.js';

export interface AnswerCheck {
  /** The kept sentences, markers removed, joined by single spaces. */
  answer: string;
  kept: number;
  /** Sentences dropped: no marker, or a marker naming a citation that failed or does not exist. */
  dropped: number;
}

const MARKERS = String.raw`(?:\s*\[\s*\d+(?:\s*[,;]\s*\d+)*\s*\])+`;
/** Sentence-ending punctuation followed by markers: the markers move in front of it. */
const MARKERS_AFTER_STOP = new RegExp(String.raw`([.!?…]+["'’”)]*)(${MARKERS})`, 'g');
const MARKER = /\[\s*(\d+(?:\s*[,;]\s*\d+)*)\s*\]/g;

/** @param verified - whether citation `n` (1-based, in the reply's order) passed the check */
export function keepSupportedSentences(answer: string, verified: (n: number) => boolean): AnswerCheck {
  const normalised = answer.replace(/\s+/g, ' ').replace(MARKERS_AFTER_STOP, '$2$1');
  const kept: string[] = [];
  let dropped = 0;
  for (const { text } of splitSentences([normalised], 1)) {
    const numbers = [...text.matchAll(MARKER)].flatMap((m) => (m[1] ?? '').split(/[,;]/).map((n) => Number(n.trim())));
    const prose = text.replace(MARKER, '').replace(/\s+([.!?…,;:])/g, '$1').replace(/\s+/g, ' ').trim();
    if (!/[\p{L}\p{N}]/u.test(prose)) continue; // a stray marker or punctuation: nothing to keep or drop
    if (numbers.length > 0 && numbers.every((n) => verified(n))) kept.push(prose);
    else dropped++;
  }
  return { answer: kept.join(' '), kept: kept.length, dropped };
}
