/** The compact word vectors shipped for the semantic options of the lexical engine (off by default; docs/quality.md). */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DomainNeighbours } from '../../services/shard/engines/lexical/semantic/domain-neighbours.js';
import { cosine, textVector } from '../../services/shard/engines/lexical/semantic/text-vector.js';
import { sharedWordVectors } from '../../services/shard/engines/lexical/semantic/word-vectors.js';

describe('compact word vectors', () => {
  const vectors = sharedWordVectors();

  test('When the shipped file is read, then it holds 40,000 words and related words are closer than unrelated ones', () => {
    assert.equal(vectors.size, 40_000);
    assert.ok(vectors.cosine('captain', 'skipper') > vectors.cosine('captain', 'banana') + 0.3);
    assert.ok(vectors.cosine('debt', 'deficit') > vectors.cosine('debt', 'whale') + 0.3);
    assert.equal(vectors.cosine('captain', 'zzzqqq'), 0);
  });

  test('When a domain is indexed, then a question word finds the domain terms used in a similar sense, not itself', () => {
    const spellings = new Map([
      ['skipper', new Map([['skipper', 3]])],
      ['banana', new Map([['banana', 2]])],
      ['sailor', new Map([['sailors', 4], ['sailor', 1]])],
    ]);
    const neighbours = DomainNeighbours.build(spellings, vectors);
    const near = neighbours.nearest(vectors.vector('captain')!, 5, 0.4, (t) => t === 'captain');
    assert.deepEqual(near.map((n) => n.term).slice(0, 1), ['skipper']);
    assert.ok(!near.some((n) => n.term === 'banana'));
  });

  test('When two texts say the same thing in other words, then their vectors are closer than an unrelated text', () => {
    const idf = () => 1;
    const q = textVector('how do we swap out the signing keys', vectors, idf);
    const same = textVector('to replace a key, list the new one second', vectors, idf);
    const other = textVector('the whale breached beside the boat at dawn', vectors, idf);
    assert.ok(cosine(q, same) > cosine(q, other));
  });
});
