import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseSourceUri, renderLinesText, sourceUri } from '../../services/mcp/format.js';

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
});
