/** Pure text helpers: whitespace normalisation, deterministic wrapping, slugs, token estimates. */

import { WRAP_WIDTH } from './config.js';

/**
 * C0/C1 control characters that are not whitespace. They are dropped: the data
 * has stray ones (e.g. U+0002 in place of a fraction) that are not text.
 */
const CONTROL_CHARS = /[\u0000-\u0008\u000E-\u001F\u007F-\u009F]/g;
const LINE_BREAK = /\r\n|[\n\r\u2028\u2029]/;

/** Columns a string occupies, counted in code points (so an em dash is one column). */
export function columns(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/** Drops control characters, collapses every whitespace run to one space, and trims. */
export function normalizeWhitespace(text: string): string {
  return text.replace(CONTROL_CHARS, '').replace(/\s+/g, ' ').trim();
}

/**
 * Greedy word wrap: words (whitespace-separated) are kept whole and in order,
 * joined by single spaces, and a line is broken before the word that would take
 * it past `width` columns. A word longer than `width` gets a line of its own.
 */
export function wrapParagraph(text: string, width: number = WRAP_WIDTH): string[] {
  if (!Number.isInteger(width) || width < 1) {
    throw new RangeError(`wrap width must be a positive integer, got ${width}`);
  }
  const lines: string[] = [];
  let line = '';
  let lineColumns = 0;
  for (const word of normalizeWhitespace(text).split(' ')) {
    if (word === '') continue;
    const wordColumns = columns(word);
    if (lineColumns === 0) {
      line = word;
      lineColumns = wordColumns;
    } else if (lineColumns + 1 + wordColumns <= width) {
      line += ` ${word}`;
      lineColumns += 1 + wordColumns;
    } else {
      lines.push(line);
      line = word;
      lineColumns = wordColumns;
    }
  }
  if (lineColumns > 0) lines.push(line);
  return lines;
}

/**
 * Splits text into paragraphs (separated by one or more blank lines). Each
 * paragraph is the list of its non-blank source lines, whitespace-normalised;
 * a single line break inside a paragraph (verse, tables) is kept.
 */
export function splitParagraphs(text: string): string[][] {
  const paragraphs: string[][] = [];
  let current: string[] = [];
  for (const rawLine of text.split(LINE_BREAK)) {
    const line = normalizeWhitespace(rawLine);
    if (line !== '') {
      current.push(line);
    } else if (current.length > 0) {
      paragraphs.push(current);
      current = [];
    }
  }
  if (current.length > 0) paragraphs.push(current);
  return paragraphs;
}

/**
 * Renders a document: the title on line 1, a blank line, then the body's
 * paragraphs wrapped at `width` and separated by one blank line. LF endings,
 * one trailing newline.
 */
export function formatDocument(title: string, body: string, width: number = WRAP_WIDTH): string {
  const lines = [normalizeWhitespace(title)];
  for (const paragraph of splitParagraphs(body)) {
    lines.push('', ...paragraph.flatMap((sourceLine) => wrapParagraph(sourceLine, width)));
  }
  return `${lines.join('\n')}\n`;
}

/**
 * A lowercase ASCII slug for file names: accents folded, apostrophes dropped
 * ("Ahab's" → "ahabs"), every other run of non-alphanumerics becomes one
 * hyphen. Slugs longer than `maxLength` are cut at a word boundary.
 */
export function slugify(title: string, maxLength = 60): string {
  const slug = title
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/['’‘`]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (slug === '') return 'untitled';
  if (slug.length <= maxLength) return slug;
  const head = slug.slice(0, maxLength + 1);
  const lastHyphen = head.lastIndexOf('-');
  return (lastHyphen > 0 ? head.slice(0, lastHyphen) : slug.slice(0, maxLength)).replace(/-+$/, '');
}

/** Estimated tokens of a text, the project's ceil(chars / 4) rule. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** Number of lines of an LF-terminated text (a final line without LF still counts). */
export function countLines(text: string): number {
  if (text === '') return 0;
  let count = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) count++;
  return text.endsWith('\n') ? count : count + 1;
}
