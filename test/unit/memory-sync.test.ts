/** MemorySync's catch-up scheduling (services/shard/memory/memory-sync.ts), against an in-memory stand-in for Redis. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MemorySync } from '../../services/shard/memory/memory-sync.js';
import type { WrittenChange } from '../../services/shard/engines/engine.js';
import type { Engine } from '../../services/shard/engines/engine.js';
import { generateKeyring, parseKeyring } from '../../shared/envelope/index.js';
import { createLogger } from '../../shared/log/logger.js';
import type { Changes, MemoryStore } from '../../shared/memory/memory-store.js';
import { createMemoryMetrics } from '../../shared/memory/metrics.js';
import { sealRecord } from '../../shared/memory/record.js';
import { createMetrics } from '../../shared/metrics/registry.js';
import { EMPTY_USAGE } from '../../shared/queues/schemas.js';

const keys = parseKeyring(generateKeyring('m1'), 'K');

/** Redis as the catch-up script sees it: the version, and the last record of each source. */
class FakeStore {
  version = 0;
  readonly records = new Map<string, { version: number; stored: string }>();
  reads = 0;
  /** When set, each read waits for it (to hold a catch-up in flight). */
  gate: Promise<void> | undefined;

  write(source: string, text: string): void {
    this.version++;
    const stored = sealRecord({ kind: 'memfleet.written-source', op: 'put', domain: 'harbor', source, version: this.version, writtenAt: Date.now(), text, expiresAt: null }, keys);
    this.records.set(source, { version: this.version, stored });
  }

  async changesSince(_domain: string, since: number): Promise<Changes> {
    this.reads++;
    // The script reads atomically: what it returns is what Redis held when the read began.
    const snapshot: Changes = {
      version: this.version,
      epoch: 'e1',
      records: [...this.records].filter(([, r]) => r.version > since).map(([source, r]) => ({ source, stored: r.stored })),
    };
    await this.gate;
    return snapshot;
  }
}

function setup() {
  const store = new FakeStore();
  const changes: WrittenChange[] = [];
  const engine: Engine = {
    name: 'lexical',
    answer: async () => ({ answer: '', citations: [], usage: { ...EMPTY_USAGE } }),
    topTerms: () => [],
    updateWritten: (c) => changes.push(c),
  };
  const metrics = createMetrics('shard', { shard: 'harbor' });
  const sync = new MemorySync(
    {
      domain: 'harbor',
      store: store as unknown as MemoryStore,
      keyring: keys,
      maxSourceBytes: 1 << 20,
      engine,
      metrics,
      memoryMetrics: createMemoryMetrics(metrics.registry),
      log: createLogger({ service: 'shard', level: 'silent' }),
    },
    new Set(),
  );
  return { store, sync, changes };
}

describe('memory sync: catch-up scheduling', () => {
  test('When a job carries a newer version, then the replica catches up before it answers', async () => {
    const { store, sync, changes } = setup();
    store.write('notes/a.md', 'one');
    assert.equal(await sync.ensure(1), 1);
    assert.deepEqual(changes.map((c) => c.upserted.map((f) => f.source)), [['notes/a.md']]);
    // At or behind its version: no Redis read at all.
    const reads = store.reads;
    assert.equal(await sync.ensure(1), 1);
    assert.equal(await sync.ensure(undefined), 1);
    assert.equal(store.reads, reads);
  });

  test('When a write lands while a catch-up is in flight, then another catch-up follows it, so an idle replica still ends current', async () => {
    const { store, sync } = setup();
    store.write('notes/a.md', 'one');
    let open!: () => void;
    store.gate = new Promise((r) => (open = r));
    const first = sync.catchUp(); // reads version 1, held at the gate
    await new Promise((r) => setImmediate(r));
    store.write('notes/b.md', 'two'); // version 2, after the first read began
    const second = sync.catchUp(); // what a notification does
    const third = sync.catchUp();
    assert.equal(second, third, 'calls during a catch-up share the next one');
    store.gate = undefined;
    open();
    await first;
    assert.equal(sync.version, 1);
    await second;
    assert.equal(sync.version, 2);
    assert.deepEqual(sync.written().map((f) => f.source), ['notes/a.md', 'notes/b.md']);
  });

  test('When several jobs wait on the same newer version, then one catch-up serves them all', async () => {
    const { store, sync } = setup();
    store.write('notes/a.md', 'one');
    const before = store.reads;
    const versions = await Promise.all(Array.from({ length: 10 }, () => sync.ensure(1)));
    assert.deepEqual(new Set(versions), new Set([1]));
    assert.ok(store.reads - before <= 2, `expected at most 2 reads, got ${store.reads - before}`);
  });
});
