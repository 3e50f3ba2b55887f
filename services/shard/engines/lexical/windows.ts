/**
 * Overlapping line windows: the unit the lexical index scores. Lines are too
 * short to hold a fact and its context; whole files are too long for BM25 to
 * rank well. Overlap (stride < size) means a fact near a window edge is still
 * whole in the next window.
 */
import type { SourceFile } from '../../domain/domain-context.js';

export interface LineWindow {
  /** Position of the source in `DomainContext.sources`. */
  sourceIndex: number;
  source: string;
  /** First line, 1-based. */
  startLine: number;
  /** Last line, 1-based, inclusive. */
  endLine: number;
}

export interface WindowOptions {
  /** Lines per window. @defaultValue 6 */
  size: number;
  /** Lines between window starts. @defaultValue 3 */
  stride: number;
}

export const DEFAULT_WINDOW_OPTIONS: WindowOptions = Object.freeze({ size: 6, stride: 3 });

export function buildWindows(
  sources: readonly SourceFile[],
  opts: WindowOptions = DEFAULT_WINDOW_OPTIONS,
): LineWindow[] {
  if (opts.size < 1 || opts.stride < 1 || opts.stride > opts.size) {
    throw new RangeError(`window size ${opts.size} / stride ${opts.stride}: need 1 ≤ stride ≤ size`);
  }
  const windows: LineWindow[] = [];
  sources.forEach((file, sourceIndex) => {
    const { lines } = file;
    for (let start = 1; start <= lines.length; start += opts.stride) {
      const end = Math.min(start + opts.size - 1, lines.length);
      if (!isBlank(lines, start, end)) {
        windows.push({ sourceIndex, source: file.source, startLine: start, endLine: end });
      }
      // The window that reaches the last line is the last one; later starts would be subsets of it.
      if (end === lines.length) break;
    }
  });
  return windows;
}

function isBlank(lines: readonly string[], start: number, end: number): boolean {
  for (let i = start - 1; i < end; i++) {
    if ((lines[i] ?? '').trim() !== '') return false;
  }
  return true;
}

/**
 * Windows that follow paragraphs: a window never crosses a blank line, so a
 * passage is scored with its own words and not its neighbour's. A paragraph
 * of up to `size` lines is one window; a longer one is covered by overlapping
 * windows of `size` lines, `stride` apart, the last one ending on its last
 * line. Consecutive short paragraphs (fewer than `minLines` lines together,
 * e.g. one-line dialogue) are joined so a question and its reply stay together.
 */
export function buildParagraphWindows(
  sources: readonly SourceFile[],
  opts: WindowOptions & { minLines: number } = { ...DEFAULT_WINDOW_OPTIONS, minLines: 3 },
): LineWindow[] {
  if (opts.size < 1 || opts.stride < 1 || opts.stride > opts.size) {
    throw new RangeError(`window size ${opts.size} / stride ${opts.stride}: need 1 ≤ stride ≤ size`);
  }
  const windows: LineWindow[] = [];
  sources.forEach((file, sourceIndex) => {
    for (const [first, last] of groupParagraphs(file.lines, opts.minLines, opts.size)) {
      for (let start = first; ; start += opts.stride) {
        const end = Math.min(start + opts.size - 1, last);
        windows.push({ sourceIndex, source: file.source, startLine: start, endLine: end });
        if (end === last) break;
      }
    }
  });
  return windows;
}

/** [first, last] line ranges of paragraphs (runs of non-blank lines), short neighbours joined. */
function groupParagraphs(lines: readonly string[], minLines: number, maxJoined: number): [number, number][] {
  const paragraphs: [number, number][] = [];
  let start = 0;
  for (let i = 1; i <= lines.length + 1; i++) {
    const blank = i > lines.length || (lines[i - 1] ?? '').trim() === '';
    if (!blank && start === 0) start = i;
    if (blank && start !== 0) {
      paragraphs.push([start, i - 1]);
      start = 0;
    }
  }
  const grouped: [number, number][] = [];
  for (const p of paragraphs) {
    const prev = grouped[grouped.length - 1];
    const prevLines = prev ? countNonBlank(lines, prev[0], prev[1]) : 0;
    if (prev && prevLines < minLines && prevLines + (p[1] - p[0] + 1) <= maxJoined) prev[1] = p[1];
    else grouped.push([p[0], p[1]]);
  }
  return grouped;
}

function countNonBlank(lines: readonly string[], start: number, end: number): number {
  let n = 0;
  for (let i = start - 1; i < end; i++) if ((lines[i] ?? '').trim() !== '') n++;
  return n;
}
