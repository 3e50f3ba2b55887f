import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { selectShards, type Selection } from '../../services/coordinator/domain/routing/select-shards.js';

function rejected(selection: Selection): Extract<Selection, { ok: false }> {
  assert.equal(selection.ok, false, `expected a rejection, got ${JSON.stringify(selection)}`);
  assert.ok(!selection.ok);
  return selection;
}

describe('selectShards', () => {
  test('When no shards are requested, then the query is broadcast to every live shard', () => {
    assert.deepEqual(selectShards(['law', 'sea'], ['law', 'sea', 'old'], undefined), { ok: true, shards: ['law', 'sea'] });
  });

  test('When the requested list is empty, then it is treated as a broadcast', () => {
    assert.deepEqual(selectShards(['law', 'sea'], ['law', 'sea'], []), { ok: true, shards: ['law', 'sea'] });
  });

  test('When a broadcast is selected, then the caller\'s live list is not aliased', () => {
    const live = ['law', 'sea'];
    const selection = selectShards(live, live, undefined);
    assert.ok(selection.ok);
    selection.shards.push('mutated');
    assert.deepEqual(live, ['law', 'sea']);
  });

  test('When an explicit list is requested, then exactly those shards are selected in the caller\'s order', () => {
    assert.deepEqual(selectShards(['law', 'sea', 'art'], ['law', 'sea', 'art'], ['sea', 'law']), { ok: true, shards: ['sea', 'law'] });
  });

  test('When a requested shard is known but has no live replica, then it is still selected (so it reports timeout)', () => {
    assert.deepEqual(selectShards(['law'], ['law', 'sea'], ['law', 'sea']), { ok: true, shards: ['law', 'sea'] });
  });

  test('When a requested shard is listed twice, then it is selected once', () => {
    assert.deepEqual(selectShards(['law', 'sea'], ['law', 'sea'], ['sea', 'sea', 'law']), { ok: true, shards: ['sea', 'law'] });
  });

  test('When a requested shard is unknown, then the error names it and lists the known shards', () => {
    const selection = rejected(selectShards(['sea'], ['law', 'sea'], ['sea', 'nope']));
    assert.equal(selection.code, 'unknown_shard');
    assert.match(selection.message, /Unknown shard: nope\./);
    assert.match(selection.message, /Known shards: law, sea/);
  });

  test('When several requested shards are unknown, then the error names all of them', () => {
    const selection = rejected(selectShards(['sea'], ['sea'], ['x1', 'sea', 'x2']));
    assert.equal(selection.code, 'unknown_shard');
    assert.match(selection.message, /Unknown shards: x1, x2\./);
    assert.match(selection.message, /Known shards: sea/);
  });

  test('When shards are requested but none is known, then the error says the known list is empty', () => {
    const selection = rejected(selectShards([], [], ['sea']));
    assert.equal(selection.code, 'unknown_shard');
    assert.match(selection.message, /Known shards: none/);
  });

  test('When nothing is requested and no shard is alive, then the selection fails with no_shards and says how to start one', () => {
    const selection = rejected(selectShards([], ['law', 'sea'], undefined));
    assert.equal(selection.code, 'no_shards');
    assert.match(selection.message, /memfleet shard --domain/);
  });
});
