/**
 * The one analysis pipeline shared by indexing and querying: words → lower
 * case → stop words dropped → Porter stems. Anything that compares terms with
 * the index (including routing on `topTerms`) must go through `analyzeText`.
 */
import { stemmer } from 'stemmer';
import { canonicalNumber, numberWord } from './number-words.js';
import { STOP_WORDS } from './stop-words.js';

// A number with thousands separators or decimals ("1,000", "1.3", "10.0.0.1") is one word, so
// "TLS 1.3" does not match every "1" and "3"; otherwise letters/digits with inner apostrophes,
// so "keeper's" and "don't" stay one word.
const WORD = /\p{N}{1,3}(?:,\p{N}{3})+(?:\.\p{N}+)?(?![\p{L}\p{N}])|\p{N}+(?:\.\p{N}+)+(?![\p{L}\p{N}])|[\p{L}\p{N}]+(?:['’][\p{L}\p{N}]+)*/gu;
const POSSESSIVE = /['’]s$/;
const APOSTROPHES = /['’]/g;
export const HAS_DIGIT = /\p{N}/u;
// Longer "words" are URLs, hashes or base64: never what a question asks for.
const MAX_WORD_LENGTH = 40;

export interface WordMatch {
  /** Lower-cased surface word, possessive "'s" removed, other apostrophes dropped. */
  word: string;
  /** Offset of the raw word in the text (UTF-16 code units). */
  index: number;
  /** Length of the raw word in the text. */
  length: number;
}

/** Every word of `text` with where it sits, for callers that quote around matches. */
export function findWords(text: string): WordMatch[] {
  const found: WordMatch[] = [];
  for (const match of text.matchAll(WORD)) {
    const raw = match[0];
    if (raw.length > MAX_WORD_LENGTH) continue;
    let word = raw.toLowerCase();
    if (word.includes("'") || word.includes('’')) {
      word = word.replace(POSSESSIVE, '').replace(APOSTROPHES, '');
    }
    found.push({ word, index: match.index, length: raw.length });
  }
  return found;
}

/** Lower-cased surface words of `text` (see `WordMatch.word`). */
export function tokenize(text: string): string[] {
  return findWords(text).map((m) => m.word);
}

// Stemming dominates indexing time and a domain's vocabulary is small, so stems are memoised.
// The cap keeps a stream of odd questions from growing the cache without bound.
const STEM_CACHE_LIMIT = 200_000;
const stemCache = new Map<string, string>();

/**
 * The index term for one surface word, or null when the word carries no meaning on its own:
 * numbers as canonical digits (number-words.ts), other words as their Porter stem.
 */
export function toTerm(word: string): string | null {
  if (STOP_WORDS.has(word)) return null;
  if (HAS_DIGIT.test(word)) return canonicalNumber(word); // numbers, years, versions: stemming would mangle them
  const number = numberWord(word);
  if (number !== undefined) return number;
  if (word.length < 2) return null;
  let stem = stemCache.get(word);
  if (stem === undefined) {
    stem = stemmer(word);
    if (stemCache.size >= STEM_CACHE_LIMIT) stemCache.clear();
    stemCache.set(word, stem);
  }
  return stem;
}

/** Index terms of `text`, in order, repeats kept (term frequency matters to BM25). */
export function analyzeText(text: string): string[] {
  const terms: string[] = [];
  for (const word of tokenize(text)) {
    const term = toTerm(word);
    if (term !== null) terms.push(term);
  }
  return terms;
}
