import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { NOTHING_FOUND, addUsage, mergeReplies, type ShardReply } from '../../services/coordinator/domain/merge.js';
import { cite } from '../../shared/api/citation.js';
import type { ShardStatus } from '../../shared/api/query.js';
import { EMPTY_USAGE, type Citation, type ShardResult, type Usage } from '../../shared/queues/schemas.js';

type CitationSpec = Pick<Citation, 'source' | 'line' | 'score'> & Partial<Pick<Citation, 'endLine' | 'text'>>;

function citation(spec: CitationSpec): Citation {
  return { endLine: spec.line, text: `text of ${spec.source}:${spec.line}`, ...spec };
}

function ok(shard: string, answer: string, citations: CitationSpec[], usage: Partial<Usage> = {}): ShardReply {
  const result: ShardResult = {
    queryId: 'q_abcdefgh12',
    shard,
    replica: `${shard}-host-1`,
    engine: 'lexical',
    answer,
    citations: citations.map(citation),
    usage: { ...EMPTY_USAGE, ...usage },
    timings: { queueWaitMs: 0.4, engineMs: 1.2 },
  };
  return { outcome: { shard, status: 'ok', latencyMs: 12 }, result };
}

function failed(shard: string, status: Exclude<ShardStatus, 'ok'>, result?: ShardResult): ShardReply {
  return { outcome: { shard, status, latencyMs: 10_000, ...(status === 'error' ? { error: 'boom' } : {}) }, ...(result ? { result } : {}) };
}

const keys = (merged: ReturnType<typeof mergeReplies>) => merged.citations.map((c) => `${c.shard}/${c.source}:${c.line}`);

