import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseSourceUri, renderAnswerText, renderLinesText, sourceUri } from '../../services/mcp/format.js';
import { EMPTY_USAGE } from '../../shared/queues/schemas.js';

describe('MCP source URIs and text', () => {
  test('When a source URI is built and parsed back, then shard, path and range survive, odd characters included', () => {
    for (const source of ['ships.txt', 'notes/comets.txt', 'a b/c#d?.md', 'ünï/cödé.txt']) {
      const uri = sourceUri('harbor', source, 3, 9);
      assert.deepEqual(parseSourceUri(new URL(uri)), { shard: 'harbor', source, from: 3, to: 9 });
      assert.deepEqual(parseSourceUri(new URL(sourceUri('harbor', source))), { shard: 'harbor', source });
    }
  });

  test('When a URI is not a memfleet source or has a bad range, then parsing says why', () => {
    assert.throws(() => parseSourceUri(new URL('file:///etc/passwd')), /Not a memfleet source URI/);
    assert.throws(() => parseSourceUri(new URL('memfleet://harbor/ships.txt?from=0')), /from .* line number/);
  });

  test('When lines are rendered, then they are numbered and say how to read the rest', () => {
    const text = renderLinesText({ shard: 'h', source: 's.txt', from: 9, to: 10, totalLines: 40, truncated: false, lines: [{ line: 9, text: 'nine' }, { line: 10, text: 'ten' }] });
    assert.equal(text.split('\n')[0], ' 9\tnine');
    assert.match(text, /memfleet:\/\/h\/s\.txt\?from=11&to=40/);
  });

  test('When the answer is a weak match, then the agent is told its confidence first and per citation', () => {
    const text = renderAnswerText({
      id: 'q_abcdefgh12',
      answer: 'Snapshots are kept. [ops/runbook.md:5]',
      confidence: 'low',
      citations: [{ shard: 'ops', source: 'runbook.md', line: 5, endLine: 5, text: 'Snapshot retention: 30 days.', score: 0.2, confidence: 'low' }],
      shards: [{ shard: 'ops', status: 'ok', latencyMs: 3 }],
      latencyMs: 4,
      usage: { ...EMPTY_USAGE },
    });
    assert.match(text.split('\n')[0] ?? '', /^Confidence: low \(/);
    assert.match(text, /\[1\] ops\/runbook\.md:5 \(score 0\.20, confidence low\)/);
  });
});
