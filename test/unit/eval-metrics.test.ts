import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  citationMatches,
  containsAllTerms,
  hitAt,
  percentile,
  scoreQuestion,
  splitOf,
  summarize,
  thresholdCurve,
  verifyQuestion,
  type Expected,
  type Question,
} from '../../eval/metrics.js';

const fact: Expected = { shard: 'sea', source: 'ships.txt', line: 10, endLine: 12 };
const cite = (shard: string, source: string, line: number, endLine = line) => ({ shard, source, line, endLine });

function question(over: Partial<Question> = {}): Question {
  return { id: 'q', split: 'dev', kind: 'lexical', question: 'Who?', expect: [fact], answerTerms: ['Orville'], ...over };
}

describe('eval metrics: matching a citation', () => {
  test('When a citation overlaps the expected lines within ±2, then it matches, and one line further it does not', () => {
    assert.equal(citationMatches(cite('sea', 'ships.txt', 14, 20), fact), true);
    assert.equal(citationMatches(cite('sea', 'ships.txt', 1, 8), fact), true);
    assert.equal(citationMatches(cite('sea', 'ships.txt', 15, 20), fact), false);
    assert.equal(citationMatches(cite('sea', 'ships.txt', 1, 7), fact), false);
  });

  test('When the shard or the source differs, then it does not match', () => {
    assert.equal(citationMatches(cite('law', 'ships.txt', 10), fact), false);
    assert.equal(citationMatches(cite('sea', 'other.txt', 10), fact), false);
  });

  test('When an alternative range is given, then a citation of it matches too', () => {
    const withAlt: Expected = { ...fact, alt: [{ line: 100, endLine: 101 }, { source: 'log.txt', line: 5, endLine: 5 }] };
    assert.equal(citationMatches(cite('sea', 'ships.txt', 102), withAlt), true);
    assert.equal(citationMatches(cite('sea', 'log.txt', 6), withAlt), true);
    assert.equal(citationMatches(cite('sea', 'log.txt', 50), withAlt), false);
  });
});

describe('eval metrics: hit@k', () => {
  test('When the match is the second citation, then it is a hit at 3 but not at 1', () => {
    const citations = [cite('sea', 'a.txt', 1), cite('sea', 'ships.txt', 11)];
    assert.equal(hitAt(citations, [fact], 1), false);
    assert.equal(hitAt(citations, [fact], 3), true);
  });

  test('When a question needs two places, then both must be among the first k citations', () => {
    const other: Expected = { shard: 'law', source: 'acts.md', line: 3, endLine: 3 };
    assert.equal(hitAt([cite('sea', 'ships.txt', 10), cite('law', 'acts.md', 3)], [fact, other], 3), true);
    assert.equal(hitAt([cite('sea', 'ships.txt', 10), cite('sea', 'x.txt', 1), cite('sea', 'y.txt', 1), cite('law', 'acts.md', 3)], [fact, other], 3), false);
  });

  test('When nothing is expected, then nothing is a hit', () => {
    assert.equal(hitAt([cite('sea', 'ships.txt', 10)], [], 3), false);
  });
});

