/** The version and catch-up rules of a replica's written sources (services/shard/memory/written-state.ts), with no Redis. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { WrittenState, type ChangeBatch } from '../../services/shard/memory/written-state.js';
import { generateKeyring, parseKeyring } from '../../shared/envelope/index.js';
import { openRecord, sealRecord, type WrittenRecord } from '../../shared/memory/record.js';

const keys = parseKeyring(generateKeyring('w1'), 'K');
const otherKeys = parseKeyring(generateKeyring('w1'), 'K');

function put(source: string, version: number, text: string, expiresAt: number | null = null): WrittenRecord {
  return { kind: 'memfleet.written-source', op: 'put', domain: 'harbor', source, version, writtenAt: 1_000 + version, text, expiresAt };
}
function del(source: string, version: number): WrittenRecord {
  return { kind: 'memfleet.written-source', op: 'delete', domain: 'harbor', source, version, writtenAt: 1_000 + version, reason: 'deleted' };
}
function batch(version: number, records: WrittenRecord[], epoch = 'e1', signer = keys): ChangeBatch {
  return {
    version,
    epoch,
    records: records.map((r) => ({ source: r.source, opened: openRecord(sealRecord(r, signer), { domain: 'harbor', source: r.source }, keys, 1 << 20) })),
  };
}

describe('written sources: version and catch-up', () => {
  test('When a batch is applied, then the replica moves to its version and holds each source at its last write', () => {
    const s = new WrittenState(new Set());
    const applied = s.apply(batch(3, [put('a.md', 1, 'one\n'), put('b.md', 3, 'two\nlines\n')]), 0);
    assert.equal(s.version, 3);
    assert.deepEqual(applied.upserted.map((f) => [f.source, f.lines]), [['a.md', ['one']], ['b.md', ['two', 'lines']]]);
    assert.deepEqual(s.list().map((f) => f.written?.version), [1, 3]);
  });

  test('When a source is replaced and another deleted, then the engine change lists both', () => {
    const s = new WrittenState(new Set());
    s.apply(batch(2, [put('a.md', 1, 'one'), put('b.md', 2, 'two')]), 0);
    const applied = s.apply(batch(4, [put('a.md', 3, 'uno'), del('b.md', 4)]), 0);
    assert.deepEqual(applied.upserted.map((f) => f.lines), [['uno']]);
    assert.deepEqual(applied.removed, ['b.md']);
    assert.deepEqual(s.list().map((f) => f.source), ['a.md']);
  });

  test('When an older record is copied over a newer one, then it is refused as a replay and the newer text stays', () => {
    const s = new WrittenState(new Set());
    s.apply(batch(5, [put('a.md', 5, 'new')]), 0);
    const applied = s.apply(batch(6, [put('a.md', 2, 'old')]), 0);
    assert.deepEqual(applied.refused.map((r) => r.reason), ['replay']);
    assert.deepEqual(s.list()[0]?.lines, ['new']);
  });

  test('When a record is signed with another key or names another source, then it is refused and nothing changes', () => {
    const s = new WrittenState(new Set());
    const forged = s.apply(batch(1, [put('a.md', 1, 'forged')], 'e1', otherKeys), 0);
    assert.deepEqual(forged.refused.map((r) => r.reason), ['bad_signature']);
    const moved = { version: 2, epoch: 'e1', records: [{ source: 'b.md', opened: openRecord(sealRecord(put('a.md', 2, 'x'), keys), { domain: 'harbor', source: 'b.md' }, keys, 1 << 20) }] };
    assert.deepEqual(s.apply(moved, 0).refused.map((r) => r.reason), ['invalid_payload']);
    assert.equal(s.list().length, 0);
  });

  test('When a record claims a version ahead of the domain, then it is refused', () => {
    const s = new WrittenState(new Set());
    assert.deepEqual(s.apply(batch(1, [put('a.md', 9, 'x')]), 0).refused.map((r) => r.reason), ['invalid_payload']);
  });

  test('When a source expires, then it is dropped at answer time and a record already past its expiry never loads', () => {
    const s = new WrittenState(new Set());
    s.apply(batch(2, [put('a.md', 1, 'soon', 5_000), put('b.md', 2, 'gone', 100)]), 1_000);
    assert.deepEqual(s.list().map((f) => f.source), ['a.md']);
    assert.equal(s.nextExpiry(), 5_000);
    assert.deepEqual(s.expire(4_999), []);
    assert.deepEqual(s.expire(5_000), ['a.md']);
    assert.equal(s.list().length, 0);
  });

  test('When a folder file has the same name, then the folder wins', () => {
    const s = new WrittenState(new Set(['cargo.md']));
    s.apply(batch(1, [put('cargo.md', 1, 'shadow')]), 0);
    assert.equal(s.list().length, 0);
  });

  test('When Redis lost the memory (new epoch or older version), then the replica must reset', () => {
    const s = new WrittenState(new Set());
    assert.equal(s.needsReset({ version: 0, epoch: '' }), false);
    s.apply(batch(4, [put('a.md', 4, 'x')]), 0);
    assert.equal(s.needsReset({ version: 4, epoch: 'e1' }), false);
    assert.equal(s.needsReset({ version: 9, epoch: 'e2' }), true);
    assert.equal(s.needsReset({ version: 2, epoch: 'e1' }), true);
    assert.deepEqual(s.reset(), ['a.md']);
    assert.equal(s.version, 0);
  });

  test('When two replicas apply the same writes in different batches, then their digests agree', () => {
    const a = new WrittenState(new Set());
    const b = new WrittenState(new Set());
    a.apply(batch(3, [put('x.md', 1, 'one'), put('y.md', 3, 'three')]), 0);
    b.apply(batch(1, [put('x.md', 1, 'one')]), 0);
    b.apply(batch(3, [put('y.md', 3, 'three')]), 0);
    assert.equal(a.digest(), b.digest());
    b.apply(batch(4, [put('y.md', 4, 'four')]), 0);
    assert.notEqual(a.digest(), b.digest());
  });
});
