/**
 * Narrows a matching window to the sentences that carry the query terms, so a
 * citation's `source:line` points at the fact rather than at six lines around it.
 */
import { splitSentences } from './sentences.js';
import { analyzeText } from '../../../../shared/text/text-analysis.js';

export interface ScoredSentence {
  text: string;
  line: number;
  endLine: number;
  /** Σ idf of the distinct query terms the sentence holds. */
  weight: number;
}

export interface NarrowedSpan {
  line: number;
  endLine: number;
  /** Sentences inside [line, endLine] that hold at least one query term, best first. */
  sentences: ScoredSentence[];
}

/** Lines read on each side of a window so sentences cut by its edges are quoted whole. */
export const SENTENCE_MARGIN_LINES = 3;

/**
 * Starts from the sentence holding the most query-term weight, then adds the
 * sentence that brings the most not-yet-covered weight until nothing new is
 * gained; the span is the lines from the first to the last chosen sentence.
 * Only sentences that touch the window count, but they may run into the
 * margin around it. Falls back to the whole window when no sentence matches.
 */
export function narrowToSentences(
  fileLines: readonly string[],
  window: { startLine: number; endLine: number },
  queryTerms: ReadonlySet<string>,
  idf: (term: string) => number,
  /**
   * The question term a query term stands for (a synonym or related word maps
   * to its original; identity by default). A sentence is added only for
   * question terms not yet covered as well, so a weak expansion of a word the
   * span already holds does not stretch the citation over another sentence.
   */
  conceptOf: (term: string) => string = (term) => term,
  /**
   * Title and heading lines: the span never starts from a sentence on them
   * alone while another sentence of the window holds a query term (a heading
   * answers nothing); a heading joins the span only for question words the
   * text chosen so far lacks.
   */
  headings: ReadonlySet<number> = NO_HEADINGS,
): NarrowedSpan {
  const first = Math.max(1, window.startLine - SENTENCE_MARGIN_LINES);
  const last = Math.min(fileLines.length, window.endLine + SENTENCE_MARGIN_LINES);
  const candidates = splitSentences(fileLines.slice(first - 1, last), first)
    .filter((s) => s.endLine >= window.startLine && s.line <= window.endLine)
    .map((sentence) => {
      const terms = new Set(analyzeText(sentence.text).filter((t) => queryTerms.has(t)));
      return { ...sentence, terms, weight: sumIdf(terms, idf) };
    })
    .filter((s) => s.weight > 0);
  const isHeading = (s: { line: number; endLine: number }): boolean => {
    if (headings.size === 0) return false;
    for (let l = s.line; l <= s.endLine; l++) if (!headings.has(l)) return false;
    return true;
  };
  // The span starts from a sentence of the text; a heading joins it only for words the text lacks.
  let mayStartOnHeading = !candidates.some((s) => !isHeading(s));

  if (candidates.length === 0) {
    return { line: window.startLine, endLine: window.endLine, sentences: [] };
  }

  // Best weight found so far per question term (concept).
  const covered = new Map<string, number>();
  const gainOf = (terms: ReadonlySet<string>): number => {
    const best = new Map<string, number>();
    for (const term of terms) {
      const concept = conceptOf(term);
      best.set(concept, Math.max(best.get(concept) ?? 0, idf(term)));
    }
    let gain = 0;
    for (const [concept, weight] of best) gain += Math.max(0, weight - (covered.get(concept) ?? 0));
    return gain;
  };
  let line = Number.POSITIVE_INFINITY;
  let endLine = 0;
  for (;;) {
    let best: (typeof candidates)[number] | undefined;
    let bestGain = 1e-9;
    for (const candidate of candidates) {
      if (!mayStartOnHeading && isHeading(candidate)) continue;
      const gain = gainOf(candidate.terms);
      if (gain > bestGain) {
        best = candidate;
        bestGain = gain;
      }
    }
    if (best === undefined) break;
    mayStartOnHeading = true;
    for (const term of best.terms) {
      const concept = conceptOf(term);
      covered.set(concept, Math.max(covered.get(concept) ?? 0, idf(term)));
    }
    line = Math.min(line, best.line);
    endLine = Math.max(endLine, best.endLine);
  }

  const sentences = candidates
    .filter((s) => s.line >= line && s.endLine <= endLine)
    .sort((a, b) => b.weight - a.weight || a.line - b.line)
    .map(({ text, line: l, endLine: e, weight }) => ({ text, line: l, endLine: e, weight }));
  return { line, endLine, sentences };
}

const NO_HEADINGS: ReadonlySet<number> = new Set();

function sumIdf(terms: Iterable<string>, idf: (term: string) => number): number {
  let sum = 0;
  for (const term of terms) sum += idf(term);
  return sum;
}
