/**
 * Keeps one replica's written sources in step with Redis ("read your writes
 * on every replica", docs/architecture.md). Query and read jobs carry the
 * domain version they must be answered at; `ensure(version)` catches up before
 * the job is answered. Write notifications (write-listener.ts) call `catchUp`
 * so an idle replica is current before the next job even arrives.
 *
 * One catch-up runs at a time: jobs that arrive meanwhile wait for it (and
 * for one more, if it started before their version existed), so a burst of
 * writes costs a few catch-ups, not one per job.
 */
import type { Keyring } from '../../../shared/envelope/index.js';
import type { Logger } from '../../../shared/log/logger.js';
import type { MemoryStore } from '../../../shared/memory/memory-store.js';
import { openRecord } from '../../../shared/memory/record.js';
import type { MemoryMetrics } from '../../../shared/memory/metrics.js';
import type { FleetMetrics } from '../../../shared/metrics/registry.js';
import type { SourceFile } from '../domain/domain-context.js';
import type { Engine } from '../engines/engine.js';
import { WrittenState, type Applied } from './written-state.js';

export interface MemorySyncDeps {
  domain: string;
  store: MemoryStore;
  keyring: Keyring;
  maxSourceBytes: number;
  engine: Engine;
  metrics: FleetMetrics;
  memoryMetrics: MemoryMetrics;
  log: Logger;
  /** Called after every change of the written sources (heartbeat info, manifest, read index). */
  onChange?: (sync: MemorySync) => void;
}

/** How many catch-ups a job waits through before answering with what the replica has. */
const MAX_ROUNDS = 3;

export class MemorySync {
  readonly state: WrittenState;
  private running: Promise<void> | undefined;
  /** The catch-up that follows the running one, for whoever asked while it ran. */
  private next: Promise<void> | undefined;
  private warnedBehind = false;

  constructor(
    private readonly deps: MemorySyncDeps,
    folderSources: ReadonlySet<string>,
  ) {
    this.state = new WrittenState(folderSources);
  }

  get version(): number {
    return this.state.version;
  }

  written(): SourceFile[] {
    return this.state.list();
  }

  /**
   * Returns once this replica answers at `version` or later (and with every
   * expired source gone). Rejects only when Redis cannot be read.
   */
  async ensure(version: number | undefined): Promise<number> {
    this.expireNow();
    // The catch-up already running may well cover this version: wait for it before asking for another.
    if (version !== undefined && this.state.version < version && this.running) await this.running.catch(() => undefined);
    for (let round = 0; version !== undefined && this.state.version < version && round < MAX_ROUNDS; round++) {
      await this.catchUp();
    }
    if (version !== undefined && this.state.version < version && !this.warnedBehind) {
      // Only when Redis went back in time (lost its data without AOF): answer from what is there.
      this.warnedBehind = true;
      this.deps.log.warn({ asked: version, at: this.state.version }, 'Redis holds an older memory version than a job asked for: answering at the version Redis has');
    }
    return this.state.version;
  }

  /**
   * Reads what changed since this replica's version and applies it. One runs at
   * a time; a call while one runs gets the next one, which starts when it ends
   * (the running one may have read Redis before the write the caller heard of),
   * and every call meanwhile shares that next one.
   */
  catchUp(): Promise<void> {
    if (this.running === undefined) {
      this.running = this.run().finally(() => {
        this.running = undefined;
      });
      return this.running;
    }
    this.next ??= this.running.then(
      () => this.startNext(),
      () => this.startNext(),
    );
    return this.next;
  }

  private startNext(): Promise<void> {
    this.next = undefined;
    return this.catchUp();
  }

  private async run(): Promise<void> {
    const { store, domain, keyring, maxSourceBytes, memoryMetrics } = this.deps;
    const started = performance.now();
    let changes = await store.changesSince(domain, this.state.version);
    let removedByReset: string[] = [];
    if (this.state.needsReset(changes)) {
      this.deps.log.warn({ at: this.state.version, redis: changes.version }, 'written sources in Redis were reset (Redis lost its data?): reloading them all');
      removedByReset = this.state.reset();
      changes = await store.changesSince(domain, 0);
    }
    if (changes.version === this.state.version && changes.records.length === 0 && removedByReset.length === 0) return;
    const now = Date.now();
    const applied = this.state.apply(
      {
        version: changes.version,
        epoch: changes.epoch,
        records: changes.records.map((r) => ({ source: r.source, opened: openRecord(r.stored, { domain, source: r.source }, keyring, maxSourceBytes) })),
      },
      now,
    );
    const removed = [...new Set([...removedByReset, ...applied.removed])].filter((name) => !applied.upserted.some((f) => f.source === name));
    this.report(applied);
    if (applied.upserted.length > 0 || removed.length > 0) {
      this.deps.engine.updateWritten({ upserted: applied.upserted, removed });
      const visibleAt = Date.now();
      for (const at of applied.writtenAt) memoryMetrics.writeVisible.observe({ shard: domain }, Math.max(0, visibleAt - at) / 1000);
    }
    memoryMetrics.catchUp.observe({ shard: domain }, (performance.now() - started) / 1000);
    memoryMetrics.version.set({ shard: domain }, this.state.version);
    this.deps.log.debug({ version: this.state.version, upserted: applied.upserted.length, removed: removed.length }, 'written sources caught up');
    this.deps.onChange?.(this);
  }

  private expireNow(): void {
    const now = Date.now();
    if (this.state.nextExpiry() > now) return;
    const gone = this.state.expire(now);
    if (gone.length === 0) return;
    this.deps.engine.updateWritten({ upserted: [], removed: gone });
    this.deps.log.info({ sources: gone }, 'written sources expired');
    this.deps.onChange?.(this);
  }

  private report(applied: Applied): void {
    for (const r of applied.refused) {
      this.deps.metrics.envelopeRejected.inc({ reason: r.reason });
      this.deps.log.warn({ source: r.source, reason: r.reason, detail: r.detail }, 'written source refused: its record failed verification; the replica keeps what it had');
    }
  }
}
