/** Domain-trained vectors for the lexical engine's dense channel: randomized SVD, LSA, the window scan (docs/quality.md). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { symmetricEigen, truncatedSvd, type SparseColumn } from '../../services/shard/engines/lexical/semantic/randomized-svd.js';
import { LatentSpace } from '../../services/shard/engines/lexical/semantic/latent-space.js';
import { DenseWindows, topIds } from '../../services/shard/engines/lexical/semantic/dense-windows.js';
import { LexicalEngine } from '../../services/shard/engines/lexical/lexical-engine.js';
import type { DomainContext, SourceFile } from '../../services/shard/domain/domain-context.js';
import { splitLines } from '../../shared/text/lines.js';
import { analyzeText } from '../../shared/text/text-analysis.js';

/** Dense row-major rows × cols matrix as sparse columns. */
function columnsOf(dense: number[][]): SparseColumn[] {
  const cols = dense[0]?.length ?? 0;
  return Array.from({ length: cols }, (_, c) => {
    const rows: number[] = [];
    const values: number[] = [];
    dense.forEach((row, r) => {
      if ((row[c] ?? 0) !== 0) {
        rows.push(r);
        values.push(row[c] as number);
      }
    });
    return { rows: Int32Array.from(rows), values: Float64Array.from(values) };
  });
}

describe('randomized SVD', () => {
  test('When a symmetric matrix is decomposed, then its eigenpairs satisfy A v = λ v', () => {
    const a = Float64Array.from([4, 1, 2, 1, 3, 0, 2, 0, 5]);
    const { values, vectors } = symmetricEigen(a, 3);
    for (let e = 0; e < 3; e++) {
      for (let i = 0; i < 3; i++) {
        let av = 0;
        for (let j = 0; j < 3; j++) av += (a[i * 3 + j] as number) * (vectors[j * 3 + e] as number);
        assert.ok(Math.abs(av - (values[e] as number) * (vectors[i * 3 + e] as number)) < 1e-9);
      }
    }
    assert.ok(Math.abs([...values].reduce((s, v) => s + v, 0) - 12) < 1e-9); // trace
  });

  test('When the matrix has known singular values, then the truncated SVD finds the largest ones and unit vectors', () => {
    // Rank-3 matrix: singular values 9, 4, 1 on orthogonal row/column patterns.
    const m = [
      [9, 0, 0, 0, 0],
      [0, 0, 4, 0, 0],
      [0, 0, 0, 0, 1],
      [0, 0, 0, 0, 0],
    ];
    const svd = truncatedSvd(4, columnsOf(m), { rank: 2 });
    assert.ok(Math.abs((svd.s[0] as number) - 9) < 1e-9);
    assert.ok(Math.abs((svd.s[1] as number) - 4) < 1e-9);
    assert.ok(Math.abs(Math.abs(svd.u[0 * 2 + 0] as number) - 1) < 1e-9, 'first left vector is row 0');
    assert.ok(Math.abs(Math.abs(svd.u[1 * 2 + 1] as number) - 1) < 1e-9, 'second left vector is row 1');
  });

  test('When the same matrix is decomposed twice, then the result is the same (seeded)', () => {
    const m = Array.from({ length: 30 }, (_, r) => Array.from({ length: 20 }, (_, c) => ((r * 7 + c * 3) % 5 === 0 ? 1 + ((r + c) % 3) : 0)));
    const a = truncatedSvd(30, columnsOf(m), { rank: 5 });
    const b = truncatedSvd(30, columnsOf(m), { rank: 5 });
    assert.deepEqual([...a.s], [...b.s]);
    assert.deepEqual([...a.u], [...b.u]);
  });
});

