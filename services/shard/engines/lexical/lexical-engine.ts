/**
 * The offline engine: BM25 (MiniSearch) over overlapping line windows, answers
 * quoted from the best sentences, citations exact by construction. Needs no
 * network and no key, so it is the default and the fallback.
 */
import MiniSearch from 'minisearch';
import type { DomainContext, SourceFile } from '../../domain/domain-context.js';
import type { Citation } from '../../../../shared/queues/schemas.js';
import { EMPTY_USAGE, MAX_TOP_K } from '../../../../shared/queues/schemas.js';
import type { Engine, EngineAnswer, EngineQuestion, WrittenChange } from '../engine.js';
import { composeAnswer, DEFAULT_ANSWER_OPTIONS } from './extractive-answer.js';
import { narrowToSentences, type ScoredSentence } from './narrow-to-sentences.js';
import { feedbackTerms } from './pseudo-relevance.js';
import { spanCoverage } from './proximity.js';
import { relevanceScore, termCoverage } from './relevance.js';
import { analyzeText, findWords, HAS_DIGIT, tokenize, toTerm } from '../../../../shared/text/text-analysis.js';
import { headingLineNumbers, titlesByLine } from './titles.js';
import { Vocabulary } from './vocabulary.js';
import { buildParagraphWindows, buildWindows, type LineWindow } from './windows.js';
import { sharedWordNet } from './wordnet.js';
import { focusWords } from './answer-type.js';
import { DomainNeighbours } from './semantic/domain-neighbours.js';
import { DIMENSIONS, sharedWordVectors } from './semantic/word-vectors.js';
import { cosine, textVector } from './semantic/text-vector.js';
import { LatentSpace, normalize } from './semantic/latent-space.js';
import { DenseWindows, topIds } from './semantic/dense-windows.js';
import type { DomainTerms } from '../../../../shared/fleet/manifest.js';
import { DEFAULT_QUERY_TERM_BUDGET, mostInformativeTerms, type QueryTermBudget } from '../../../../shared/text/query-term-budget.js';
import { scoringIdf } from './scoring-idf.js';
import { DEFAULT_RANK_SCALE, rankDivisor, type RankScale } from './bm25-scale.js';
import { mixEvidence, sourceEvidence, type EvidenceMix, type SourceEvidenceForm } from './source-evidence.js';

/**
 * Switches for the engine's retrieval steps. The defaults are what the
 * evaluation harness (npm run eval, docs/quality.md) measured best; the others
 * stay selectable so the harness can show what each step is worth.
 */
