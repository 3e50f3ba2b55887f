import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LOW_CONFIDENCE_NOTE, renderAnswer } from '../../services/cli/commands/client-commands.js';
import type { QueryResponse } from '../../shared/api/query.js';
import { EMPTY_USAGE } from '../../shared/queues/schemas.js';
import { NOTHING_FOUND } from '../../services/coordinator/domain/merge.js';

function response(overrides: Partial<QueryResponse> = {}): QueryResponse {
  return {
    id: 'q_abcdefgh12',
    answer: 'Ships sail at dawn. [sea/ships.txt:7-8]',
    confidence: 'high',
    citations: [
      { shard: 'sea', source: 'ships.txt', line: 7, endLine: 8, text: 'The ships sail\nat dawn.', score: 0.876, confidence: 'high' },
      { shard: 'law', source: 'maritime/contracts.md', line: 3, endLine: 3, text: 'A charter binds.', score: 0.5, confidence: 'high' },
    ],
    shards: [
      { shard: 'sea', status: 'ok', latencyMs: 12.4 },
      { shard: 'law', status: 'ok', latencyMs: 8 },
    ],
    latencyMs: 15.5,
    usage: { ...EMPTY_USAGE },
    ...overrides,
  };
}

describe('renderAnswer', () => {
  test('When the answer has citations, then it prints the answer, each numbered citation with its score and text, the shards and the query id', () => {
    assert.equal(
      renderAnswer(response()),
      [
        'Ships sail at dawn. [sea/ships.txt:7-8]',
        '',
        'Confidence: high',
        '',
        'Citations:',
        '  [1] sea/ships.txt:7-8  (score 0.88, confidence high)',
        '      The ships sail',
        '      at dawn.',
        '  [2] law/maritime/contracts.md:3  (score 0.50, confidence high)',
        '      A charter binds.',
        '',
        'Shards: sea ok 12ms, law ok 8ms',
        'Query q_abcdefgh12 answered in 16 ms',
      ].join('\n'),
    );
  });

  test('When the evidence is weak (confidence low), then a warning line comes first and each citation shows its confidence', () => {
    const out = renderAnswer(
      response({
        confidence: 'low',
        citations: [{ shard: 'sea', source: 'ships.txt', line: 7, endLine: 8, text: 'The ships sail\nat dawn.', score: 0.2, confidence: 'low' }],
      }),
    );
    assert.ok(out.startsWith(`${LOW_CONFIDENCE_NOTE}\n\nShips sail at dawn.`));
    assert.match(out, /^Confidence: low$/m);
    assert.match(out, /\(score 0\.20, confidence low\)/);
  });

  test('When nothing was found, then there is no citations section', () => {
    const out = renderAnswer(response({ answer: NOTHING_FOUND, confidence: 'none', citations: [] }));
    assert.ok(out.startsWith(`${NOTHING_FOUND}\n`));
    assert.ok(!out.includes('Citations:'));
    assert.match(out, /^Shards: sea ok 12ms, law ok 8ms$/m);
  });

  test('When a shard failed or timed out, then its status and error are shown', () => {
    const out = renderAnswer(
      response({
        shards: [
          { shard: 'sea', status: 'ok', latencyMs: 12.4 },
          { shard: 'law', status: 'error', latencyMs: 3.6, error: 'engine crashed' },
          { shard: 'art', status: 'timeout', latencyMs: 10_000 },
        ],
      }),
    );
    assert.match(out, /^Shards: sea ok 12ms, law error 4ms \(engine crashed\), art timeout 10000ms$/m);
  });

  test('When latencies are fractional, then they are rounded to whole milliseconds', () => {
    const out = renderAnswer(response({ latencyMs: 0.4, shards: [{ shard: 'sea', status: 'ok', latencyMs: 1.5 }] }));
    assert.match(out, /^Shards: sea ok 2ms$/m);
    assert.match(out, /^Query q_abcdefgh12 answered in 0 ms$/m);
  });
});
