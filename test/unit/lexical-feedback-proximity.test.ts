import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { feedbackTerms } from '../../services/shard/engines/lexical/pseudo-relevance.js';
import { spanCoverage } from '../../services/shard/engines/lexical/proximity.js';

describe('pseudo-relevance feedback terms', () => {
  const idf = (term: string): number => (term === 'common' ? 0.1 : 2);

  test('When the best windows share a rare term, then it is the top feedback term and question terms are left out', () => {
    const terms = feedbackTerms(
      [
        { terms: ['lay', 'ishmael', 'common', 'share'], score: 10 },
        { terms: ['lay', 'common', 'peleg'], score: 5 },
      ],
      new Set(['ishmael']),
      idf,
      3,
    );
    assert.equal(terms[0]?.term, 'lay');
    assert.equal(terms[0]?.weight, 1);
    assert.ok(terms.every((t) => t.term !== 'ishmael' && t.weight > 0 && t.weight <= 1));
    assert.equal(terms.length, 3);
    assert.ok(!terms.some((t) => t.term === 'common'), 'a word every window uses loses on IDF');
  });

  test('When no window scored, then there is no feedback', () => {
    assert.deepEqual(feedbackTerms([{ terms: ['a'], score: 0 }], new Set(), idf, 5), []);
  });
});

describe('proximity span coverage', () => {
  const idf = (): number => 1;
  const concept = (term: string) =>
    term === 'whale' || term === 'white' ? { concept: term, weight: 1 } : term === 'leviathan' ? { concept: 'whale', weight: 0.3 } : undefined;

  test('When both question words are within the span, then coverage is full; when they are farther apart, it is half', () => {
    const near = ['white', 'x', 'whale'];
    const far = ['white', 'x', 'x', 'x', 'x', 'whale'];
    assert.equal(spanCoverage(near, 4, concept, idf, 2), 1);
    assert.equal(spanCoverage(far, 4, concept, idf, 2), 0.5);
  });

  test('When only a synonym stands in for a word, then it counts at its weight', () => {
    assert.equal(spanCoverage(['white', 'leviathan'], 4, concept, idf, 2), (1 + 0.3) / 2);
  });
});
