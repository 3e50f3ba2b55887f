import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ageOf, colourEnabled, coloursFor, formatMs, startProgress } from '../../services/cli/client/terminal.js';
import { renderShards } from '../../services/cli/commands/client-commands.js';
import type { ShardRow } from '../../shared/api/shards.js';

const ANSI = /\x1b\[/;

function sink(isTTY: boolean) {
  const chunks: string[] = [];
  return { isTTY, chunks, write: (c: string) => (chunks.push(c), true) };
}

describe('CLI terminal behaviour', () => {
  test('When stdout is not a terminal, then there is no colour unless FORCE_COLOR asks for it', () => {
    assert.equal(colourEnabled(sink(false), {}), false);
    assert.equal(colourEnabled(sink(false), { FORCE_COLOR: '1' }), true);
    assert.equal(colourEnabled(sink(true), {}), true);
  });

  test('When NO_COLOR is set, then a terminal gets no colour either', () => {
    assert.equal(colourEnabled(sink(true), { NO_COLOR: '1' }), false);
    assert.equal(colourEnabled(sink(true), { NO_COLOR: '1', FORCE_COLOR: '1' }), false);
    assert.equal(colourEnabled(sink(true), { TERM: 'dumb' }), false);
  });

  test('When stderr is not a terminal, then the progress line writes nothing', () => {
    const s = sink(false);
    startProgress(s, 'asking', {}).stop();
    assert.deepEqual(s.chunks, []);
  });

  test('When stderr is a terminal, then the progress line is drawn and erased on stop', () => {
    const s = sink(true);
    const p = startProgress(s, 'asking the fleet…', {});
    p.stop();
    p.stop();
    assert.match(s.chunks[0] ?? '', /asking the fleet… 0\.\ds/);
    assert.equal(s.chunks.at(-1), '\r\x1b[2K');
    assert.equal(s.chunks.length, 2);
  });

  test('When the fleet is rendered, then columns line up, with colour only when asked', () => {
    const rows: ShardRow[] = [
      { shard: 'harbor', status: 'up', replicas: 2, sources: 2, lines: 27, tokens: 272, engine: 'lexical', lastSeen: new Date(Date.now() - 3000).toISOString(), queue: { waiting: 4, active: 1 }, p50Ms: 4.25 },
      { shard: 'kitchen', status: 'down', replicas: 0, sources: 1, lines: 18, tokens: 141, engine: 'lexical', lastSeen: null, queue: null, p50Ms: null },
    ];
    const plain = renderShards(rows);
    assert.doesNotMatch(plain, ANSI);
    const [header, harbor, kitchen] = plain.split('\n') as [string, string, string];
    assert.match(header, /^SHARD\s+STATUS\s+REPLICAS\s+QUEUE\s+P50\s+LAST HEARTBEAT/);
    assert.match(harbor, /^harbor\s+up\s+2\s+4\+1\s+4\.3ms\s+3s ago/);
    assert.match(kitchen, /^kitchen\s+down\s+0\s+-\s+-\s+-/);
    assert.equal(harbor.indexOf('lexical'), kitchen.indexOf('lexical'));
    assert.match(renderShards(rows, coloursFor(sink(false), { FORCE_COLOR: '1' })), ANSI);
  });

  test('When durations and ages are formatted, then they read naturally', () => {
    assert.equal(formatMs(null), '-');
    assert.equal(formatMs(3.14159), '3.1ms');
    assert.equal(formatMs(830.4), '830ms');
    assert.equal(formatMs(12_400), '12.4s');
    const now = Date.parse('2026-01-01T00:10:00Z');
    assert.equal(ageOf('2026-01-01T00:09:58Z', now), '2s ago');
    assert.equal(ageOf('2026-01-01T00:05:00Z', now), '5m ago');
    assert.equal(ageOf(null, now), '-');
  });
});
