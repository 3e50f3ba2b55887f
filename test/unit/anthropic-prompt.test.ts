/** The cached prefix must be the same bytes on every call and replica, or the cache never hits. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadDomainContext } from '../../services/shard/domain/load-domain.js';
import {
  buildQuestionMessage,
  buildSystemPrompt,
  systemBlocks,
} from '../../services/shard/engines/anthropic/prompt.js';
import { FIXTURE_CONTEXTS } from '../helpers/fleet-processes.js';

const load = (domain: string) => loadDomainContext(FIXTURE_CONTEXTS, domain, { maxTokens: 200_000 });

describe('claude prompt', () => {
  test('When the same domain is loaded twice, then the system prompt is byte-for-byte the same', async () => {
    const a = buildSystemPrompt(await load('observatory'));
    const b = buildSystemPrompt(await load('observatory'));
    assert.equal(a, b);
    assert.ok(a.length > 200);
  });

  test('When the prompt is built, then every line of every source appears once, numbered from 1, sources in path order', async () => {
    const ctx = await load('observatory');
    const prompt = buildSystemPrompt(ctx);
    const paths = [...prompt.matchAll(/^<source path="([^"]+)" lines="(\d+)">$/gm)].map((m) => [m[1], Number(m[2])]);
    assert.deepEqual(paths, ctx.sources.map((s) => [s.source, s.lines.length]));
    assert.deepEqual(paths.map((p) => p[0]), ['notes/comets.txt', 'notes/moons.md']);
    for (const file of ctx.sources) {
      const body = prompt.split(`<source path="${file.source}" lines="${file.lines.length}">\n`)[1]!.split('\n</source>')[0]!;
      assert.deepEqual(body.split('\n'), file.lines.map((l, i) => `${i + 1}\t${l}`));
    }
    assert.match(prompt, /^<context domain="observatory" sources="2" lines="\d+">$/m);
  });

  test('When questions change, then only the user turn changes; the question never enters the cached prefix', async () => {
    const ctx = await load('harbor');
    const system = systemBlocks(buildSystemPrompt(ctx), '5m');
    const q1 = buildQuestionMessage('Who is the captain of the Albatross?', 5);
    const q2 = buildQuestionMessage('When does the ferry run?', 2);
    assert.notEqual(q1, q2);
    assert.ok(!system[0]!.text.includes('Albatross?'));
    assert.match(q1, /<question>\nWho is the captain of the Albatross\?\n<\/question>/);
    assert.match(q2, /at most 2 line ranges/);
  });

  test('When the system parameter is built, then it is one text block carrying the cache breakpoint and the TTL', async () => {
    const ctx = await load('harbor');
    assert.deepEqual(systemBlocks('P', '1h'), [{ type: 'text', text: 'P', cache_control: { type: 'ephemeral', ttl: '1h' } }]);
    const [block] = systemBlocks(buildSystemPrompt(ctx), '5m');
    assert.equal(block?.cache_control?.ttl, '5m');
    assert.equal(JSON.stringify(systemBlocks(buildSystemPrompt(ctx), '5m')), JSON.stringify(systemBlocks(buildSystemPrompt(await load('harbor')), '5m')));
  });

  test('When a path holds a quote, then the tag attribute is escaped', () => {
    const prompt = buildSystemPrompt({ domain: 'd', totalLines: 1, sources: [{ source: 'a"b.txt', lines: ['x'], tokens: 1 }] });
    assert.match(prompt, /<source path="a&quot;b\.txt" lines="1">/);
  });
});