export interface LexicalOptions {
  /** `paragraphs`: windows never cross a blank line (see buildParagraphWindows); `lines`: fixed windows. @defaultValue 'paragraphs' */
  windows: 'lines' | 'paragraphs';
  /**
   * `fallback`: a citation never narrows to a title or heading line alone while another sentence of the window
   * holds a query term (the heading joins the span only for words the text lacks); `any`: headings compete like
   * other sentences (round 6). @defaultValue 'fallback'
   */
  headingSentences: 'any' | 'fallback';
  /** Weight of the title field (file name, title line, Markdown heading) against the text; 0 leaves it out. @defaultValue 0.5 */
  titleBoost: number;
  /** Weight of WordNet synonyms of the question's words, in the query and in coverage; 0 turns expansion off. @defaultValue 0.3 */
  synonymWeight: number;
  /**
   * Most BM25 hits narrowed and scored per question (at least topK). Hits are
   * visited best bound first and the visit stops early once no hit left can
   * beat the topK-th score, so this only caps the cost. @defaultValue 15
   */
  candidateDepth: number;
  /**
   * Share of a citation's score that follows its BM25 rank (bm25 / rankScale's
   * divisor); the rest is coverage alone. @defaultValue 0.5
   */
  rankWeight: number;
  /**
   * What the rank part divides a window's BM25 by (bm25-scale.ts): this
   * shard's best (`shard-best`, shard-relative) or the BM25 of a perfect
   * match (`ceiling`, the same scale on every shard). @defaultValue DEFAULT_RANK_SCALE ('ceiling')
   */
  rankScale?: RankScale;
  /**
   * Share of the coverage taken from the best single sentence instead of the
   * whole window: query terms found together in one sentence count more than
   * terms scattered over a paragraph (a proximity signal). @defaultValue 0
   */
  sentenceWeight: number;
  /**
   * BM25's term-frequency saturation (k1) and length normalisation (b), as
   * MiniSearch takes them (`d` is BM25+'s floor). @defaultValue MiniSearch's { k: 1.2, b: 0.7, d: 0.5 }
   */
  bm25: { k: number; b: number; d: number };
  /**
   * Weight of WordNet's related words (see WordNet.related: hypernyms, direct
   * hyponyms and derivationally related forms of the question's words); 0
   * leaves them out. Kept low: a related word is weaker evidence than a
   * synonym, and at 0.2 it already costs two-part questions. @defaultValue 0.1
   */
  relatedWeight: number;
  /** Weight of the words WordNet defines a question word with (WordNet.glossWords); 0 leaves them out. @defaultValue 0 */
  glossWeight: number;
  /**
   * Weight of the answer type's kinds (answer-type.ts, WordNet.kinds): in a
   * "which city…" question, a city's name the domain uses stands for *city*
   * like a synonym, at this weight; 0 turns it off. @defaultValue 0.5
   */
  answerTypeWeight: number;
  /** Kinds of one answer-type noun added at most (nearest in WordNet's tree first). @defaultValue 32 */
  answerTypeKinds: number;
  /**
   * A kind WordNet lists as an instance (a name: Buffalo, but also Split and
   * Reading) counts only where at least this share of the domain's occurrences
   * of it is capitalised (a common word is capitalised at sentence starts
   * only). Fixed from that reasoning, not tuned; 0 checks nothing. @defaultValue 0.8
   */
  answerTypeNameShare: number;
  /**
   * Factor on the IDF of a question term the domain never uses, in coverage:
   * BM25's IDF treats "never seen" almost like "seen once", but a word the
   * domain has never used is evidence that the question is about something
   * else, so a shard matching only the rest of the question scores lower.
   * 1 is plain IDF. @defaultValue 1.5
   */
  unknownTermWeight: number;
  /**
   * Pseudo-relevance feedback (see pseudo-relevance.ts): how many of the first
   * retrieval's best windows lend their characteristic terms to a second
   * retrieval; 0 turns it off (measured: it cost hit@1 and multi questions,
   * docs/quality.md). Feedback terms only move BM25's ranking: the coverage
   * stays that of the question's own words. @defaultValue 0
   */
  feedbackDocs: number;
  /** How many feedback terms are added. @defaultValue 10 */
  feedbackTerms: number;
  /** Query weight of the best feedback term (the others scaled by their share). @defaultValue 0.3 */
  feedbackWeight: number;
  /**
   * Share of the coverage taken from the best run of `proximitySpan`
   * consecutive analysed terms (see proximity.ts), taken from the window's
   * share; 0 turns it off (measured: no gain over the sentence coverage,
   * docs/quality.md). @defaultValue 0
   */
  proximityWeight: number;
  /** Width of that run, in analysed terms. @defaultValue 12 */
  proximitySpan: number;
  /**
   * Semantic expansion (semantic/): each question word's nearest terms of
   * this domain by pre-trained word-vector cosine are added to the query like
   * synonyms, at `semanticWeight` × cosine; 0 turns it off. @defaultValue see DEFAULT_LEXICAL_OPTIONS
   */
  semanticWeight: number;
  /** Lowest cosine for a semantic neighbour. */
  semanticMinCosine: number;
  /** Most semantic neighbours per question word. */
  semanticNeighbours: number;
  /**
   * Share of the coverage taken from the cosine of the question's and the
   * cited sentences' word vectors (semantic/text-vector.ts), counted above
   * `semanticFloor` and scaled to [0, 1]; 0 turns it off.
   */
  semanticFusion: number;
  /** Cosine at or below which the semantic signal counts 0 (unrelated texts' vectors are not orthogonal). */
  semanticFloor: number;
  /**
   * The dense retrieval channel: every window gets a vector, and the windows
   * whose vectors are nearest the question's join BM25's hits as candidates
   * (a paraphrase's passage may share no word with the question, so BM25 never
   * proposes it) and lend part of their score (`denseWeight`).
   * `lsa`: latent semantic analysis trained at start on this domain's own
   * windows (semantic/latent-space.ts); `word-vectors`: the IDF-weighted sum
   * of the shipped pre-trained word vectors (semantic/text-vector.ts);
   * `off`: BM25 alone. @defaultValue see DEFAULT_LEXICAL_OPTIONS
   */
  dense: 'off' | 'lsa' | 'word-vectors';
  /** Dimensions of the LSA space. */
  denseDimensions: number;
  /** How many of the windows nearest the question (by dense cosine) join BM25's hits as candidates. */
  denseCandidates: number;
  /** Share of the coverage taken from the dense cosine (above `denseFloor`, scaled to [0, 1]). */
  denseWeight: number;
  /** Dense cosine at or below which the dense signal counts 0. */
  denseFloor: number;
  /**
   * Share of the rank factor taken from the window's dense cosine ÷ the shard's best (the rest from BM25's);
   * with `denseRankMode` 'max', the rank factor is instead the larger of BM25's and this weight × the dense one.
   */
  denseRankWeight: number;
  denseRankMode: 'blend' | 'max';
  /** The question's WordNet expansions also shape its dense vector, at their weights. */
  denseExpansions: boolean;
  /**
   * Query expansion by the LSA space (`dense` 'lsa'): each question term's
   * `denseNeighbours` nearest domain terms with cosine ≥ `denseNeighbourCosine`
   * are added like synonyms at `denseNeighbourWeight` × cosine; 0 turns it off.
   */
  denseNeighbourWeight: number;
  denseNeighbours: number;
  denseNeighbourCosine: number;
  /**
   * Source-level evidence (source-evidence.ts): how well the window's source
   * (`source`: every term its windows hold together; `source-best`: the mean
   * of its best windows; `neighbours`: the window with the windows beside it)
   * covers the question, mixed into the coverage at `sourceEvidenceWeight`;
   * `off` leaves it out (measured: docs/quality.md, rounds 5 and 6). @defaultValue 'neighbours'
   */
  sourceEvidence: SourceEvidenceForm;
  /** Share of the coverage taken from the source evidence. @defaultValue 0.2 */
  sourceEvidenceWeight: number;
  /** `blend`: added as a share of the coverage; `prior`: the coverage × (1 − weight + weight × evidence). @defaultValue 'blend' */
  sourceEvidenceMix: EvidenceMix;
  /** Caps on the terms, expansions and hits one question may cost (shared/text/query-term-budget.ts). @defaultValue DEFAULT_QUERY_TERM_BUDGET */
  budget: QueryTermBudget;
}

