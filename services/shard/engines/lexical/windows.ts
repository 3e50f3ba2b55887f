/**
 * Overlapping line windows: the unit the lexical index scores. Lines are too
 * short to hold a fact and its context; whole files are too long for BM25 to
 * rank well. Overlap (stride < size) means a fact near a window edge is still
 * whole in the next window.
 */
import type { SourceFile } from '../../context/domain-context.js';

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
