/**
 * The request messages of shared/api: ranges named with the value sent,
 * unknown keys answered with the key meant, and the same words from the
 * coordinator's schema, the typed client (CLI, MCP) and the MCP tool schema.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ClientError, CoordinatorClient } from '../../shared/api/client.js';
import { describeRequestIssues, suggestKey, unsupportedMediaTypeMessage } from '../../shared/api/errors.js';
import { QUERY_BODY_KEYS, queryBodySchema, topKField } from '../../shared/api/query.js';
import { LINES_QUERY_KEYS, LinesQuerySchema } from '../../shared/api/sources.js';

const schema = queryBodySchema(60_000);
const messageFor = (body: unknown): string => {
  const parsed = schema.safeParse(body);
  assert.equal(parsed.success, false, `expected ${JSON.stringify(body)} to be refused`);
  return describeRequestIssues(parsed.error!, QUERY_BODY_KEYS);
};

describe('request messages (shared/api)', () => {
  test('When topK or timeoutMs is out of range, then the message names the field, the range and the value', () => {
    assert.equal(messageFor({ question: 'x', topK: 0 }), 'topK must be an integer from 1 to 50, got 0');
    assert.equal(messageFor({ question: 'x', topK: 10000 }), 'topK must be an integer from 1 to 50, got 10000');
    assert.equal(messageFor({ question: 'x', topK: 2.5 }), 'topK must be an integer from 1 to 50, got 2.5');
    assert.equal(messageFor({ question: 'x', topK: 'five' }), 'topK must be an integer from 1 to 50, got "five"');
    assert.equal(messageFor({ question: 'x', timeoutMs: 999999 }), 'timeoutMs must be an integer from 50 to 60000, got 999999');
    assert.equal(messageFor({ question: 'x', timeoutMs: 10 }), 'timeoutMs must be an integer from 50 to 60000, got 10');
  });

  test('When a key is unknown, then the message suggests the key meant, or lists the allowed ones', () => {
    assert.equal(messageFor({ question: 'x', top_k: 3 }), 'unknown field "top_k": did you mean "topK"?');
    assert.equal(messageFor({ question: 'x', timeout_ms: 3 }), 'unknown field "timeout_ms": did you mean "timeoutMs"?');
    assert.equal(messageFor({ questoin: 'x', question: 'y' }), 'unknown field "questoin": did you mean "question"?');
    assert.equal(
      messageFor({ question: 'x', colour: 'blue' }),
      'unknown field "colour": the allowed fields are question, shards, mode, topK, timeoutMs, synthesize',
    );
    assert.equal(suggestKey('shard', QUERY_BODY_KEYS), 'shards');
    assert.equal(suggestKey('zzz', QUERY_BODY_KEYS), undefined);
    const lines = LinesQuerySchema.safeParse({ source: 'a.txt', form: '2' });
    assert.equal(lines.success, false);
    assert.equal(describeRequestIssues(lines.error!, LINES_QUERY_KEYS, 'parameter'), 'unknown parameter "form": did you mean "from"?');
  });

  test('When other fields are wrong, then the message still names the field', () => {
    assert.equal(messageFor({ question: '   ' }), 'question: must not be empty');
    assert.equal(messageFor({ question: 'x', mode: 'sideways' }), 'mode: expected "broadcast" or "routed"');
    assert.match(messageFor({ question: 'x', shards: ['Bad Name'] }), /^shards\.0: expected a shard name/);
  });

  test('When the client is given a body the coordinator would refuse, then it throws the same message without a request', async () => {
    // Nothing listens on port 9 (discard): a request would fail with "No coordinator answered", not this message.
    const client = new CoordinatorClient({ url: 'http://127.0.0.1:9', timeoutMs: 1000 });
    await assert.rejects(client.ask({ question: 'x', topK: 10000 }), (err: unknown) => {
      assert.ok(err instanceof ClientError);
      assert.equal(err.message, 'topK must be an integer from 1 to 50, got 10000');
      assert.equal(err.code, 'invalid_body');
      return true;
    });
    // The MCP tool's input schema uses the same field.
    assert.equal(topKField().safeParse(0).error?.issues[0]?.message, 'topK must be an integer from 1 to 50, got 0');
  });

  test('When a body is not JSON, then the 415 message names what was sent and application/json', () => {
    assert.equal(unsupportedMediaTypeMessage('text/plain; charset=utf-8'), 'The body was sent as text/plain: send the body as JSON with Content-Type: application/json.');
    assert.equal(unsupportedMediaTypeMessage(undefined), 'Send the body as JSON with Content-Type: application/json.');
  });
});
