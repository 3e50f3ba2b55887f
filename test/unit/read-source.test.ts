import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MAX_READ_BYTES, MAX_READ_LINES, ReadResultSchema, type ReadJob, type Unaddressed } from '../../shared/queues/schemas.js';
import type { DomainContext } from '../../services/shard/domain/domain-context.js';
import { answerRead, indexSources } from '../../services/shard/worker/handle-read.js';

function context(files: Record<string, string[]>): DomainContext {
  const sources = Object.entries(files)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([source, lines]) => ({ source, lines, tokens: lines.length * 3 }));
  return { domain: 'd', root: '/nowhere', sources, totalLines: sources.reduce((n, s) => n + s.lines.length, 0), tokens: 0 };
}

const who = { shard: 'd', replica: 'r1' };
const lines = (source: string, line: number, endLine: number): Unaddressed<ReadJob> => ({ op: 'lines', requestId: 'r_unittest01', deadline: Date.now() + 1000, source, line, endLine });
const numbered = (n: number, width = 10) => Array.from({ length: n }, (_, i) => `line ${i + 1} `.padEnd(width, 'x'));

describe('answerRead (a shard reading its own sources)', () => {
  const index = indexSources(context({ 'a.txt': numbered(20), 'sub/b.md': numbered(3), 'empty.md': [] }));

  test('When a range inside the file is asked, then exactly those lines come back', () => {
    const res = answerRead(index, lines('a.txt', 3, 5), who);
    assert.equal(res.op, 'lines');
    assert.deepEqual(res.op === 'lines' && res.lines, numbered(20).slice(2, 5));
    assert.equal(res.op === 'lines' && res.endLine, 5);
    assert.ok(ReadResultSchema.safeParse(res).success);
  });

  test('When endLine is past the end or before line, then the range is clamped, not refused', () => {
    const past = answerRead(index, lines('a.txt', 18, 99), who);
    assert.equal(past.op === 'lines' && past.endLine, 20);
    assert.equal(past.op === 'lines' && past.truncated, false);
    const backwards = answerRead(index, lines('a.txt', 7, 2), who);
    assert.deepEqual(backwards.op === 'lines' && [backwards.line, backwards.endLine], [7, 7]);
  });

  test('When line is past the end, then the answer is out_of_range naming the file length', () => {
    const res = answerRead(index, lines('a.txt', 21, 22), who);
    assert.equal(res.op, 'error');
    assert.equal(res.op === 'error' && res.code, 'out_of_range');
    assert.match(res.op === 'error' ? res.message : '', /20 lines/);
  });

  test('When the source is not one of the loaded files, then it is unknown, whatever path tricks it holds', () => {
    for (const source of ['b.md', '../a.txt', './a.txt', 'sub//b.md', '/a.txt', 'A.TXT']) {
      const res = answerRead(index, lines(source, 1, 1), who);
      assert.equal(res.op === 'error' && res.code, 'unknown_source', source);
    }
    assert.equal(answerRead(index, lines('sub/b.md', 1, 3), who).op, 'lines');
  });

  test('When a file is empty, then an empty range comes back', () => {
    const res = answerRead(index, lines('empty.md', 1, 10), who);
    assert.deepEqual(res.op === 'lines' && [res.lines.length, res.totalLines], [0, 0]);
  });

  test('When more than MAX_READ_LINES are asked, then the result is capped and says so', () => {
    const big = indexSources(context({ 'big.txt': numbered(MAX_READ_LINES + 100) }));
    const res = answerRead(big, lines('big.txt', 1, MAX_READ_LINES + 100), who);
    assert.equal(res.op === 'lines' && res.lines.length, MAX_READ_LINES);
    assert.equal(res.op === 'lines' && res.truncated, true);
    assert.ok(ReadResultSchema.safeParse(res).success);
  });

  test('When lines are very long, then the result stays under MAX_READ_BYTES and says it was cut', () => {
    const wide = indexSources(context({ 'wide.txt': numbered(100, 4000) }));
    const res = answerRead(wide, lines('wide.txt', 1, 100), who);
    assert.equal(res.op, 'lines');
    assert.ok(Buffer.byteLength(JSON.stringify(res)) < MAX_READ_BYTES + 4096);
    assert.ok(res.op === 'lines' && res.lines.length < 100 && res.truncated);
    assert.equal(res.op === 'lines' && res.endLine, res.op === 'lines' ? res.line + res.lines.length - 1 : 0);
  });

  test('When the sources are listed, then every file comes with its line count, in order', () => {
    const res = answerRead(index, { op: 'sources', requestId: 'r_unittest02', deadline: Date.now() + 1000 }, who);
    assert.equal(res.op, 'sources');
    assert.deepEqual(res.op === 'sources' && res.sources.map((s) => [s.source, s.lines]), [['a.txt', 20], ['empty.md', 0], ['sub/b.md', 3]]);
    assert.equal(res.op === 'sources' && res.truncated, false);
  });
});
