import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { DomainContext } from '../../services/shard/domain/domain-context.js';
import { loadDomainContext } from '../../services/shard/domain/load-domain.js';
import type { EngineAnswer } from '../../services/shard/engines/engine.js';
import { LexicalEngine, NO_MATCH_ANSWER } from '../../services/shard/engines/lexical/lexical-engine.js';
import { CitationSchema, EMPTY_USAGE } from '../../shared/queues/schemas.js';

const FACT = "The lighthouse keeper's cat is named Orville.";
const FACT_LINE = 17;

/** Harbour-log filler: one sentence a line, none mentioning cats, names or backups. */
function filler(count: number, seed: number): string[] {
  const chores = ['painted the railings', 'checked the fog horn', 'logged the tide', 'mended a rope', 'swept the stairs'];
  const weather = ['calm weather', 'rough weather', 'foggy weather', 'clear weather'];
  return Array.from({ length: count }, (_, i) => {
    const n = seed + i;
    return `On day ${n} the crew ${chores[n % chores.length]} in ${weather[n % weather.length]}.`;
  });
}

function animalsFile(): string {
  const lines = filler(30, 1);
  lines[FACT_LINE - 1] = FACT;
  lines[FACT_LINE - 2] = ''; // a paragraph break just before the fact
  return `${lines.join('\n')}\n`;
}

const GUIDE = [
  '# Operations guide',
  '',
  'This guide covers the nightly routines of the harbour office.',
  '',
  'The backup job runs every night at 02:30 UTC and copies the ledgers',
  'to the archive bucket named harbour-archive.',
  '',
  ...filler(12, 100),
].join('\n');

function assertCitationsAreExact(ctx: DomainContext, result: EngineAnswer): void {
  for (const c of result.citations) {
    CitationSchema.parse(c);
    const file = ctx.sources.find((s) => s.source === c.source);
    assert.ok(file, `unknown source ${c.source}`);
    assert.equal(c.text, file.lines.slice(c.line - 1, c.endLine).join('\n'), `${c.source}:${c.line}-${c.endLine}`);
  }
}

describe('LexicalEngine', () => {
  let dir: string;
  let ctx: DomainContext;
  let engine: LexicalEngine;
  const ask = (question: string, topK = 5): Promise<EngineAnswer> => engine.answer({ question, topK, conversation: [] });

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'memfleet-lexical-'));
    const domain = path.join(dir, 'harbour');
    await mkdir(path.join(domain, 'notes'), { recursive: true });
    await writeFile(path.join(domain, 'notes', 'animals.txt'), animalsFile());
    await writeFile(path.join(domain, 'guide.md'), GUIDE);
    await writeFile(path.join(domain, 'log.txt'), `${filler(60, 200).join('\n')}\n`);
    ctx = await loadDomainContext(dir, 'harbour', { maxTokens: 200_000 });
    engine = LexicalEngine.build(ctx);
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('When a question names a fact, then the top citation points at its line', async () => {
    const result = await ask('What is the name of the lighthouse keeper’s cat?');
    const top = result.citations[0];
    assert.ok(top);
    assert.equal(top.source, 'notes/animals.txt');
    assert.equal(top.line, FACT_LINE);
    assert.equal(top.endLine, FACT_LINE);
    assert.equal(top.text, FACT);
  });

  test('When a question names a fact, then the answer quotes the sentence that holds it', async () => {
    const result = await ask('What is the lighthouse cat called?');
    assert.ok(result.answer.includes('Orville'), result.answer);
    assert.ok(result.answer.length <= 600);
  });

  test('When the question uses other word forms, then stemming still finds the fact', async () => {
    const result = await ask('cats named');
    assert.equal(result.citations[0]?.source, 'notes/animals.txt');
    assert.equal(result.citations[0]?.line, FACT_LINE);
  });

  test('When a sentence runs over two lines, then the citation spans both lines and quotes them exactly', async () => {
    const result = await ask('When does the backup job copy the ledgers?');
    const top = result.citations[0];
    assert.ok(top);
    assert.equal(top.source, 'guide.md');
    assert.deepEqual([top.line, top.endLine], [5, 6]);
    assertCitationsAreExact(ctx, result);
  });

  test('When citations are returned, then each text is exactly the cited lines of the loaded file', async () => {
    for (const question of ['lighthouse cat', 'foggy weather fog horn', 'archive bucket', 'tide rope stairs']) {
      assertCitationsAreExact(ctx, await ask(question, 10));
    }
  });

  test('When citations are returned, then scores lie in [0, 1] and are sorted best first', async () => {
    const result = await ask('crew checked the fog horn in foggy weather', 10);
    assert.ok(result.citations.length > 1);
    const scores = result.citations.map((c) => c.score);
    for (const s of scores) assert.ok(s >= 0 && s <= 1, `score ${s}`);
    assert.deepEqual(scores, [...scores].sort((a, b) => b - a));
  });

  test('When a question matches only some of its rare terms, then it scores below a full match', async () => {
    const full = await ask('lighthouse cat Orville');
    const partial = await ask('lighthouse cat Bartholomew');
    assert.ok((partial.citations[0]?.score ?? 0) < (full.citations[0]?.score ?? 0));
  });

  test('When many windows match, then no two citations of one source overlap', async () => {
    const result = await ask('weather', 20);
    assert.ok(result.citations.length > 5);
    for (const [i, a] of result.citations.entries()) {
      for (const b of result.citations.slice(i + 1)) {
        if (a.source !== b.source) continue;
        assert.ok(a.endLine < b.line || b.endLine < a.line, `${a.source}:${a.line}-${a.endLine} overlaps ${b.line}-${b.endLine}`);
      }
    }
  });

  test('When topK is small, then at most topK citations come back', async () => {
    assert.equal((await ask('weather', 2)).citations.length, 2);
    assert.equal((await ask('weather', 1)).citations.length, 1);
  });

  test('When the question holds only stop words, then there are no citations and the answer says so', async () => {
    const result = await ask('What is it that they were doing there?');
    assert.deepEqual(result.citations, []);
    assert.equal(result.answer, NO_MATCH_ANSWER);
  });

  test('When nothing in the domain matches, then there are no citations and the answer says so', async () => {
    const result = await ask('quantum chromodynamics lattice');
    assert.deepEqual(result.citations, []);
    assert.equal(result.answer, NO_MATCH_ANSWER);
  });

  test('When the engine answers, then it reports no usage because it runs offline', async () => {
    const result = await ask('lighthouse cat');
    assert.deepEqual(result.usage, EMPTY_USAGE);
    assert.equal(engine.name, 'lexical');
  });

  test('When the signal is already aborted, then answering rejects', async () => {
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(engine.answer({ question: 'cat', topK: 1, conversation: [] }, controller.signal));
  });

  test('When top terms are asked for, then they are frequent domain words without stop words', () => {
    const terms = engine.topTerms(10);
    assert.equal(terms.length, 10);
    assert.ok(terms.includes('weather'), terms.join(' '));
    for (const stop of ['the', 'in', 'on']) assert.ok(!terms.includes(stop));
    assert.deepEqual(engine.topTerms(3), terms.slice(0, 3));
  });
});