describe('eval metrics: scoring and summaries', () => {
  test('When a question is scored, then routing, answer terms and abstention follow the observation', () => {
    const s = scoreQuestion(question(), { id: 'q', answer: 'The cat is named  orville.', citations: [cite('sea', 'ships.txt', 11)], shardsAsked: ['sea'], latencyMs: 5 });
    assert.deepEqual([s.hit1, s.hit3, s.routed, s.termMatch, s.abstained, s.shardCalls], [true, true, true, true, false, 1]);
    const missed = scoreQuestion(question(), { id: 'q', answer: 'Nothing.', citations: [], shardsAsked: ['law'], latencyMs: 5 });
    assert.deepEqual([missed.hit3, missed.routed, missed.termMatch, missed.abstained], [false, false, false, true]);
  });

  test('When a summary is made, then hit rates count answerable questions and abstention counts unanswerable ones', () => {
    const answerable = scoreQuestion(question(), { id: 'q', answer: 'orville', citations: [cite('sea', 'ships.txt', 11)], shardsAsked: ['sea', 'law'], latencyMs: 10 });
    const silent = scoreQuestion(question({ id: 'n', kind: 'unanswerable', expect: [], answerTerms: [] }), { id: 'n', answer: 'Nothing.', citations: [], shardsAsked: [], latencyMs: 2 });
    const noisy = scoreQuestion(question({ id: 'm', kind: 'unanswerable', expect: [], answerTerms: [] }), { id: 'm', answer: 'x', citations: [cite('law', 'a', 1)], shardsAsked: ['law'], latencyMs: 4 });
    const s = summarize([answerable, silent, noisy]);
    assert.equal(s.hit3, 1);
    assert.equal(s.abstention, 0.5);
    assert.equal(s.falseAbstention, 0);
    assert.equal(s.shardCallsMean, 1);
    assert.equal(s.p50Ms, 4);
  });

  test('When percentiles are taken, then they use the nearest rank', () => {
    assert.equal(percentile([5, 1, 3, 2, 4], 50), 3);
    assert.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95), 10);
    assert.equal(percentile([], 50), 0);
  });

  test('When answer terms are compared, then case, line breaks and curly apostrophes do not matter', () => {
    assert.equal(containsAllTerms("the sperm whale’s\njaw", ["Sperm Whale's jaw"]), true);
    assert.equal(containsAllTerms('the sperm whale', ['jaw']), false);
  });

  test('When a threshold curve is computed, then questions whose best score is below it count as abstaining', () => {
    const curve = thresholdCurve(
      [
        { answerable: true, topScore: 0.9, hit3: () => true },
        { answerable: true, topScore: 0.2, hit3: () => true },
        { answerable: false, topScore: 0.3, hit3: () => false },
        { answerable: false, topScore: 0.1, hit3: () => false },
      ],
      [0, 0.25],
    );
    assert.deepEqual(curve[0], { threshold: 0, abstention: 0, falseAbstention: 0, hit3: 1 });
    assert.deepEqual(curve[1], { threshold: 0.25, abstention: 0.5, falseAbstention: 0.5, hit3: 0.5 });
  });
});

describe('eval metrics: verifying expected lines', () => {
  const files: Record<string, string[]> = { 'sea/ships.txt': Array.from({ length: 20 }, (_, i) => (i === 10 ? 'The cat is named' : i === 11 ? 'Orville, they say.' : `line ${i + 1}`)) };
  const read = (shard: string, source: string) => files[`${shard}/${source}`];

  test('When the expected lines hold the answer terms, then there is no problem', () => {
    assert.deepEqual(verifyQuestion(question(), read), []);
  });

  test('When the expected lines moved, then the problem names the range and the terms', () => {
    const problems = verifyQuestion(question({ expect: [{ ...fact, line: 1, endLine: 3 }] }), read);
    assert.ok(problems.some((p) => p.includes('sea/ships.txt:1-3') && p.includes('Orville')), problems.join('\n'));
  });

  test('When the file is missing or the range is outside it, then that is a problem', () => {
    assert.match(verifyQuestion(question({ expect: [{ ...fact, source: 'gone.txt' }] }), read).join('\n'), /no such file/);
    assert.match(verifyQuestion(question({ expect: [{ ...fact, line: 19, endLine: 25 }] }), read).join('\n'), /outside the file/);
  });

  test('When an unanswerable question expects a place, or a multi question names one shard, then that is a problem', () => {
    assert.match(verifyQuestion(question({ kind: 'unanswerable' }), read).join('\n'), /must expect nothing/);
    assert.match(verifyQuestion(question({ kind: 'multi' }), read).join('\n'), /two shards/);
  });
});

describe('eval question set: dev and test halves', () => {
  test('When a question id is hashed, then its split is fixed by the id alone and both halves occur', () => {
    assert.equal(splitOf('md1-lex-rokovoko'), splitOf('md1-lex-rokovoko'));
    const splits = new Set(Array.from({ length: 40 }, (_, i) => splitOf(`q-${i}`)));
    assert.deepEqual([...splits].sort(), ['dev', 'test']);
  });

  test('When an answer has no confidence field (the baseline), then citations count as high and none as abstaining', () => {
    const s = scoreQuestion(question(), { id: 'q', answer: 'x', citations: [cite('sea', 'ships.txt', 10)], shardsAsked: ['sea'], latencyMs: 1 });
    assert.equal(s.notHigh, false);
    assert.equal(s.firstShard, true);
    const low = scoreQuestion(question(), { id: 'q', answer: 'x', confidence: 'low', citations: [cite('law', 'ships.txt', 10)], shardsAsked: ['sea', 'law'], latencyMs: 1 });
    assert.equal(low.notHigh, true);
    assert.equal(low.firstShard, false);
  });
});