/** A dense channel: the window vectors and how a text (analysed terms, raw text) becomes a vector. */
interface DenseChannel {
  windows: DenseWindows;
  /** The LSA space (undefined for word vectors). */
  space?: LatentSpace;
  embed(terms: readonly string[], text: string, boost?: (term: string) => number): Float32Array;
}

/**
 * What the engine has done, summed over every question it answered: the
 * evidence that a question's work is bounded (issue 11), readable without
 * timing anything.
 */
export interface LexicalWork {
  questions: number;
  /** Distinct question terms searched and scored (at most `budget.maxTerms` per question). */
  termsScored: number;
  /** Synonyms and related words searched (at most `budget.maxExpansions` per question). */
  expansionsSearched: number;
  /** Distinct question words looked up in WordNet (at most `budget.maxTerms` per question). */
  wordsExpanded: number;
  /** BM25 hits narrowed to sentences. */
  hitsExamined: number;
}

export const DEFAULT_LEXICAL_OPTIONS: LexicalOptions = Object.freeze({ windows: 'paragraphs', headingSentences: 'fallback', titleBoost: 0.5, synonymWeight: 0.3, candidateDepth: 15, rankWeight: 0.5, sentenceWeight: 0.5, bm25: Object.freeze({ k: 1.2, b: 0.7, d: 0.5 }), relatedWeight: 0.1, glossWeight: 0, answerTypeWeight: 0.5, answerTypeKinds: 32, answerTypeNameShare: 0.8, unknownTermWeight: 1.5, feedbackDocs: 0, feedbackTerms: 10, feedbackWeight: 0.3, proximityWeight: 0, proximitySpan: 12, semanticWeight: 0, semanticMinCosine: 0.6, semanticNeighbours: 5, semanticFusion: 0, semanticFloor: 0.5, dense: 'off', denseDimensions: 100, denseCandidates: 30, denseWeight: 0.3, denseFloor: 0.2, denseRankWeight: 0, denseRankMode: 'blend', denseExpansions: false, denseNeighbourWeight: 0, denseNeighbours: 3, denseNeighbourCosine: 0.7, sourceEvidence: 'neighbours', sourceEvidenceWeight: 0.2, sourceEvidenceMix: 'blend', budget: DEFAULT_QUERY_TERM_BUDGET });

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
  /** Analysed terms of the window's file name, title and heading (see titles.ts). */
  title: string;
}

/** A term added to the question: a synonym of `of`, weighted below the question's own words. */
interface Expansion {
  of: string;
  weight: number;
}

// Text is analysed once per line at build time and once per question, both
// with analyzeText; MiniSearch only splits the resulting terms on spaces, so
// index and query see exactly the same pipeline.
const splitTerms = (text: string): string[] => text.split(' ');
const keepTerm = (term: string): string | null => (term === '' ? null : term);

export class LexicalEngine implements Engine {
  readonly name = 'lexical' as const;
  private readonly counters: LexicalWork = { questions: 0, termsScored: 0, expansionsSearched: 0, wordsExpanded: 0, hitsExamined: 0 };

  /** Every source indexed, by position; a forgotten written source leaves a hole so window positions stay valid. */
  private readonly sources: (SourceFile | undefined)[] = [];
  private readonly headingLineSets = new Map<number, ReadonlySet<number>>();
  /** Windows by MiniSearch id; a forgotten written source's windows become holes (and are discarded from the index). */
  private readonly windows: (LineWindow | undefined)[] = [];
  /** Analysed terms of each window, kept only when feedback or proximity is on (memory otherwise). */
  private readonly windowTerms: (readonly string[])[] = [];
  /** Written sources (services/shard/memory) by name: where they sit, so they can be taken out again. */
  private readonly written = new Map<string, { sourceIndex: number; windowIds: number[] }>();
  private readonly titleTerms = new Map<string, string>();
  /** Word-vector neighbours among this domain's terms (semantic expansion); undefined when it is off. */
  private neighbours: DomainNeighbours | undefined;
  private readonly kindTermCache = new Map<string, readonly { term: string | null; instance: boolean }[]>();
  /** The dense retrieval channel; undefined when `dense` is off. */
  private dense: DenseChannel | undefined;

  private constructor(
    private readonly index: MiniSearch<IndexedWindow>,
    private readonly vocabulary: Vocabulary,
    private readonly options: LexicalOptions,
  ) {}

