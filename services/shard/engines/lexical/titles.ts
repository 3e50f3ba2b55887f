/**
 * What a passage is about beyond its own words: the file name, the document's
 * title line and the Markdown heading it sits under. Indexed as a separate,
 * lighter field of every window, so "What did Washington recommend …" favours
 * windows of 1796-george-washington.txt without the title line itself having
 * to match.
 */
import type { SourceFile } from '../../domain/domain-context.js';

const HEADING = /^\s{0,3}#{1,6}\s+(.*)$/;
/** A first line this short followed by a blank line reads as the document's title. */
const MAX_TITLE_CHARS = 160;

/** Words of a path: "notes/1825-john-quincy-adams.txt" → "notes 1825 john quincy adams". */
export function fileNameWords(source: string): string {
  return source.replace(/\.[a-z0-9]+$/i, '').replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
}

/**
 * The line numbers (1-based) of the document's title line (as titlesByLine
 * reads it) and of its Markdown headings: words that reach every window under
 * them through the title field.
 */
export function headingLineNumbers(file: SourceFile): Set<number> {
  const out = new Set<number>();
  if (titleLine(file) !== undefined) out.add(1);
  file.lines.forEach((line, i) => {
    if (HEADING.test(line)) out.add(i + 1);
  });
  return out;
}

/**
 * For each line (index line − 1), the title text in force there: file name,
 * document title and the nearest Markdown heading above (or on) the line.
 */
export function titlesByLine(file: SourceFile): string[] {
  const base = [fileNameWords(file.source)];
  const title = titleLine(file);
  if (title !== undefined) base.push(title);
  const prefix = base.join(' ');
  const titles: string[] = [];
  let heading = '';
  for (const line of file.lines) {
    const m = HEADING.exec(line);
    if (m) heading = m[1] ?? '';
    titles.push(heading === '' ? prefix : `${prefix} ${heading}`);
  }
  return titles;
}

/** The document's title: a short first line followed by a blank line, not a Markdown heading. */
function titleLine(file: SourceFile): string | undefined {
  const first = file.lines[0]?.trim() ?? '';
  return first !== '' && first.length <= MAX_TITLE_CHARS && (file.lines[1] ?? '').trim() === '' && !HEADING.test(first) ? first : undefined;
}