describe('mergeReplies: citation order', () => {
  test('When shards return citations, then they are ordered best-first across shards by score', () => {
    const merged = mergeReplies(
      [
        ok('law', 'Law says.', [
          { source: 'a.md', line: 1, score: 0.4 },
          { source: 'a.md', line: 9, score: 0.95 },
        ]),
        ok('sea', 'Sea says.', [
          { source: 'b.txt', line: 3, score: 0.7 },
          { source: 'b.txt', line: 4, score: 0.1 },
        ]),
      ],
      { topK: 10 },
    );
    assert.deepEqual(keys(merged), ['law/a.md:9', 'sea/b.txt:3', 'law/a.md:1', 'sea/b.txt:4']);
    assert.deepEqual(
      merged.citations.map((c) => c.score),
      [0.95, 0.7, 0.4, 0.1],
    );
  });

  test('When citations tie on score, then the order is the same whatever order the shards replied in (shard, source, line)', () => {
    const a = ok('alpha', 'A.', [
      { source: 'z.md', line: 5, score: 0.5 },
      { source: 'b.md', line: 7, score: 0.5 },
      { source: 'b.md', line: 2, score: 0.5 },
    ]);
    const b = ok('beta', 'B.', [{ source: 'a.md', line: 1, score: 0.5 }]);
    const expected = ['alpha/b.md:2', 'alpha/b.md:7', 'alpha/z.md:5', 'beta/a.md:1'];
    assert.deepEqual(keys(mergeReplies([a, b], { topK: 10 })), expected);
    assert.deepEqual(keys(mergeReplies([b, a], { topK: 10 })), expected);
  });

  test('When there are more citations than topK, then only the topK best are kept', () => {
    const merged = mergeReplies(
      [
        ok('law', 'Law.', [
          { source: 'a.md', line: 1, score: 0.9 },
          { source: 'a.md', line: 2, score: 0.3 },
        ]),
        ok('sea', 'Sea.', [
          { source: 'b.md', line: 1, score: 0.8 },
          { source: 'b.md', line: 2, score: 0.2 },
        ]),
      ],
      { topK: 2 },
    );
    assert.deepEqual(keys(merged), ['law/a.md:1', 'sea/b.md:1']);
  });

  test('When a citation is merged, then it carries its shard, source, lines, text, score and confidence', () => {
    const merged = mergeReplies([ok('sea', 'Sea.', [{ source: 'ships/b.txt', line: 7, endLine: 8, text: 'l7\nl8', score: 0.8 }])], { topK: 5 });
    assert.deepEqual(merged.citations, [{ shard: 'sea', source: 'ships/b.txt', line: 7, endLine: 8, text: 'l7\nl8', score: 0.8, confidence: 'high' }]);
  });

  test('When minScore is set, then citations scoring below its floor are dropped as noise', () => {
    const merged = mergeReplies(
      [
        ok('law', 'Law.', [
          { source: 'a.md', line: 1, score: 0.9 },
          { source: 'a.md', line: 2, score: 0.04 },
        ]),
        ok('sea', 'Sea.', [{ source: 'b.md', line: 1, score: 0.1 }]),
      ],
      { topK: 10, minScore: 0.1 },
    );
    assert.deepEqual(keys(merged), ['law/a.md:1', 'sea/b.md:1']);
  });

  test('When the best citation reaches minScore, then others down to minScore × floorRatio are kept', () => {
    const replies = [
      ok('law', 'Law.', [{ source: 'a.md', line: 1, score: 0.4 }]),
      ok('sea', 'Sea.', [{ source: 'b.md', line: 1, score: 0.2 }]),
    ];
    assert.deepEqual(keys(mergeReplies(replies, { topK: 10, minScore: 0.3 })), ['law/a.md:1', 'sea/b.md:1']);
    assert.deepEqual(keys(mergeReplies(replies, { topK: 10, minScore: 0.3, floorRatio: 1 })), ['law/a.md:1']);
  });

  test('When no citation reaches minScore, then nothing is found even above the floor', () => {
    const merged = mergeReplies([ok('law', 'Law.', [{ source: 'a.md', line: 1, score: 0.2 }])], { topK: 10, minScore: 0.3 });
    assert.deepEqual(merged.citations, []);
    assert.equal(merged.answer, NOTHING_FOUND);
  });

  test('When every citation is below minScore, then nothing is found', () => {
    const merged = mergeReplies([ok('law', 'Law.', [{ source: 'a.md', line: 1, score: 0.05 }])], { topK: 10, minScore: 0.1 });
    assert.deepEqual(merged.citations, []);
    assert.equal(merged.answer, NOTHING_FOUND);
  });
});

describe('mergeReplies: failed shards', () => {
  test('When a shard timed out or failed, then it contributes no citations, answer or usage', () => {
    const stray = ok('ghost', 'Ghost answer.', [{ source: 'g.md', line: 1, score: 1 }], { inputTokens: 999, costUsd: 9 }).result;
    const merged = mergeReplies(
      [
        ok('sea', 'Sea answer.', [{ source: 'b.md', line: 3, score: 0.5 }], { inputTokens: 10 }),
        failed('ghost', 'error', stray),
        failed('slow', 'timeout'),
      ],
      { topK: 5 },
    );
    assert.deepEqual(keys(merged), ['sea/b.md:3']);
    assert.equal(merged.answer, 'Sea answer. [sea/b.md:3]');
    assert.ok(!merged.answer.includes('Ghost'));
    assert.equal(merged.usage.inputTokens, 10);
    assert.equal(merged.usage.costUsd, 0);
  });

  test('When no shard found anything and some did not answer, then the "nothing found" answer names them with their status', () => {
    const merged = mergeReplies([ok('sea', '', []), failed('slow', 'timeout'), failed('broken', 'error')], { topK: 5 });
    assert.deepEqual(merged.citations, []);
    assert.ok(merged.answer.startsWith(NOTHING_FOUND), merged.answer);
    assert.ok(merged.answer.includes('slow (timeout)'), merged.answer);
    assert.ok(merged.answer.includes('broken (error)'), merged.answer);
    assert.ok(!merged.answer.includes('sea'), merged.answer);
  });

  test('When every shard answered but none found anything, then the answer is exactly NOTHING_FOUND', () => {
    assert.equal(mergeReplies([ok('sea', '', []), ok('law', 'no idea', [])], { topK: 5 }).answer, NOTHING_FOUND);
  });

  test('When there are no replies at all, then the answer is NOTHING_FOUND with empty usage', () => {
    const merged = mergeReplies([], { topK: 5 });
    assert.equal(merged.answer, NOTHING_FOUND);
    assert.deepEqual(merged.citations, []);
    assert.deepEqual(merged.usage, EMPTY_USAGE);
  });
});