  static build(ctx: DomainContext, options: Partial<LexicalOptions> = {}): LexicalEngine {
    const opts: LexicalOptions = { ...DEFAULT_LEXICAL_OPTIONS, ...options };
    const fields = opts.titleBoost > 0 ? ['terms', 'title'] : ['terms'];
    const index = new MiniSearch<IndexedWindow>({
      idField: 'id',
      fields,
      tokenize: splitTerms,
      processTerm: keepTerm,
      searchOptions: {
        tokenize: splitTerms,
        processTerm: keepTerm,
        combineWith: 'OR',
        boost: { terms: 1, title: opts.titleBoost },
        // Stemming already joins word forms; prefix/fuzzy would mostly add noise and cost.
        prefix: false,
        fuzzy: false,
        bm25: { ...opts.bm25 },
      },
    });
    const engine = new LexicalEngine(index, new Vocabulary(), opts);
    const added = engine.addSources(ctx.sources, false);
    if (opts.dense !== 'off') {
      engine.dense = engine.buildDense(added);
      engine.embedWindows(added);
    }
    // Semantic expansion (off by default) indexes the domain's terms as loaded; written sources added later are not in it.
    if (opts.semanticWeight > 0) engine.neighbours = DomainNeighbours.build(engine.vocabulary.spellings(), sharedWordVectors());
    return engine;
  }

  /**
   * Written sources changed (services/shard/memory/memory-sync.ts): only their
   * windows leave and enter the index, so a note costs milliseconds, not a
   * rebuild of the whole domain. A replaced source is taken out, then added.
   */
  updateWritten(change: WrittenChange): void {
    for (const name of change.removed) this.removeWritten(name);
    for (const file of change.upserted) this.removeWritten(file.source);
    const added = this.addSources(change.upserted, true);
    // Written notes fold into the dense space trained at start (their words new to it have no vector).
    this.embedWindows(added);
  }

  /** The dense channel, trained on (LSA) or built for the windows indexed at start. */
  private buildDense(windows: readonly { id: number; terms: readonly string[] }[]): DenseChannel {
    const idf = (term: string): number => this.vocabulary.idf(term);
    if (this.options.dense === 'lsa') {
      const space = LatentSpace.train(
        windows.map((w) => w.terms),
        idf,
        { dimensions: this.options.denseDimensions },
      );
      return { windows: new DenseWindows(space.dimensions), space, embed: (terms, _text, boost) => space.embed(terms, idf, boost) };
    }
    const vectors = sharedWordVectors();
    return { windows: new DenseWindows(DIMENSIONS), embed: (_terms, text) => normalize(textVector(text, vectors, idf)) };
  }

  private embedWindows(windows: readonly { id: number; terms: readonly string[] }[]): void {
    const dense = this.dense;
    if (dense === undefined) return;
    for (const { id, terms } of windows) {
      const w = this.windows[id];
      const file = w && this.sources[w.sourceIndex];
      if (w === undefined || file === undefined) continue;
      dense.windows.set(id, dense.embed(terms, this.options.dense === 'word-vectors' ? file.lines.slice(w.startLine - 1, w.endLine).join(' ') : ''));
    }
  }

  /** Indexes the files' windows; returns each new window's id and analysed terms. */
  private addSources(files: readonly SourceFile[], removable: boolean): { id: number; terms: string[] }[] {
    const added: { id: number; terms: string[] }[] = [];
    const opts = this.options;
    const vocabulary = this.vocabulary;
    const documents: IndexedWindow[] = [];
    for (const file of files) {
      const sourceIndex = this.sources.length;
      this.sources.push(file);
      const lineTerms = analyseLines(file, (term, word, capitalised) => vocabulary.addOccurrence(term, word, capitalised));
      const titles = opts.titleBoost > 0 ? titlesByLine(file) : [];
      const fileWindows = opts.windows === 'paragraphs' ? buildParagraphWindows([file]) : buildWindows([file]);
      const windowIds: number[] = [];
      for (const w of fileWindows) {
        const id = this.windows.length;
        this.windows.push({ ...w, sourceIndex });
        windowIds.push(id);
        const terms = lineTerms.slice(w.startLine - 1, w.endLine).flat();
        vocabulary.addWindow(new Set(terms));
        const titleText = titles[w.startLine - 1] ?? '';
        let title = this.titleTerms.get(titleText);
        if (title === undefined) {
          title = analyzeText(titleText).join(' ');
          this.titleTerms.set(titleText, title);
        }
        const doc = { id, terms: terms.join(' '), title };
        documents.push(doc);
        added.push({ id, terms });
        if (opts.feedbackDocs > 0 || opts.proximityWeight > 0) this.windowTerms[id] = splitTerms(doc.terms);
      }
      if (removable) this.written.set(file.source, { sourceIndex, windowIds });
    }
    this.index.addAll(documents);
    return added;
  }

