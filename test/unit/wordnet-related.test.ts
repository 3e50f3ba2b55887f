import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedWordNet } from '../../services/shard/engines/lexical/wordnet.js';
import { narrowToSentences } from '../../services/shard/engines/lexical/narrow-to-sentences.js';

describe('WordNet related words', () => {
  test('When a word has a hypernym, then related() includes it and not the word itself', () => {
    const related = sharedWordNet().related('chowder');
    assert.ok(related.includes('soup'), `related(chowder) = ${related.join(', ')}`);
    assert.ok(!related.includes('chowder'));
  });

  test('When a word has hyponyms, then related() includes a direct one', () => {
    const related = sharedWordNet().related('jewelry');
    assert.ok(related.includes('earring'), `related(jewelry) = ${related.join(', ')}`);
  });

  test('When a word is not in WordNet, then related() is empty', () => {
    assert.deepEqual(sharedWordNet().related('kubernetes'), []);
  });

  test('When a word is defined, then glossWords() holds its definition\'s words and not its examples', () => {
    const gloss = sharedWordNet().glossWords('limb');
    assert.ok(gloss.includes('leg') && gloss.includes('arm'), `glossWords(limb) = ${gloss.join(', ')}`);
    assert.ok(!gloss.includes('limb'));
    // lookout: "…an elevated post affording a wide view"; its example sentence is left out.
    assert.ok(sharedWordNet().glossWords('lookout').includes('elevated'));
    assert.deepEqual(sharedWordNet().glossWords('kubernetes'), []);
  });
});

describe('narrowToSentences with expansions', () => {
  const lines = ['The nightly routines are listed below.', '', 'The backup job copies the ledgers.'];
  const idf = (term: string): number => (term === 'routin' ? 0.2 : 1);

  test('When a sentence only adds an expansion of a question term already covered, then the span does not grow over it', () => {
    const span = narrowToSentences(lines, { startLine: 1, endLine: 3 }, new Set(['job', 'ledger', 'routin']), idf, (t) => (t === 'routin' ? 'job' : t));
    assert.deepEqual([span.line, span.endLine], [3, 3]);
  });

  test('When every term is its own concept, then a sentence with a new term still joins the span', () => {
    const span = narrowToSentences(lines, { startLine: 1, endLine: 3 }, new Set(['job', 'ledger', 'routin']), idf);
    assert.deepEqual([span.line, span.endLine], [1, 3]);
  });
});