describe('mergeReplies: usage', () => {
  test('When several shards report usage, then the merged usage is their sum', () => {
    const merged = mergeReplies(
      [
        ok('law', 'Law.', [{ source: 'a.md', line: 1, score: 0.9 }], { inputTokens: 100, outputTokens: 20, cacheReadTokens: 5, cacheWriteTokens: 1, costUsd: 0.25 }),
        ok('sea', '', [], { inputTokens: 50, outputTokens: 10, cacheReadTokens: 7, cacheWriteTokens: 2, costUsd: 0.5 }),
      ],
      { topK: 5 },
    );
    assert.deepEqual(merged.usage, { inputTokens: 150, outputTokens: 30, cacheReadTokens: 12, cacheWriteTokens: 3, costUsd: 0.75 });
  });

  test('When nothing is found, then usage is still summed (the tokens were spent)', () => {
    const merged = mergeReplies([ok('law', '', [], { inputTokens: 3 }), ok('sea', '', [], { inputTokens: 4 })], { topK: 5 });
    assert.equal(merged.answer, NOTHING_FOUND);
    assert.equal(merged.usage.inputTokens, 7);
  });

  test('When addUsage adds two usages, then every field is summed and neither input is changed', () => {
    const a: Usage = { inputTokens: 1, outputTokens: 2, cacheReadTokens: 3, cacheWriteTokens: 4, costUsd: 0.5 };
    const b: Usage = { inputTokens: 10, outputTokens: 20, cacheReadTokens: 30, cacheWriteTokens: 40, costUsd: 0.25 };
    assert.deepEqual(addUsage(a, b), { inputTokens: 11, outputTokens: 22, cacheReadTokens: 33, cacheWriteTokens: 44, costUsd: 0.75 });
    assert.deepEqual(a, { inputTokens: 1, outputTokens: 2, cacheReadTokens: 3, cacheWriteTokens: 4, costUsd: 0.5 });
    assert.deepEqual(addUsage(EMPTY_USAGE, a), a);
  });
});

describe('mergeReplies: answer', () => {
  test('When shards score at least 0.6 × the top, then each answer joins, best first, tagged with its best citation', () => {
    const merged = mergeReplies(
      [
        ok('sea', '  Ships sail.  ', [
          { source: 'ships.txt', line: 7, endLine: 8, score: 0.6 },
          { source: 'ships.txt', line: 1, score: 0.2 },
        ]),
        ok('law', 'Contracts bind.', [{ source: 'contracts.md', line: 3, score: 1 }]),
      ],
      { topK: 5 },
    );
    assert.equal(merged.answer, 'Contracts bind. [law/contracts.md:3]\n\nShips sail. [sea/ships.txt:7-8]');
  });

  test('When a shard scores below 0.6 × the top, then its answer is left out (its citations stay)', () => {
    const merged = mergeReplies(
      [
        ok('law', 'Contracts bind.', [{ source: 'contracts.md', line: 3, score: 1 }]),
        ok('sea', 'Ships sail.', [{ source: 'ships.txt', line: 7, score: 0.59 }]),
      ],
      { topK: 5 },
    );
    assert.equal(merged.answer, 'Contracts bind. [law/contracts.md:3]');
    assert.deepEqual(keys(merged), ['law/contracts.md:3', 'sea/ships.txt:7']);
  });

  test('When answerRatio is given, then it replaces the 0.6 default', () => {
    const replies = [
      ok('law', 'Contracts bind.', [{ source: 'contracts.md', line: 3, score: 1 }]),
      ok('sea', 'Ships sail.', [{ source: 'ships.txt', line: 7, score: 0.3 }]),
    ];
    assert.equal(mergeReplies(replies, { topK: 5 }).answer, 'Contracts bind. [law/contracts.md:3]');
    assert.equal(mergeReplies(replies, { topK: 5, answerRatio: 0.25 }).answer, 'Contracts bind. [law/contracts.md:3]\n\nShips sail. [sea/ships.txt:7]');
  });

  test('When a strong shard has an empty answer, then it is not joined but its citations are kept', () => {
    const merged = mergeReplies(
      [ok('law', '   ', [{ source: 'contracts.md', line: 3, score: 1 }]), ok('sea', 'Ships sail.', [{ source: 'ships.txt', line: 7, score: 0.9 }])],
      { topK: 5 },
    );
    assert.equal(merged.answer, 'Ships sail. [sea/ships.txt:7]');
    assert.equal(merged.citations.length, 2);
  });
});

