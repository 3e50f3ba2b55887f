/**
 * EVALUATION ONLY — the naive baseline the harness measures the lexical engine
 * against: plain BM25 (k1 = 1.2, b = 0.75) over fixed, non-overlapping 4-line
 * windows; words are lower-cased letter/digit runs, with no stop words, no
 * stemming, no narrowing, no normalisation. Each window is cited whole, its
 * score is the raw BM25 score, and the answer is the top window's text.
 * Never used by a shard.
 */
import type { DomainContext } from '../services/shard/domain/domain-context.js';

export const BASELINE_WINDOW_LINES = 4;
const K1 = 1.2;
const B = 0.75;
const WORD = /[\p{L}\p{N}]+/gu;

export interface BaselineCitation {
  source: string;
  line: number;
  endLine: number;
  text: string;
  /** Raw BM25: not comparable across domains, which is part of what the baseline shows. */
  score: number;
}

interface Window {
  source: string;
  line: number;
  endLine: number;
  text: string;
  length: number;
}

export function baselineWords(text: string): string[] {
  return text.toLowerCase().match(WORD) ?? [];
}

export class BaselineEngine {
  private readonly windows: Window[] = [];
  private readonly postings = new Map<string, { window: number; tf: number }[]>();
  private readonly avgLength: number;

  constructor(ctx: DomainContext) {
    let total = 0;
    for (const file of ctx.sources) {
      for (let start = 1; start <= file.lines.length; start += BASELINE_WINDOW_LINES) {
        const end = Math.min(start + BASELINE_WINDOW_LINES - 1, file.lines.length);
        const text = file.lines.slice(start - 1, end).join('\n');
        const words = baselineWords(text);
        if (words.length === 0) continue;
        const id = this.windows.length;
        this.windows.push({ source: file.source, line: start, endLine: end, text, length: words.length });
        total += words.length;
        const tf = new Map<string, number>();
        for (const w of words) tf.set(w, (tf.get(w) ?? 0) + 1);
        for (const [w, n] of tf) {
          let list = this.postings.get(w);
          if (list === undefined) this.postings.set(w, (list = []));
          list.push({ window: id, tf: n });
        }
      }
    }
    this.avgLength = this.windows.length === 0 ? 0 : total / this.windows.length;
  }

  search(question: string, topK: number): BaselineCitation[] {
    const n = this.windows.length;
    const scores = new Map<number, number>();
    for (const term of new Set(baselineWords(question))) {
      const list = this.postings.get(term);
      if (list === undefined) continue;
      const idf = Math.log(1 + (n - list.length + 0.5) / (list.length + 0.5));
      for (const { window, tf } of list) {
        const len = this.windows[window]?.length ?? 0;
        const s = (idf * tf * (K1 + 1)) / (tf + K1 * (1 - B + (B * len) / this.avgLength));
        scores.set(window, (scores.get(window) ?? 0) + s);
      }
    }
    return [...scores.entries()]
      .sort((a, b) => b[1] - a[1] || a[0] - b[0])
      .slice(0, topK)
      .map(([id, score]) => {
        const w = this.windows[id] as Window;
        return { source: w.source, line: w.line, endLine: w.endLine, text: w.text, score };
      });
  }
}
