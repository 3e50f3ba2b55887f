/**
 * The Messages API stand-in itself (test/helpers/fake-anthropic.ts), over
 * raw HTTP: the documented behaviours the engine tests rely on, checked
 * where the engine alone cannot show them (two breakpoints with different
 * TTLs, the request header that picks a behaviour).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startFakeAnthropic, type FakeAnthropic } from '../helpers/fake-anthropic.js';

const KEY = 'sk-ant-test-fake-0123456789';
const FOLDER = 'folder line. '.repeat(200); // 650 tokens at 4 characters a token
const NOTES = 'note line. '.repeat(100); // 275 tokens

describe('Messages API stand-in', () => {
  let fake: FakeAnthropic;
  before(async () => {
    fake = await startFakeAnthropic({ minCacheTokens: 100 });
  });
  after(async () => {
    await fake?.stop();
  });

  async function post(path: string, body: object, headers: Record<string, string> = {}): Promise<{ status: number; json: Record<string, unknown>; headers: Headers }> {
    const res = await fetch(`${fake.url}${path}`, { method: 'POST', headers: { 'x-api-key': KEY, 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    return { status: res.status, json: (await res.json()) as Record<string, unknown>, headers: res.headers };
  }

  const twoBlocks = (notesTtl: '5m' | '1h') => ({
    model: 'claude-sonnet-4-6',
    max_tokens: 50,
    system: [
      { type: 'text', text: FOLDER, cache_control: { type: 'ephemeral', ttl: '1h' } },
      { type: 'text', text: NOTES, cache_control: { type: 'ephemeral', ttl: notesTtl } },
    ],
    messages: [{ role: 'user', content: '<question>\nfolder?\n</question>' }],
  });

  test('When two breakpoints carry different TTLs, then usage.cache_creation splits the write by TTL, and a changed second block re-writes only itself', async () => {
    fake.clearCache();
    const first = await post('/v1/messages', twoBlocks('5m'));
    assert.equal(first.status, 200);
    assert.deepEqual((first.json.usage as Record<string, unknown>).cache_creation, { ephemeral_5m_input_tokens: 275, ephemeral_1h_input_tokens: 650 });
    assert.equal((first.json.usage as Record<string, unknown>).cache_creation_input_tokens, 925);
    const changed = twoBlocks('5m');
    changed.system[1]!.text = NOTES + 'one more note.';
    const second = await post('/v1/messages', changed);
    const u = second.json.usage as Record<string, number>;
    assert.equal(u.cache_read_input_tokens, 650, 'the folder block is read from cache');
    assert.equal(u.cache_creation_input_tokens, 279, 'only the notes are written again');
  });

  test('When max_tokens is 0, then the prompt is cached and nothing is generated (pre-warming)', async () => {
    fake.clearCache();
    const warm = await post('/v1/messages', { ...twoBlocks('5m'), max_tokens: 0 });
    assert.equal(warm.status, 200);
    assert.deepEqual(warm.json.content, []);
    assert.equal(warm.json.stop_reason, 'max_tokens');
    assert.equal((warm.json.usage as Record<string, number>).output_tokens, 0);
    const next = await post('/v1/messages', twoBlocks('5m'));
    assert.equal((next.json.usage as Record<string, number>).cache_read_input_tokens, 925);
  });

  test('When a 5.5 model thinks by default, then its thinking block comes before the text and counts toward max_tokens', async () => {
    const cut = await post('/v1/messages', { model: 'claude-haiku-5-5', max_tokens: 2_048, messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(cut.json.stop_reason, 'max_tokens');
    assert.deepEqual((cut.json.content as { type: string }[]).map((b) => b.type), ['thinking']);
    assert.equal((cut.json.usage as Record<string, number>).output_tokens, 2_048);
    const off = await post('/v1/messages', { model: 'claude-haiku-5-5', max_tokens: 2_048, thinking: { type: 'disabled' }, messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(off.json.stop_reason, 'end_turn');
    assert.deepEqual((off.json.content as { type: string }[]).map((b) => b.type), ['text']);
  });

  test('When count_tokens is asked, then it counts the whole prompt without generating', async () => {
    const n = await post('/v1/messages/count_tokens', twoBlocks('5m'));
    assert.equal(n.status, 200);
    assert.equal(n.json.input_tokens, 650 + 275 + Math.ceil('<question>\nfolder?\n</question>'.length / 4));
  });

  test('When the x-fake-behaviour header names a spend-limit 429 or an effort the model lacks, then the answer is the documented error', async () => {
    const spend = await post('/v1/messages', twoBlocks('5m'), { 'x-fake-behaviour': JSON.stringify({ status: 429, errorCode: 'enforced_spend_limit_reached' }) });
    assert.equal(spend.status, 429);
    assert.deepEqual((spend.json.error as Record<string, unknown>).details, { error_code: 'enforced_spend_limit_reached' });
    assert.equal((spend.json.error as Record<string, unknown>).type, 'rate_limit_error');
    const limited = await post('/v1/messages', twoBlocks('5m'), { 'x-fake-behaviour': JSON.stringify({ status: 429, retryAfterS: 3 }) });
    assert.equal(limited.headers.get('retry-after'), '3');
    const effort = await post('/v1/messages', { ...twoBlocks('5m'), output_config: { effort: 'xhigh' } });
    assert.equal(effort.status, 400);
    assert.match(String((effort.json.error as Record<string, unknown>).message), /"xhigh" is not supported by claude-sonnet-4-6; supported levels: low, medium, high, max/);
    const overloaded = await post('/v1/messages', twoBlocks('5m'), { 'x-fake-behaviour': JSON.stringify({ status: 529 }) });
    assert.equal((overloaded.json.error as Record<string, unknown>).type, 'overloaded_error');
  });

  test('When a structured-output request is answered, then the text is exactly the JSON and conforms to the schema', async () => {
    fake.respondWith(() => 'Sure! {"answer": "x", "citations": []} Hope that helps.');
    try {
      const schema = { type: 'object', properties: { answer: { type: 'string' }, citations: { type: 'array', items: { type: 'object' } } }, required: ['answer', 'citations'], additionalProperties: false };
      const ok = await post('/v1/messages', { ...twoBlocks('5m'), output_config: { format: { type: 'json_schema', schema } } });
      assert.equal((ok.json.content as { text: string }[])[0]!.text, '{"answer":"x","citations":[]}');
      fake.respondWith(() => '{"answer": 3}');
      const bad = await post('/v1/messages', { ...twoBlocks('5m'), output_config: { format: { type: 'json_schema', schema } } });
      assert.equal(bad.status, 500, 'the stand-in refuses to pass off a non-conforming reply as structured output');
    } finally {
      fake.respondWith(undefined);
    }
  });
});