describe('cite', () => {
  test('When a citation covers one line, then it reads shard/source:line', () => {
    assert.equal(cite({ shard: 'sea', source: 'ships/b.txt', line: 7, endLine: 7 }), 'sea/ships/b.txt:7');
  });

  test('When a citation covers several lines, then it reads shard/source:line-end', () => {
    assert.equal(cite({ shard: 'sea', source: 'b.txt', line: 7, endLine: 12 }), 'sea/b.txt:7-12');
  });
});

describe('merge: answer tags and the topK cut', () => {
  test('When topK cuts a shard\'s best citation, then its answer is not tagged into the merged answer', () => {
    const reply = (shard: string, score: number) => ({
      outcome: { shard, status: 'ok' as const, latencyMs: 1 },
      result: {
        queryId: 'q_tagtest0001', shard, replica: 'r', engine: 'lexical' as const, answer: `answer of ${shard}`,
        citations: [{ source: 'a.txt', line: 1, endLine: 1, text: 't', score }],
        usage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0 },
        timings: { queueWaitMs: 0, engineMs: 0 },
      },
    });
    const merged = mergeReplies([reply('alpha', 0.9), reply('beta', 0.85)], { topK: 1 });
    assert.equal(merged.citations.length, 1);
    assert.match(merged.answer, /answer of alpha \[alpha\/a\.txt:1\]/);
    assert.doesNotMatch(merged.answer, /beta/);
  });

  test('When sourceCap is set, then a source\'s citations past the cap move after every other source\'s, the first never moving', () => {
    const replies = [
      ok('a', 'A', [
        { source: 'long.txt', line: 1, score: 0.9 },
        { source: 'long.txt', line: 20, score: 0.8 },
        { source: 'long.txt', line: 40, score: 0.7 },
        { source: 'short.txt', line: 3, score: 0.6 },
      ]),
      ok('b', 'B', [{ source: 'long.txt', line: 5, score: 0.65 }]),
    ];
    assert.deepEqual(keys(mergeReplies(replies, { topK: 5, sourceCap: 1 })), ['a/long.txt:1', 'b/long.txt:5', 'a/short.txt:3', 'a/long.txt:20', 'a/long.txt:40']);
    assert.deepEqual(keys(mergeReplies(replies, { topK: 5, sourceCap: 2 })), ['a/long.txt:1', 'a/long.txt:20', 'b/long.txt:5', 'a/short.txt:3', 'a/long.txt:40']);
    assert.deepEqual(keys(mergeReplies(replies, { topK: 5 })), ['a/long.txt:1', 'a/long.txt:20', 'a/long.txt:40', 'b/long.txt:5', 'a/short.txt:3']);
  });
});