  private removeWritten(name: string): void {
    const entry = this.written.get(name);
    const file = entry && this.sources[entry.sourceIndex];
    if (entry === undefined || file === undefined) return;
    this.written.delete(name);
    const lineTerms = analyseLines(file, (term, word, capitalised) => this.vocabulary.removeOccurrence(term, word, capitalised));
    for (const id of entry.windowIds) {
      const w = this.windows[id];
      if (w === undefined) continue;
      this.vocabulary.removeWindow(new Set(lineTerms.slice(w.startLine - 1, w.endLine).flat()));
      this.index.discard(id);
      this.dense?.windows.delete(id);
      this.windows[id] = undefined;
      this.windowTerms[id] = [];
    }
    this.sources[entry.sourceIndex] = undefined;
    this.headingLineSets.delete(entry.sourceIndex);
  }

  /**
   * WordNet synonyms of the question's words that this domain uses, each
   * mapped to the question term it stands for: only words whose term is among
   * the `scored` ones are looked up, and at most `budget.maxExpansions` are
   * kept, synonyms first. Synonyms of stop words and terms the question
   * already has (`questionTerms`, scored or not) are left out.
   */
  private expand(question: string, scored: ReadonlySet<string>, questionTerms: ReadonlySet<string>): Map<string, Expansion> {
    const expansions = new Map<string, Expansion>();
    if (this.options.synonymWeight <= 0) return expansions;
    const max = this.options.budget.maxExpansions;
    const words: { word: string; of: string }[] = [];
    for (const word of new Set(tokenize(question))) {
      const of = toTerm(word);
      if (of === null || HAS_DIGIT.test(word) || !scored.has(of)) continue;
      words.push({ word, of });
    }
    this.counters.wordsExpanded += words.length;
    const wordnet = sharedWordNet();
    const add = (lookup: (word: string) => string[], weight: number): void => {
      for (const { word, of } of words) {
        if (expansions.size >= max) return;
        for (const found of lookup(word)) {
          const term = toTerm(found);
          if (term === null || questionTerms.has(term) || expansions.has(term)) continue;
          if (this.vocabulary.documentFrequency(term) === 0) continue;
          expansions.set(term, { of, weight });
          if (expansions.size >= max) return;
        }
      }
    };
    add((word) => wordnet.synonyms(word), this.options.synonymWeight);
    if (this.options.answerTypeWeight > 0) {
      // The answer's type ("which city"): kinds of it this domain names stand for it (answer-type.ts).
      for (const word of focusWords(question)) {
        const of = toTerm(word);
        if (of === null || !scored.has(of)) continue;
        let added = 0;
        for (const { term, instance } of this.kindTerms(word)) {
          if (expansions.size >= max || added >= this.options.answerTypeKinds) break;
          if (term === null || questionTerms.has(term) || expansions.has(term)) continue;
          if (this.vocabulary.documentFrequency(term) === 0) continue;
          // An instance is a name (Buffalo, Split, Reading): only where the domain writes it as one.
          if (instance && this.vocabulary.capitalisedShare(term) < this.options.answerTypeNameShare) continue;
          expansions.set(term, { of, weight: this.options.answerTypeWeight });
          added++;
        }
      }
    }
    // Related words after synonyms, so a word that is both keeps the synonym's weight.
    if (this.options.relatedWeight > 0) add((word) => wordnet.related(word), this.options.relatedWeight);
    if (this.options.glossWeight > 0) add((word) => wordnet.glossWords(word), this.options.glossWeight);
    const space = this.dense?.space;
    if (space !== undefined && this.options.denseNeighbourWeight > 0) {
      // Domain (LSA) neighbours of each question term, within the same expansion budget.
      for (const of of scored) {
        for (const { term, cosine: c } of space.nearest(of, this.options.denseNeighbours, this.options.denseNeighbourCosine, (t) => questionTerms.has(t))) {
          const weight = this.options.denseNeighbourWeight * c;
          const had = expansions.get(term);
          if (had !== undefined && had.weight >= weight) continue;
          if (had === undefined && expansions.size >= max) return expansions;
          expansions.set(term, { of, weight });
        }
      }
    }
    if (this.neighbours !== undefined) {
      // Word-vector neighbours last (semantic/domain-neighbours.ts), within the same expansion budget.
      const vectors = sharedWordVectors();
      for (const { word, of } of words) {
        const vector = vectors.vector(word);
        if (vector === undefined) continue;
        const near = this.neighbours.nearest(vector, this.options.semanticNeighbours, this.options.semanticMinCosine, (term) => questionTerms.has(term));
        for (const { term, cosine } of near) {
          const weight = this.options.semanticWeight * cosine;
          const had = expansions.get(term);
          if (had !== undefined && had.weight >= weight) continue;
          if (had === undefined && expansions.size >= max) return expansions;
          expansions.set(term, { of, weight });
        }
      }
    }
    return expansions;
  }

  /** WordNet.kinds of a word as index terms, remembered: a type word's kinds are hundreds of lemmas, looked at on every question that names it. */
  private kindTerms(word: string): readonly { term: string | null; instance: boolean }[] {
    let terms = this.kindTermCache.get(word);
    if (terms === undefined) {
      terms = sharedWordNet().kinds(word).map(({ lemma, instance }) => ({ term: toTerm(lemma), instance }));
      if (this.kindTermCache.size >= KIND_TERM_CACHE_LIMIT) this.kindTermCache.clear();
      this.kindTermCache.set(word, terms);
    }
    return terms;
  }

