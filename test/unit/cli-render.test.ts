import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { renderAnswer, renderShards, type ShardRow } from '../../services/cli/commands/client-commands.js';
import type { QueryResponse } from '../../services/coordinator/domain/types.js';
import { EMPTY_USAGE } from '../../shared/queues/schemas.js';
import { NOTHING_FOUND } from '../../services/coordinator/merge/merge.js';

function response(overrides: Partial<QueryResponse> = {}): QueryResponse {
  return {
    id: 'q_abcdefgh12',
    answer: 'Ships sail at dawn. [sea/ships.txt:7-8]',
    citations: [
      { shard: 'sea', source: 'ships.txt', line: 7, endLine: 8, text: 'The ships sail\nat dawn.', score: 0.876 },
      { shard: 'law', source: 'maritime/contracts.md', line: 3, endLine: 3, text: 'A charter binds.', score: 0.5 },
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

function row(overrides: Partial<ShardRow> = {}): ShardRow {
  return { shard: 'sea', status: 'up', replicas: 2, sources: 3, lines: 1200, tokens: 45_000, engine: 'lexical', lastSeen: '2026-01-01T00:00:00Z', ...overrides };
}

describe('renderAnswer', () => {
  test('When the answer has citations, then it prints the answer, each numbered citation with its score and text, the shards and the query id', () => {
    assert.equal(
      renderAnswer(response()),
      [
        'Ships sail at dawn. [sea/ships.txt:7-8]',
        '',
        'Citations:',
        '  [1] sea/ships.txt:7-8  (score 0.88)',
        '      The ships sail',
        '      at dawn.',
        '  [2] law/maritime/contracts.md:3  (score 0.50)',
        '      A charter binds.',
        '',
        'Shards: sea ok 12ms, law ok 8ms',
        'Query q_abcdefgh12 answered in 16 ms',
      ].join('\n'),
    );
  });

  test('When nothing was found, then there is no citations section', () => {
    const out = renderAnswer(response({ answer: NOTHING_FOUND, citations: [] }));
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

describe('renderShards', () => {
  test('When shards are listed, then they form a table with a header and columns aligned to the widest cell', () => {
    const out = renderShards([row(), row({ shard: 'moby-dick-1', status: 'down', replicas: 0, sources: 1, lines: 9, tokens: 10, lastSeen: null })]);
    assert.equal(
      out,
      [
        'SHARD        STATUS  REPLICAS  SOURCES  LINES  TOKENS  ENGINE   LAST SEEN',
        'sea          up      2         3        1200   45000   lexical  2026-01-01T00:00:00Z',
        'moby-dick-1  down    0         1        9      10      lexical  -',
      ].join('\n'),
    );
  });

  test('When a shard was never seen, then LAST SEEN shows "-"', () => {
    const [, line] = renderShards([row({ lastSeen: null })]).split('\n');
    assert.ok(line?.endsWith('  -'), line);
  });

  test('When the table is printed, then no line has trailing spaces and every column starts at the same offset', () => {
    const out = renderShards([row({ shard: 'a' }), row({ shard: 'a-much-longer-domain', engine: 'anthropic', tokens: 1_234_567 })]);
    const lines = out.split('\n');
    for (const line of lines) assert.equal(line, line.trimEnd());
    const header = lines[0] as string;
    for (const column of ['STATUS', 'REPLICAS', 'ENGINE', 'LAST SEEN']) {
      const at = header.indexOf(column);
      for (const line of lines.slice(1)) assert.ok(line[at] !== undefined && line[at] !== ' ', `${column} does not start at ${at} in "${line}"`);
      for (const line of lines.slice(1)) assert.equal(line.slice(at - 2, at), '  ', `${column} misaligned in "${line}"`);
    }
  });

  test('When there are no rows, then only the header is printed', () => {
    assert.equal(renderShards([]), 'SHARD  STATUS  REPLICAS  SOURCES  LINES  TOKENS  ENGINE  LAST SEEN');
  });
});
