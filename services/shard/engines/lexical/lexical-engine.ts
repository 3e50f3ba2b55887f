/**
 * The offline engine: BM25 (MiniSearch) over overlapping line windows, answers
 * quoted from the best sentences, citations exact by construction. Needs no
 * network and no key, so it is the default and the fallback.
 */
import MiniSearch from 'minisearch';
import type { DomainContext } from '../../context/domain-context.js';
import type { Citation } from '../../../../shared/queues/schemas.js';
import { EMPTY_USAGE, MAX_TOP_K } from '../../../../shared/queues/schemas.js';
import type { Engine, EngineAnswer, EngineQuestion } from '../engine.js';
import { composeAnswer, DEFAULT_ANSWER_OPTIONS } from './extractive-answer.js';
import { narrowToSentences, type ScoredSentence } from './narrow-to-sentences.js';
import { relevanceScore, termCoverage } from './relevance.js';
import { analyzeText, tokenize, toTerm } from './text-analysis.js';
import { Vocabulary } from './vocabulary.js';
import { buildWindows, type LineWindow } from './windows.js';

export const NO_MATCH_ANSWER = 'No passage in this domain matches the question.';

/** CitationSchema's cap on `text`; longer spans are cut so the result still validates. */
const MAX_CITATION_CHARS = 20_000;
/** How many of the top citations the extractive answer may quote from. */
/**
 * The answer quotes only the best citation's sentences: the coordinator tags a
 * shard's answer with that one citation, so every quoted word must lie in it.
 */
const ANSWER_CITATIONS = 1;

interface IndexedWindow {
  id: number;
  /** Analysed terms of the window, space-separated (already stemmed, stop words gone). */
  terms: string;
}

// Text is analysed once per line at build time and once per question, both
// with analyzeText; MiniSearch only splits the resulting terms on spaces, so
// index and query see exactly the same pipeline.
const splitTerms = (text: string): string[] => text.split(' ');
const keepTerm = (term: string): string | null => (term === '' ? null : term);

export class LexicalEngine implements Engine {
  readonly name = 'lexical' as const;

  private constructor(
    private readonly ctx: DomainContext,
    private readonly windows: readonly LineWindow[],
    private readonly index: MiniSearch<IndexedWindow>,
    private readonly vocabulary: Vocabulary,
  ) {}

  static build(ctx: DomainContext): LexicalEngine {
    const vocabulary = new Vocabulary();
    const lineTerms = ctx.sources.map((file) =>
      file.lines.map((line) => {
        const terms: string[] = [];
        for (const word of tokenize(line)) {
          const term = toTerm(word);
          if (term === null) continue;
          terms.push(term);
          vocabulary.addOccurrence(term, word);
        }
        return terms;
      }),
    );

    const windows = buildWindows(ctx.sources);
    const documents = windows.map((w, id): IndexedWindow => {
      const terms = (lineTerms[w.sourceIndex] ?? []).slice(w.startLine - 1, w.endLine).flat();
      vocabulary.addWindow(new Set(terms));
      return { id, terms: terms.join(' ') };
    });

    const index = new MiniSearch<IndexedWindow>({
      idField: 'id',
      fields: ['terms'],
      tokenize: splitTerms,
      processTerm: keepTerm,
      searchOptions: {
        tokenize: splitTerms,
        processTerm: keepTerm,
        combineWith: 'OR',
        // Stemming already joins word forms; prefix/fuzzy would mostly add noise and cost.
        prefix: false,
        fuzzy: false,
      },
    });
    index.addAll(documents);
    return new LexicalEngine(ctx, windows, index, vocabulary);
  }

  async answer(question: EngineQuestion, signal?: AbortSignal): Promise<EngineAnswer> {
    signal?.throwIfAborted();
    const queryTerms = [...new Set(analyzeText(question.question))];
    if (queryTerms.length === 0) return noMatch();
    const hits = this.index.search(queryTerms.join(' '));
    const topBm25 = hits[0]?.score ?? 0;
    if (topBm25 <= 0) return noMatch();

    const topK = Math.min(Math.max(1, Math.floor(question.topK)), MAX_TOP_K);
    const querySet = new Set(queryTerms);
    const idf = (term: string): number => this.vocabulary.idf(term);
    const chosen: { citation: Citation; sentences: ScoredSentence[] }[] = [];

    for (const hit of hits) {
      if (chosen.length >= topK) break;
      const window = this.windows[hit.id as number];
      const file = window && this.ctx.sources[window.sourceIndex];
      if (window === undefined || file === undefined) continue;

      const span = narrowToSentences(file.lines, window, querySet, idf);
      // Overlapping windows often narrow to the same sentence; cite each stretch of text once.
      const overlaps = chosen.some(
        ({ citation: c }) => c.source === window.source && span.line <= c.endLine && c.line <= span.endLine,
      );
      if (overlaps) continue;

      const coverage = termCoverage(queryTerms, new Set(hit.queryTerms), idf);
      chosen.push({
        citation: {
          source: window.source,
          line: span.line,
          endLine: span.endLine,
          text: citedText(file.lines, span.line, span.endLine),
          score: relevanceScore(coverage, hit.score, topBm25),
        },
        sentences: span.sentences,
      });
    }
    if (chosen.length === 0) return noMatch();

    // Stable sort: equal scores keep BM25 order.
    chosen.sort((a, b) => b.citation.score - a.citation.score);
    const answer = composeAnswer(
      chosen.slice(0, ANSWER_CITATIONS).map((c) => c.sentences),
      querySet,
    );
    return {
      // Only when no single sentence holds a query term (e.g. a term split by odd punctuation).
      answer: answer === '' ? quoteOf(chosen[0]?.citation.text ?? '') : answer,
      citations: chosen.map((c) => c.citation),
      usage: { ...EMPTY_USAGE },
    };
  }

  topTerms(limit: number): string[] {
    return this.vocabulary.characteristicTerms(limit);
  }
}

function noMatch(): EngineAnswer {
  return { answer: NO_MATCH_ANSWER, citations: [], usage: { ...EMPTY_USAGE } };
}

function quoteOf(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= DEFAULT_ANSWER_OPTIONS.maxChars ? flat : `${flat.slice(0, DEFAULT_ANSWER_OPTIONS.maxChars - 1)}…`;
}

function citedText(lines: readonly string[], line: number, endLine: number): string {
  const text = lines.slice(line - 1, endLine).join('\n');
  return text.length <= MAX_CITATION_CHARS ? text : `${text.slice(0, MAX_CITATION_CHARS - 1)}…`;
}
