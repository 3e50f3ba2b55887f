import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeText, tokenize } from '../../shared/text/text-analysis.js';
import { LexicalEngine } from '../../services/shard/engines/lexical/lexical-engine.js';
import { domain } from '../helpers/in-memory-domain.js';

describe('text analysis: numbers', () => {
  test('When a number has decimals, dots or thousands separators, then it stays one term', () => {
    assert.deepEqual(analyzeText('Enable TLS 1.3 on 10.0.0.1, not 1.2.'), ['enabl', 'tl', '1.3', '10.0.0.1', '1.2']);
    assert.deepEqual(analyzeText('It cost $1,300,000 in 1812.'), ['cost', '1300000', '1812']);
    assert.deepEqual(analyzeText('$1.3 billion'), ['1.3', '1000000000']);
  });

  test('When digits are separated otherwise, then they stay apart as before', () => {
    assert.deepEqual(tokenize('1,2,3 and 2024-01-31 and 12,50'), ['1', '2', '3', 'and', '2024', '01', '31', 'and', '12', '50']);
    assert.deepEqual(tokenize('version 1.3b'), ['version', '1', '3b']);
  });

  test('When a number is written as a word, then its term is the digits', () => {
    assert.deepEqual(analyzeText('fourteen years'), analyzeText('14 years'));
    assert.deepEqual(analyzeText('the first hundred days'), ['first', '100', 'dai']);
    assert.deepEqual(analyzeText('a dozen'), ['12']);
  });

  test('When a word only looks like a number (an ordinal, a unit), then it is not one', () => {
    assert.deepEqual(analyzeText('second first'), ['second', 'first']);
  });
});

describe('retrieval with numbers', () => {
  const ctx = domain('ops', {
    'tls.md': ['# TLS', '', 'The proxy speaks TLS 1.3 since March.', 'Its logs are kept for 7 days.'],
    'budget.md': ['# Budget', '', 'We spent 1 day and 3 engineers on the move.', 'Retention is fourteen days for snapshots.'],
  });

  test('When a question names a version, then only the passage with that version matches it', async () => {
    const engine = LexicalEngine.build(ctx);
    const answer = await engine.answer({ question: 'Which release 1.3 is enabled?', topK: 5, conversation: [] });
    assert.equal(answer.citations[0]?.source, 'tls.md');
    assert.ok(!answer.citations.some((c) => c.source === 'budget.md'), 'the "1" and "3" of another passage are not "1.3"');
  });

  test('When a question gives a number in digits and the text spells it out, then they meet', async () => {
    const engine = LexicalEngine.build(ctx);
    const answer = await engine.answer({ question: 'What is kept for 14 days?', topK: 5, conversation: [] });
    assert.equal(answer.citations[0]?.source, 'budget.md');
    assert.equal(answer.citations[0]?.line, 4);
  });
});
