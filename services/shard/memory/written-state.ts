/**
 * What one replica holds of its domain's written sources, and the rules for
 * moving it forward (pure: no Redis, no clock of its own, unit-tested).
 *
 * - The replica is at a domain `version`; a batch of changes read atomically
 *   from Redis (every source changed since that version, plus the domain's
 *   version and epoch) moves it to the batch's version.
 * - Each source only moves forward: a record older than the one already
 *   applied for that source (an old signed record copied over a newer one)
 *   is refused as a replay; one that fails verification is refused and the
 *   source keeps what it had.
 * - A source past its expiry is gone, as after a delete, whether or not the
 *   coordinator's sweep has written its tombstone yet.
 * - A folder source always wins over a written one of the same name (the
 *   coordinator refuses such writes; this covers a folder that gained the file later).
 */
import { createHash } from 'node:crypto';
import type { OpenedRecord } from '../../../shared/memory/record.js';
import type { SourceFile } from '../domain/domain-context.js';
import { splitLines } from '../../../shared/text/lines.js';
import { estimateTokens } from '../../../shared/text/tokens.js';

export interface ChangeBatch {
  version: number;
  epoch: string;
  records: { source: string; opened: OpenedRecord }[];
}

export interface Refusal {
  source: string;
  reason: string;
  detail: string;
}

export interface Applied {
  upserted: SourceFile[];
  removed: string[];
  refused: Refusal[];
  /** writtenAt of every record that changed what this replica answers from (for write-to-visible). */
  writtenAt: number[];
}

export class WrittenState {
  version = 0;
  epoch = '';
  private readonly live = new Map<string, SourceFile>();
  /** Highest record version applied per source, deletes included. */
  private readonly seen = new Map<string, number>();
  private cachedDigest: string | undefined;

  constructor(private readonly folderSources: ReadonlySet<string>) {}

  /**
   * True when a batch cannot follow on from this state: Redis lost the domain's
   * memory (new epoch) or went back in version. The caller then resets and
   * reads everything again.
   */
  needsReset(batch: Pick<ChangeBatch, 'version' | 'epoch'>): boolean {
    if (this.version === 0 && this.live.size === 0) return false;
    return batch.epoch !== this.epoch || batch.version < this.version;
  }

  /** Forgets every written source; returns their names (for the engine). */
  reset(): string[] {
    const names = [...this.live.keys()];
    this.cachedDigest = undefined;
    this.live.clear();
    this.seen.clear();
    this.version = 0;
    this.epoch = '';
    return names;
  }

  apply(batch: ChangeBatch, now: number): Applied {
    const out: Applied = { upserted: [], removed: [], refused: [], writtenAt: [] };
    this.cachedDigest = undefined;
    for (const { source, opened } of batch.records) {
      if (!opened.ok) {
        out.refused.push({ source, reason: opened.reason, detail: opened.detail });
        continue;
      }
      const record = opened.record;
      const applied = this.seen.get(source) ?? 0;
      if (record.version > batch.version) {
        out.refused.push({ source, reason: 'invalid_payload', detail: `record version ${record.version} is ahead of the domain's ${batch.version}` });
        continue;
      }
      if (record.version < applied) {
        out.refused.push({ source, reason: 'replay', detail: `record version ${record.version} is older than the applied ${applied}` });
        continue;
      }
      if (record.version === applied) continue;
      this.seen.set(source, record.version);
      if (this.folderSources.has(source)) continue;
      const expired = record.op === 'put' && record.expiresAt !== null && record.expiresAt <= now;
      if (record.op === 'delete' || expired) {
        if (this.live.delete(source)) {
          out.removed.push(source);
          out.writtenAt.push(record.writtenAt);
        }
        continue;
      }
      const file: SourceFile = {
        source,
        lines: splitLines(record.text),
        tokens: estimateTokens(record.text),
        written: { version: record.version, expiresAt: record.expiresAt, writtenAt: record.writtenAt },
      };
      this.live.set(source, file);
      out.upserted.push(file);
      out.writtenAt.push(record.writtenAt);
    }
    this.version = Math.max(this.version, batch.version);
    this.epoch = batch.epoch;
    return out;
  }

  /** Drops every source whose expiry has passed; returns their names. */
  expire(now: number): string[] {
    const gone: string[] = [];
    for (const [name, file] of this.live) {
      const at = file.written?.expiresAt;
      if (at !== undefined && at !== null && at <= now) gone.push(name);
    }
    for (const name of gone) this.live.delete(name);
    if (gone.length > 0) this.cachedDigest = undefined;
    return gone;
  }

  /** Earliest expiry among live sources (epoch ms), or Infinity. */
  nextExpiry(): number {
    let next = Infinity;
    for (const file of this.live.values()) {
      const at = file.written?.expiresAt;
      if (at !== undefined && at !== null && at < next) next = at;
    }
    return next;
  }

  /** Live written sources in code-unit order of their names. */
  list(): SourceFile[] {
    return [...this.live.values()].sort((a, b) => (a.source < b.source ? -1 : a.source > b.source ? 1 : 0));
  }

  get tokens(): number {
    let n = 0;
    for (const f of this.live.values()) n += f.tokens;
    return n;
  }

  /** A short digest of what this replica answers from (names, versions, text): equal on replicas that agree. Cached until the next change. */
  digest(): string {
    if (this.cachedDigest !== undefined) return this.cachedDigest;
    const hash = createHash('sha256');
    for (const f of this.list()) hash.update(`${f.source}\u0000${f.written?.version ?? 0}\u0000${f.lines.join('\n')}\u0000`);
    this.cachedDigest = hash.digest('hex').slice(0, 16);
    return this.cachedDigest;
  }
}
