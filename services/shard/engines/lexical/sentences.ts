/**
 * Splits a few lines of text into sentences that remember which lines they
 * span, so a citation can be narrowed from a window to the lines that hold the
 * matching sentence. Heuristic on purpose: blank lines and Markdown block
 * starts (headings, list items, quotes, table rows) end a sentence, and so do
 * ".", "!" and "?" before whitespace, unless they end a common abbreviation or
 * an initial. A plain-text heading (a short line without end punctuation that
 * starts a new sentence and is followed by a capitalised line, e.g.
 * "UPS and power") is a sentence of its own, so it is never glued to the
 * sentence after it.
 */

import { toTerm } from '../../../../shared/text/text-analysis.js';

export interface Sentence {
  /** The sentence with line breaks and runs of spaces collapsed to one space. */
  text: string;
  /** First line holding part of the sentence, 1-based. */
  line: number;
  /** Last line holding part of the sentence, 1-based, inclusive. */
  endLine: number;
}

const BOUNDARY = /[.!?]+["'’”)\]]*(?=\s|$)/g;
const BLOCK_START = /^\s*(?:#{1,6}\s|[-*+]\s|\d{1,3}[.)]\s|>|\|)/;
// Headings and table rows are whole on their line even without a full stop.
const LINE_BLOCK = /^\s*(?:#{1,6}\s|\|)/;
const ABBREVIATIONS = new Set(['mr', 'mrs', 'ms', 'dr', 'st', 'jr', 'sr', 'prof', 'vs', 'e.g', 'i.e', 'cf', 'fig', 'approx']);
const WORD_BEFORE = /([\p{L}.]+)$/u;
/** Longest line read as a plain-text heading. */
const MAX_HEADING_CHARS = 60;
const ENDS_LIKE_PROSE = /[.,;:!?"'’”)\]-]\s*$/;
const STARTS_CAPITALISED = /^\s*[\p{Lu}\p{N}]/u;

/** Sentences of `lines`, where `lines[0]` is line number `firstLine`. */
export function splitSentences(lines: readonly string[], firstLine: number): Sentence[] {
  const sentences: Sentence[] = [];
  let parts: string[] = [];
  let start = 0;
  let end = 0;

  const add = (piece: string, lineNo: number): void => {
    if (piece.trim() === '') return;
    if (parts.length === 0) start = lineNo;
    parts.push(piece);
    end = lineNo;
  };
  const flush = (): void => {
    if (parts.length === 0) return;
    const text = parts.join(' ').replace(/\s+/g, ' ').trim();
    if (text !== '') sentences.push({ text, line: start, endLine: end });
    parts = [];
  };

  lines.forEach((raw, i) => {
    const lineNo = firstLine + i;
    if (raw.trim() === '') {
      flush();
      return;
    }
    if (BLOCK_START.test(raw)) flush();
    if (parts.length === 0 && isPlainHeading(raw, lines[i + 1])) {
      add(raw, lineNo);
      flush();
      return;
    }
    let from = 0;
    for (const match of raw.matchAll(BOUNDARY)) {
      const at = match.index;
      if (isAbbreviation(raw.slice(from, at))) continue;
      const stop = at + match[0].length;
      add(raw.slice(from, stop), lineNo);
      flush();
      from = stop;
    }
    add(raw.slice(from), lineNo);
    if (LINE_BLOCK.test(raw)) flush();
  });
  flush();
  return sentences;
}

/** A short line without end punctuation, followed by a line that starts with a capital: a heading, not prose. */
function isPlainHeading(line: string, next: string | undefined): boolean {
  const text = line.trim();
  if (text.length === 0 || text.length > MAX_HEADING_CHARS || ENDS_LIKE_PROSE.test(text) || !STARTS_CAPITALISED.test(text)) return false;
  // Prose cut by a line break reads "…, cried Tashtego from": a comma, or a last word like "from" or "the".
  const last = /([\p{L}\p{N}]+)\W*$/u.exec(text)?.[1];
  if (text.includes(',') || last === undefined || toTerm(last) === null) return false;
  return next !== undefined && next.trim() !== '' && STARTS_CAPITALISED.test(next);
}

/** True when the text just before a full stop is an abbreviation or a one-letter initial. */
function isAbbreviation(before: string): boolean {
  const word = WORD_BEFORE.exec(before)?.[1]?.toLowerCase();
  if (word === undefined) return false;
  if (word.length === 1 && /\p{L}/u.test(word)) return /\p{Lu}/u.test(before.slice(-1));
  return ABBREVIATIONS.has(word);
}
