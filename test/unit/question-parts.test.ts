import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { combineOutcomes, combineParts, partQueryId, questionParts } from '../../services/coordinator/domain/question-parts.js';
import { EMPTY_USAGE } from '../../shared/queues/schemas.js';
import type { Confidence, MergedCitation } from '../../shared/api/query.js';
import type { Merged } from '../../services/coordinator/domain/merge.js';

const cite = (shard: string, line: number, score: number): MergedCitation => ({ shard, source: 'a.txt', line, endLine: line, text: `line ${line}`, score, confidence: 'high' });
const merged = (citations: MergedCitation[], answer: string, confidence: Confidence = 'high'): Merged => ({ answer, confidence, citations, usage: { ...EMPTY_USAGE, inputTokens: 1 } });

describe('two-part questions', () => {
  test('When a question joins two questions with "and" and a question word, then it has two parts', () => {
    assert.deepEqual(questionParts('Which island was Queequeg a native of, and what did his coffin become at the end?'), [
      'Which island was Queequeg a native of',
      'what did his coffin become at the end?',
    ]);
    assert.deepEqual(questionParts('When was the Department of Agriculture organized; and in which year was the bank chartered?'), [
      'When was the Department of Agriculture organized',
      'in which year was the bank chartered?',
    ]);
    assert.deepEqual(questionParts('Where does the Gull Island ferry stop? How much are tickets for adults?'), ['Where does the Gull Island ferry stop?', 'How much are tickets for adults?']);
  });

  test('When a part would be too thin to ask alone, or "and" joins nouns, then the question is asked whole', () => {
    const compass = 'Who adjusted the compass in the binnacle, and what did he charge?';
    assert.deepEqual(questionParts(compass), [compass]);
    const nouns = 'What was said about the cession of Alaska by Russia and the transfer of Louisiana by France?';
    assert.deepEqual(questionParts(nouns), [nouns]);
    assert.deepEqual(questionParts('Where is the ferry? And when?'), ['Where is the ferry? And when?']);
    const many = 'Who is he? What is this? Where is that ship? When did it sail?';
    assert.deepEqual(questionParts(many), [many], 'more than three parts: asked whole');
  });

  test('When parts are combined, then citations interleave by rank in question order, a stretch cited once, usage summed', () => {
    const a = merged([cite('harbor', 3, 0.5), cite('harbor', 9, 0.45), cite('harbor', 20, 0.4)], 'A answer');
    const b = merged([cite('kitchen', 5, 0.9), cite('harbor', 9, 0.3)], 'B answer');
    const out = combineParts([{ question: 'a?', merged: a }, { question: 'b?', merged: b }], 4);
    assert.deepEqual(out.citations.map((c) => `${c.shard}:${c.line}`), ['harbor:3', 'kitchen:5', 'harbor:9', 'harbor:20']);
    assert.equal(out.answer, 'A answer\n\nB answer');
    assert.equal(out.confidence, 'high');
    assert.equal(out.usage.inputTokens, 2);
    const byScore = combineParts([{ question: 'a?', merged: a }, { question: 'b?', merged: b }], 2, 'score');
    assert.deepEqual(byScore.citations.map((c) => `${c.shard}:${c.line}`), ['kitchen:5', 'harbor:3']);
  });

  test('When one part finds nothing, then the answer says which, and confidence is low; none only when no part found anything', () => {
    const a = merged([cite('harbor', 3, 0.5)], 'A answer');
    const none = merged([], 'Nothing in memory answers this question.', 'none');
    const out = combineParts([{ question: 'Who is the captain?', merged: a }, { question: 'what is the wifi password?', merged: none }], 5);
    assert.equal(out.confidence, 'low');
    assert.equal(out.answer, 'A answer\n\nNothing in memory answers "what is the wifi password?".');
    assert.equal(combineParts([{ question: 'x?', merged: none }, { question: 'y?', merged: none }], 5).confidence, 'none');
    const low = merged([cite('kitchen', 5, 0.2)], 'B answer', 'low');
    assert.equal(combineParts([{ question: 'x?', merged: a }, { question: 'y?', merged: low }], 5).confidence, 'low');
  });

  test('When parts ask the same shard, then each job has its own id and the shard one outcome, the worst or slowest', () => {
    assert.equal(partQueryId('q_abcdefgh12345678', 0), 'q_abcdefgh12345678');
    assert.equal(partQueryId('q_abcdefgh12345678', 1), 'q_abcdefgh12345678_2');
    const outcomes = combineOutcomes([
      [{ shard: 'harbor', status: 'ok', latencyMs: 5 }, { shard: 'kitchen', status: 'ok', latencyMs: 9 }],
      [{ shard: 'harbor', status: 'ok', latencyMs: 7 }, { shard: 'kitchen', status: 'timeout', latencyMs: 0, error: 'late' }],
    ]);
    assert.deepEqual(outcomes, [{ shard: 'harbor', status: 'ok', latencyMs: 7 }, { shard: 'kitchen', status: 'timeout', latencyMs: 0, error: 'late' }]);
  });
});