describe('latent semantic analysis of a domain', () => {
  // Two topics; "sailor" and "ocean" never share a window, but both share windows with "ship".
  const texts = [
    'the ship left the harbour with a sailor aboard',
    'the sailor climbed the mast of the ship',
    'a ship crossed the ocean in a storm',
    'the ocean waves rocked the ship at night',
    'the harbour master watched the ship and the mast',
    'congress passed the tax bill and the budget',
    'the budget deficit grew as tax revenue fell',
    'congress debated the deficit and the treasury',
    'the treasury collected the tax in the spring',
    'a senator in congress spoke on the budget',
  ];
  const windows = texts.map((t) => analyzeText(t));
  const space = LatentSpace.train(windows, () => 1, { dimensions: 2 });
  const [sailor, ocean, tax, budget] = ['sailor', 'ocean', 'tax', 'budget'].map((w) => analyzeText(w)[0] as string) as [string, string, string, string];

  test('When two words share contexts but never a window, then their cosine is higher than with the other topic', () => {
    assert.ok(space.similarity(sailor, ocean) > space.similarity(sailor, tax) + 0.5, `${space.similarity(sailor, ocean)} vs ${space.similarity(sailor, tax)}`);
    assert.ok(space.similarity(tax, budget) > space.similarity(tax, ocean) + 0.5);
    assert.equal(space.similarity(sailor, 'zzz'), 0);
  });

  test('When a question shares no word with a passage on its topic, then the passage is still nearer than the other topic', () => {
    const question = space.embed(analyzeText('sailor ocean'), () => 1);
    const dense = new DenseWindows(space.dimensions);
    windows.forEach((w, id) => dense.set(id, space.embed(w, () => 1)));
    const cos = dense.cosines(question);
    // Window 4 (harbour master, mast) shares no word with the question.
    assert.ok((cos[4] as number) > (cos[8] as number) + 0.5);
    assert.ok(topIds(cos, 5).every((id) => id < 5));
  });
});

describe('dense window scan', () => {
  test('When the n largest are asked for, then they come largest first, ties by id, holes at 0', () => {
    assert.deepEqual(topIds(Float32Array.from([0.1, 0.9, 0.5, 0.9, 0.2]), 3), [1, 3, 2]);
    assert.deepEqual(topIds(Float32Array.from([0.1]), 0), []);
    const dense = new DenseWindows(2);
    dense.set(0, Float32Array.from([1, 0]));
    dense.set(2, Float32Array.from([0, 1]));
    dense.delete(0);
    assert.deepEqual([...dense.cosines(Float32Array.from([0.6, 0.8]))].map((x) => Math.round(x * 10) / 10), [0, 0, 0.8]);
    assert.throws(() => dense.set(1, Float32Array.from([1, 0, 0])), /3 dimensions, need 2/);
  });
});

describe('lexical engine with the dense channel', () => {
  const file = (source: string, text: string): SourceFile => ({ source, lines: splitLines(text), tokens: Math.ceil(text.length / 4) });
  const ctx = (files: SourceFile[]): DomainContext => ({ domain: 'harbor', root: '/x', sources: files, totalLines: files.reduce((n, f) => n + f.lines.length, 0), tokens: 1 });
  const folder = Array.from({ length: 6 }, (_, i) =>
    file(`log-${i}.txt`, `The ship left the harbour on day ${i}.\n\nThe sailor climbed the mast.\n\nCongress passed the budget and the tax bill.\n`),
  );
  const note = file('notes/key.md', 'The spare key of the lighthouse is hidden under the blue anchor.\n');
  const question = { question: 'Where is the spare key of the lighthouse hidden?', topK: 3, conversation: [] };

  test('When a note is written and removed, then it folds into the trained space and leaves it again', async () => {
    for (const dense of ['lsa', 'word-vectors'] as const) {
      const engine = LexicalEngine.build(ctx(folder), { dense });
      engine.updateWritten({ upserted: [note], removed: [] });
      assert.equal((await engine.answer(question)).citations[0]?.source, 'notes/key.md', dense);
      engine.updateWritten({ upserted: [], removed: ['notes/key.md'] });
      assert.ok((await engine.answer(question)).citations.every((c) => c.source !== 'notes/key.md'), dense);
    }
  });

  test('When the dense channel is on, then scores stay in [0, 1] and topK k is a prefix of a larger topK', async () => {
    const engine = LexicalEngine.build(ctx(folder), { dense: 'lsa', denseWeight: 0.3, denseRankWeight: 0.5 });
    const q = { question: 'Which sailor climbed the mast of the ship?', conversation: [] };
    const five = await engine.answer({ ...q, topK: 5 });
    const two = await engine.answer({ ...q, topK: 2 });
    assert.ok(five.citations.every((c) => c.score >= 0 && c.score <= 1));
    assert.deepEqual(two.citations, five.citations.slice(0, 2));
  });
});
