import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';

import { loadQuestions } from '../../eval/question-set.js';
import { brownDocument, brownParagraphs, joinWords, stripTag, untagLine } from '../../scripts/outside/brown-text.js';
import { sampleTitle } from '../../scripts/outside/build.js';

const QUESTIONS = fileURLToPath(new URL('../../eval/outside/questions.json', import.meta.url));

describe('outside question set (eval/outside/questions.json)', () => {
  const questions = loadQuestions(QUESTIONS);
  const count = (kind: string): number => questions.filter((q) => q.kind === kind).length;

  test('When the file is loaded, then it has at least 110 questions, all with ids prefixed out-', () => {
    assert.ok(questions.length >= 110, `only ${questions.length} questions`);
    for (const q of questions) assert.match(q.id, /^out-/);
  });

  test('When the kinds are counted, then they are about 70 paraphrase, 20 lexical, 15 unanswerable and 4-6 multi', () => {
    assert.ok(count('paraphrase') >= 65 && count('paraphrase') <= 80, `paraphrase ${count('paraphrase')}`);
    assert.ok(count('lexical') >= 18 && count('lexical') <= 25, `lexical ${count('lexical')}`);
    assert.ok(count('unanswerable') >= 13 && count('unanswerable') <= 18, `unanswerable ${count('unanswerable')}`);
    assert.ok(count('multi') >= 4 && count('multi') <= 6, `multi ${count('multi')}`);
    assert.equal(count('planted'), 0);
  });

  test('When answerable questions are listed, then they cover all four domains and no file more than twice', () => {
    const shards = new Set(questions.flatMap((q) => q.expect.map((e) => e.shard)));
    assert.deepEqual([...shards].sort(), ['fiction', 'hobbies', 'learned', 'press']);
    const perFile = new Map<string, number>();
    for (const q of questions) {
      for (const e of q.expect) perFile.set(`${e.shard}/${e.source}`, (perFile.get(`${e.shard}/${e.source}`) ?? 0) + 1);
    }
    for (const [file, n] of perFile) assert.ok(n <= 2, `${file} is used by ${n} questions`);
  });

  test('When a question is unanswerable, then it expects nothing and has no answer terms', () => {
    for (const q of questions.filter((x) => x.kind === 'unanswerable')) {
      assert.deepEqual(q.expect, []);
      assert.deepEqual(q.answerTerms, []);
    }
  });
});

describe('Brown corpus text reconstruction (scripts/outside/brown-text.ts)', () => {
  test('When a tagged sentence with quotes is untagged, then it reads as plain text', () => {
    assert.equal(untagLine("The/at jury/nn said/vbd ``/`` no/at evidence/nn ''/'' ./."), 'The jury said "no evidence".');
  });

  test('When a word holds slashes, then only the tag after the last slash is removed', () => {
    assert.equal(stripTag('1/2/cd'), '1/2');
    assert.equal(stripTag('and/or/cc'), 'and/or');
    assert.equal(stripTag('jury/nn'), 'jury');
    assert.equal(stripTag('untagged'), 'untagged');
  });

  test('When punctuation and brackets are joined, then there is no space before , . ; : ? ! ) or after (', () => {
    assert.equal(joinWords(['On', 'matters', ',', 'it', 'said', ':', '(', '1', ')', 'yes', ';', 'no', '?', 'go', '!']), 'On matters, it said: (1) yes; no? go!');
    assert.equal(joinWords(['it', "'s", 'is', "n't"]), "it's isn't");
    assert.equal(joinWords(['a', '1/4\'\'', 'pipe']), 'a 1/4" pipe');
  });

  test('When a sample has blank-line paragraphs, tab starts and a headline, then each becomes its own paragraph', () => {
    const raw = '\n\n\tThe/at jury/nn said/vbd ./.\nIt/pps agreed/vbd ./.\n\n\nMerger/nn-hl proposed/vbn-hl\n\tHowever/rb ,/, no/at ./.\n';
    assert.deepEqual(brownParagraphs(raw), ['The jury said. It agreed.', 'Merger proposed', 'However, no.']);
  });

  test('When a document is rendered, then it has the title, a blank line and paragraphs wrapped at the width', () => {
    const raw = `\t${Array.from({ length: 30 }, (_, i) => `word${i}/nn`).join(' ')} ./.\n\n\tEnd/nn ./.\n`;
    const doc = brownDocument(sampleTitle('ca01'), raw, 78);
    const lines = doc.split('\n');
    assert.equal(lines[0], 'Brown corpus sample ca01 (press: reportage)');
    assert.equal(lines[1], '');
    for (const line of lines) assert.ok(line.length <= 78, `too long: ${line}`);
    assert.ok(doc.endsWith('\n\nEnd.\n'));
    assert.equal(brownDocument(sampleTitle('ca01'), raw, 78), doc);
  });
});