  /** The title and heading line numbers of a source, computed once per source. */
  private headingsOf(sourceIndex: number, file: SourceFile): ReadonlySet<number> {
    let set = this.headingLineSets.get(sourceIndex);
    if (set === undefined) {
      set = headingLineNumbers(file);
      this.headingLineSets.set(sourceIndex, set);
    }
    return set;
  }

  /** Work done so far, summed over every question (a copy). */
  get work(): Readonly<LexicalWork> {
    return { ...this.counters };
  }

  async answer(question: EngineQuestion, signal?: AbortSignal): Promise<EngineAnswer> {
    signal?.throwIfAborted();
    const questionTerms = [...new Set(analyzeText(question.question))];
    if (questionTerms.length === 0) return noMatch();
    const budget = this.options.budget;
    // This domain's IDF, or the fleet's when the job carries its statistics (scoring-idf.ts).
    const termIdf = scoringIdf(this.vocabulary, question.termStats);
    // A long question is answered on its most informative terms only (see query-term-budget.ts).
    const queryTerms = mostInformativeTerms(questionTerms, termIdf, budget.maxTerms);
    const querySet = new Set(queryTerms);
    const expansions = this.expand(question.question, querySet, new Set(questionTerms));
    const searchTerms = [...queryTerms, ...expansions.keys()];
    this.counters.questions++;
    this.counters.termsScored += queryTerms.length;
    this.counters.expansionsSearched += expansions.size;
    let hits = this.index.search(searchTerms.join(' '), {
      boostTerm: (term) => expansions.get(term)?.weight ?? 1,
    });
    if (this.options.feedbackDocs > 0 && hits.length > 0) {
      const feedback = feedbackTerms(
        hits.slice(0, this.options.feedbackDocs).map((h) => ({ terms: this.windowTerms[h.id as number] ?? [], score: h.score })),
        new Set(searchTerms),
        (term) => this.vocabulary.idf(term),
        this.options.feedbackTerms,
      );
      if (feedback.length > 0) {
        const boosts = new Map(feedback.map((f) => [f.term, f.weight * this.options.feedbackWeight]));
        hits = this.index.search([...searchTerms, ...boosts.keys()].join(' '), {
          boostTerm: (term) => expansions.get(term)?.weight ?? boosts.get(term) ?? 1,
        });
      }
    }
    const topBm25 = hits[0]?.score ?? 0;
    if (topBm25 <= 0) return noMatch();
    // BM25 runs on this domain's own IDF and can only match terms the domain uses, so its ceiling does the same (bm25-scale.ts).
    const rankBy = rankDivisor(this.options.rankScale ?? DEFAULT_RANK_SCALE, topBm25, queryTerms, this.vocabulary, this.options.bm25);

    const topK = Math.min(Math.max(1, Math.floor(question.topK)), MAX_TOP_K);
    // A question word this domain never uses weighs unknownTermWeight × its IDF (see relevance.ts).
    const unknown = this.options.unknownTermWeight;
    const idf = (term: string): number => termIdf(term) * (this.vocabulary.documentFrequency(term) === 0 ? unknown : 1);
    // Sentences are narrowed and quoted on synonyms too, each weighing what it stands in for.
    const weightedIdf = (term: string): number => idf(expansions.get(term)?.of ?? term) * (expansions.get(term)?.weight ?? 1);
    const conceptOf = (term: string): string => expansions.get(term)?.of ?? term;
    const narrowSet = new Set(searchTerms);
    const chosen: { citation: Citation; sentences: ScoredSentence[] }[] = [];

    const conceptWeight = (term: string): { concept: string; weight: number } | undefined => {
      if (querySet.has(term)) return { concept: term, weight: 1 };
      const e = expansions.get(term);
      return e === undefined ? undefined : { concept: e.of, weight: e.weight };
    };
    const totalIdf = queryTerms.reduce((sum, t) => sum + idf(t), 0);
    // Coverage (relevance.ts) of the terms a hit matched, synonyms at their weight, in O(|matched|): it runs for every hit.
    const coverageOfMatched = matchedCoverage(queryTerms.map((t) => ({ term: t, idf: idf(t) })), expansions, totalIdf);
    const w = this.options.sentenceWeight;
    const p = this.options.proximityWeight;
    // Candidates are ranked by the final relevance score before the topK cut, so the best citation never
    // depends on topK: hits are visited in the order of an upper bound of that score (computable without
    // narrowing), and the visit stops once no remaining hit can beat the topK-th score found.
    // The dense channel: every window's cosine with the question; its nearest windows join BM25's hits.
    const dense = this.dense;
    const denseWeight = dense === undefined ? 0 : this.options.denseWeight;
    const denseRank = dense === undefined ? 0 : this.options.denseRankWeight;
    let cosines: Float32Array | undefined;
    let topCosine = 0;
    const pool: { id: number; score: number; queryTerms: readonly string[] }[] = hits.map((h) => ({ id: h.id as number, score: h.score, queryTerms: h.queryTerms }));
    if (dense !== undefined) {
      const boost = (term: string): number => (querySet.has(term) ? 1 : (expansions.get(term)?.weight ?? 0));
      const denseTerms = this.options.denseExpansions ? searchTerms : queryTerms;
      cosines = dense.windows.cosines(dense.embed(denseTerms, question.question, boost));
      const nearest = topIds(cosines, this.options.denseCandidates);
      topCosine = Math.max(0, cosines[nearest[0] ?? -1] ?? 0);
      const inHits = new Set(pool.map((h) => h.id));
      for (const id of nearest) if (!inHits.has(id)) pool.push({ id, score: 0, queryTerms: [] });
    }
    const floor = this.options.denseFloor;
    const denseShare = (id: number): number => (cosines === undefined ? 0 : Math.max(0, ((cosines[id] ?? 0) - floor) / (1 - floor)));
    // BM25's rank (bm25 ÷ rankBy, see bm25-scale.ts); with a dense rank share, blended with the dense
    // cosine ÷ the shard's best cosine.
    const rankOf = (id: number, bm25: number): number => {
      const lexicalRank = Math.min(1, bm25 / rankBy);
      if (denseRank <= 0 || topCosine <= 0) return lexicalRank;
      const denseRel = Math.max(0, (cosines?.[id] ?? 0) / topCosine);
      return this.options.denseRankMode === 'max' ? Math.max(lexicalRank, denseRank * denseRel) : (1 - denseRank) * lexicalRank + denseRank * denseRel;
    };
    // Source-level evidence (by default the window with its neighbours): the same coverage, over the terms they hold together.
    const evidenceWeight = this.options.sourceEvidence === 'off' ? 0 : this.options.sourceEvidenceWeight;
    // Each hit's own coverage, once (the evidence and the bounds below both need it).
    const coverageById = new Map<number, number>();
    for (const hit of pool) coverageById.set(hit.id, coverageOfMatched(hit.queryTerms));
    const evidence =
      evidenceWeight > 0
        ? sourceEvidence(
            this.options.sourceEvidence,
            hits.map((h) => ({ id: h.id as number, sourceIndex: this.windows[h.id as number]?.sourceIndex ?? -1, matched: h.queryTerms })),
            coverageOfMatched,
            (hit) => coverageById.get(hit.id) ?? 0,
          )
        : undefined;
    const withEvidence = (id: number, c: number): number => (evidence === undefined ? c : mixEvidence(c, evidence.get(id) ?? 0, evidenceWeight, this.options.sourceEvidenceMix));
    const candidates = pool
      .map((hit) => {
        const windowCoverage = coverageById.get(hit.id) ?? 0;
        const boundCoverage = (1 - denseWeight) * withEvidence(hit.id, scoreBound(windowCoverage, w + p)) + denseWeight * denseShare(hit.id);
        return { hit, windowCoverage, bound: relevanceScore(boundCoverage, rankOf(hit.id, hit.score), 1, this.options.rankWeight) };
      })
      .sort((a, b) => b.bound - a.bound || b.hit.score - a.hit.score);
    // At most candidateDepth narrowings (never fewer than topK), and never more than the budget's hits.
    const maxVisits = Math.min(Math.max(topK, this.options.candidateDepth), topK + budget.maxHitsExamined);
    const vectorIdf = (term: string): number => this.vocabulary.idf(term);
    const questionVector = this.options.semanticFusion > 0 ? textVector(question.question, sharedWordVectors(), vectorIdf) : undefined;
    let visits = 0;
    for (const { hit, windowCoverage, bound } of candidates) {
      if (visits >= maxVisits) break;
      if (chosen.length >= topK && bound < kthScore(chosen, topK)) break;
      const window = this.windows[hit.id];
      const file = window && this.sources[window.sourceIndex];
      if (window === undefined || file === undefined) continue;
      visits += 1;

      const span = narrowToSentences(file.lines, window, narrowSet, weightedIdf, conceptOf, this.options.headingSentences === 'fallback' ? this.headingsOf(window.sourceIndex, file) : undefined);
      // Overlapping windows often narrow to the same sentence; cite each stretch of text once (the better one).
      const overlapping = chosen.findIndex(
        ({ citation: c }) => c.source === window.source && span.line <= c.endLine && c.line <= span.endLine,
      );

      const sentenceCoverage = totalIdf > 0 ? Math.min(1, (span.sentences[0]?.weight ?? 0) / totalIdf) : 0;
      const proximity =
        p > 0 ? spanCoverage(this.windowTerms[hit.id] ?? [], this.options.proximitySpan, conceptWeight, idf, totalIdf) : 0;
      const lexicalCoverage = withEvidence(hit.id, (1 - w - p) * windowCoverage + w * sentenceCoverage + p * proximity);
      const fused =
        questionVector === undefined
          ? lexicalCoverage
          : (1 - this.options.semanticFusion) * lexicalCoverage + this.options.semanticFusion * semanticShare(questionVector, span, file.lines, vectorIdf, this.options.semanticFloor);
      const coverage = (1 - denseWeight) * fused + denseWeight * denseShare(hit.id);
      const candidate = {
        citation: {
          source: window.source,
          line: span.line,
          endLine: span.endLine,
          text: citedText(file.lines, span.line, span.endLine),
          score: relevanceScore(coverage, rankOf(hit.id, hit.score), 1, this.options.rankWeight),
        },
        sentences: span.sentences,
      };
      if (overlapping === -1) chosen.push(candidate);
      else if ((chosen[overlapping]?.citation.score ?? 0) < candidate.citation.score) chosen[overlapping] = candidate;
    }
    this.counters.hitsExamined += visits;
    if (chosen.length === 0) return noMatch();

    // Equal scores: file order, so the result does not depend on the order hits were visited in.
    chosen.sort((a, b) => b.citation.score - a.citation.score || a.citation.source.localeCompare(b.citation.source) || a.citation.line - b.citation.line);
    chosen.splice(topK);
    const answer = composeAnswer(
      chosen.slice(0, ANSWER_CITATIONS).map((c) => c.sentences),
      narrowSet,
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

  /** Window count and per-term window counts, published in the manifest for routed mode. */
  domainTerms(): DomainTerms {
    return { windows: this.vocabulary.windowCount, df: this.vocabulary.documentFrequencies() };
  }
}

/**
 * How much of each question term a window holds: 1 for the term itself, the
 * synonym weight when only a synonym of it is there, else 0.
 */
/**
 * The coverage of the terms a window matched (relevance.ts termCoverage, a
 * question term counting at 1 when matched itself, else at its best matched
 * expansion's weight), as a function that visits only the matched terms: it
 * runs for every hit of a question, so the per-question set-up (which concept
 * each term stands for) is done once and each call reuses one scratch array.
 */
function matchedCoverage(
  concepts: readonly { term: string; idf: number }[],
  expansions: ReadonlyMap<string, Expansion>,
  totalIdf: number,
): (...matched: readonly (readonly string[])[]) => number {
  const indexOf = new Map(concepts.map(({ term }, index) => [term, index]));
  const conceptOf = new Map<string, { index: number; weight: number }>([...indexOf].map(([term, index]) => [term, { index, weight: 1 }]));
  for (const [term, e] of expansions) {
    const index = indexOf.get(e.of);
    if (index !== undefined && !conceptOf.has(term)) conceptOf.set(term, { index, weight: Math.min(1, Math.max(0, e.weight)) });
  }
  const idfs = concepts.map((c) => c.idf);
  const best = new Float64Array(concepts.length);
  return (...lists) => {
    if (totalIdf <= 0) return 0;
    best.fill(0);
    for (const matched of lists) {
      for (const term of matched) {
        const c = conceptOf.get(term);
        if (c !== undefined && best[c.index]! < c.weight) best[c.index] = c.weight;
      }
    }
    let found = 0;
    for (let i = 0; i < best.length; i++) found += idfs[i]! * best[i]!;
    return found / totalIdf;
  };
}

/**
 * An upper bound of a citation's coverage before its sentences are known: the
 * sentence-level share (`narrowShare` of the coverage) is at most the window
 * coverage plus a margin, because the best sentence holds the window's terms
 * (plus, at most, a few from the lines just around the window).
 */
function scoreBound(windowCoverage: number, narrowShare: number): number {
  return (1 - narrowShare) * windowCoverage + narrowShare * Math.min(1, windowCoverage + SENTENCE_BOUND_MARGIN);
}

/** The semantic signal of a span in [0, 1]: its best sentences' vector cosine with the question, above `floor`. */
function semanticShare(
  questionVector: Float32Array,
  span: { line: number; endLine: number },
  lines: readonly string[],
  idf: (term: string) => number,
  floor: number,
): number {
  const text = lines.slice(span.line - 1, span.endLine).join(' ');
  const c = cosine(questionVector, textVector(text, sharedWordVectors(), idf));
  return Math.max(0, (c - floor) / (1 - floor));
}

/** Type words whose kinds an engine remembers as terms (a stream of odd questions cannot grow it without bound). */
const KIND_TERM_CACHE_LIMIT = 1_000;

/** Coverage a best sentence may add over its window's (sentences run into the margin lines around a window). */
const SENTENCE_BOUND_MARGIN = 0.25;

/** The k-th best score among the chosen candidates (0 when fewer). */
function kthScore(chosen: readonly { citation: Citation }[], k: number): number {
  if (chosen.length < k) return 0;
  return chosen.map((c) => c.citation.score).sort((a, b) => b - a)[k - 1] ?? 0;
}

/** Each line's analysed terms; `each` sees every (term, surface word) pair, for the vocabulary's counts. */
function analyseLines(file: SourceFile, each: (term: string, word: string, capitalised: boolean) => void): string[][] {
  return file.lines.map((line) => {
    const terms: string[] = [];
    for (const { word, index } of findWords(line)) {
      const term = toTerm(word);
      if (term === null) continue;
      terms.push(term);
      const first = line.charAt(index);
      each(term, word, first !== first.toLowerCase());
    }
    return terms;
  });
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
