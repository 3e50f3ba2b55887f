/**
 * Writing to a domain's memory (docs/api.md, "Writing to memory"): validate,
 * check the folder and the budget, sign the record for the next version, and
 * commit it with the store's compare-and-set script; on a concurrent write,
 * sign again for the new version. Writes to one domain from this process go
 * one at a time, so retries only happen between coordinators.
 * After the commit, a signed notification tells idle replicas to catch up.
 */
import type { Keyring } from '../../../shared/envelope/index.js';
import type { Logger } from '../../../shared/log/logger.js';
import type { MemoryStore, WriteOutcome } from '../../../shared/memory/memory-store.js';
import type { MemoryMetrics, WriteOutcomeLabel } from '../../../shared/memory/metrics.js';
import { sealNotification } from '../../../shared/memory/notification.js';
import { memoryKeyring, openRecord, sealRecord, MAX_SOURCE_BYTES_LIMIT, type WrittenRecord } from '../../../shared/memory/record.js';
import { sourceNameProblem } from '../../../shared/memory/source-name.js';
import { splitLines } from '../../../shared/text/lines.js';
import { estimateTokens } from '../../../shared/text/tokens.js';
import type { DeleteSourceResponse, DomainFullDetails, PutSourceResponse, WrittenSourceResponse } from '../../../shared/api/sources.js';
import type { ShardDirectory } from '../fanout/shard-directory.js';

/** A failure the HTTP layer turns into an error response; `details` join the error object. */
export class SourceWriteError extends Error {
  constructor(
    readonly status: 400 | 404 | 409 | 412 | 413 | 503,
    readonly code: string,
    message: string,
    readonly details: Record<string, number | string[]> = {},
  ) {
    super(message);
  }
}

export interface SourceWriterDeps {
  store: MemoryStore;
  directory: ShardDirectory;
  /** The coordinator's signing keys (MEMFLEET_HMAC_KEYS); memoryKeyring picks the domain's. */
  queryKeys: Keyring;
  maxSourceBytes: number;
  metrics: MemoryMetrics;
  log: Logger;
  now?: () => number;
}

export interface PutRequest {
  shard: string;
  source: string;
  text: string;
  ttlSec?: number | undefined;
  ifMatch?: number | undefined;
}

/** Commit attempts before giving up on a domain that other coordinators keep writing to. */
const MAX_ATTEMPTS = 100;

export class SourceWriter {
  private readonly chains = new Map<string, Promise<unknown>>();
  private readonly now: () => number;

  constructor(private readonly deps: SourceWriterDeps) {
    this.now = deps.now ?? Date.now;
  }

  async put(req: PutRequest): Promise<{ created: boolean; body: PutSourceResponse }> {
    const op = 'put';
    try {
      const text = stripBom(req.text);
      this.checkName(req.source);
      const bytes = Buffer.byteLength(text, 'utf8');
      if (text.trim() === '') throw new SourceWriteError(400, 'empty_body', 'body: the document is empty; send its text (text/plain, text/markdown, or JSON {"text": "…"}), or DELETE the source to forget it.');
      if (bytes > this.deps.maxSourceBytes) {
        throw new SourceWriteError(413, 'source_too_large', `body: the document is ${bytes} bytes; one source may hold at most ${this.deps.maxSourceBytes} (MAX_SOURCE_BYTES): split it into several sources.`);
      }
      const folder = await this.folderOf(req.shard);
      if (await this.deps.store.isFolderSource(req.shard, req.source)) throw folderSource(req.shard, req.source);
      const lines = splitLines(text).length;
      const tokens = estimateTokens(text);
      const allowance = folder.budget - folder.tokens;
      const result = await this.commit(req.shard, req.source, (version, writtenAt) => {
        const expiresAt = req.ttlSec === undefined ? null : writtenAt + req.ttlSec * 1000;
        return {
          record: { kind: 'memfleet.written-source', op: 'put', domain: req.shard, source: req.source, version, writtenAt, text, expiresAt },
          tokens,
          lines,
          expiresAt: expiresAt ?? 0,
          ifMatch: req.ifMatch,
          allowance,
        };
      });
      if (result.outcome.kind === 'full') {
        const details: DomainFullDetails = { budget: folder.budget, used: folder.tokens + result.outcome.writtenTokens, needed: tokens };
        throw new SourceWriteError(
          413,
          'domain_full',
          `Domain ${req.shard} is full: its budget is ${details.budget} tokens, ${details.used} are used, and this document needs ${details.needed}. Forget (DELETE) sources you no longer need, shorten the document, or raise MAX_DOMAIN_TOKENS on the shard.`,
          { ...details },
        );
      }
      this.refuse(result.outcome, req.shard, req.source);
      const { version, existed } = result.outcome as { version: number; existed: boolean };
      this.deps.metrics.writes.inc({ shard: req.shard, op, outcome: existed ? 'replaced' : 'created' });
      const expiresAt = req.ttlSec === undefined ? null : new Date(result.writtenAt + req.ttlSec * 1000).toISOString();
      return { created: !existed, body: { shard: req.shard, source: req.source, lines, tokens, version, expiresAt } };
    } catch (err) {
      this.count(req.shard, op, err);
      throw err;
    }
  }

  async delete(req: { shard: string; source: string; ifMatch?: number | undefined }, reason: 'deleted' | 'expired' = 'deleted'): Promise<DeleteSourceResponse> {
    const op = reason === 'expired' ? 'expire' : 'delete';
    try {
      this.checkName(req.source);
      await this.folderOf(req.shard);
      if (await this.deps.store.isFolderSource(req.shard, req.source)) throw folderSource(req.shard, req.source);
      const result = await this.commit(req.shard, req.source, (version, writtenAt) => ({
        record: { kind: 'memfleet.written-source', op: 'delete', domain: req.shard, source: req.source, version, writtenAt, reason },
        tokens: 0,
        lines: 0,
        expiresAt: 0,
        ifMatch: req.ifMatch,
        allowance: Number.MAX_SAFE_INTEGER,
      }));
      this.refuse(result.outcome, req.shard, req.source);
      const { version } = result.outcome as { version: number };
      this.deps.metrics.writes.inc({ shard: req.shard, op, outcome: 'deleted' });
      return { shard: req.shard, source: req.source, version };
    } catch (err) {
      this.count(req.shard, op, err);
      throw err;
    }
  }

  /** One written source's text, verified like a replica verifies it. */
  async read(shard: string, source: string): Promise<WrittenSourceResponse> {
    this.checkName(source);
    await this.folderOf(shard);
    if (await this.deps.store.isFolderSource(shard, source)) {
      throw new SourceWriteError(409, 'folder_source', `${source} is a folder source of ${shard}, not a written one: read its lines with GET /v1/shards/${shard}/lines?source=${encodeURIComponent(source)}.`);
    }
    const [head, stored] = await Promise.all([this.deps.store.head(shard, source), this.deps.store.record(shard, source)]);
    const now = this.now();
    const opened = stored === undefined ? undefined : openRecord(stored, { domain: shard, source }, memoryKeyring(this.deps.queryKeys, shard), MAX_SOURCE_BYTES_LIMIT);
    if (head === undefined || opened === undefined || (head.expiresAt !== null && head.expiresAt <= now)) throw unknownSource(shard, source);
    if (!opened.ok) {
      this.deps.log.warn({ shard, source, reason: opened.reason }, 'stored written source failed verification');
      throw new SourceWriteError(409, 'unverifiable', `The stored record of ${source} failed verification (${opened.reason}): write the source again.`);
    }
    const r = opened.record;
    if (r.op !== 'put') throw unknownSource(shard, source);
    return {
      shard,
      source,
      origin: 'written',
      version: r.version,
      lines: head.lines,
      tokens: head.tokens,
      text: r.text,
      writtenAt: new Date(r.writtenAt).toISOString(),
      expiresAt: r.expiresAt === null ? null : new Date(r.expiresAt).toISOString(),
    };
  }

  /** Writes a signed tombstone for every source of `shard` whose expiry has passed (the expiry sweeper). */
  async expire(shard: string): Promise<number> {
    let n = 0;
    for (const source of await this.deps.store.expired(shard, this.now())) {
      const head = await this.deps.store.head(shard, source);
      if (head === undefined || head.expiresAt === null || head.expiresAt > this.now()) continue;
      // If-Match on the expired version: a re-write that raced the sweep is left alone.
      await this.delete({ shard, source, ifMatch: head.version }, 'expired').then(
        () => n++,
        () => undefined,
      );
    }
    return n;
  }

  private async commit(
    shard: string,
    source: string,
    build: (version: number, writtenAt: number) => { record: WrittenRecord; tokens: number; lines: number; expiresAt: number; ifMatch: number | undefined; allowance: number },
  ): Promise<{ outcome: WriteOutcome; writtenAt: number }> {
    return this.serialised(shard, async () => {
      const keyring = memoryKeyring(this.deps.queryKeys, shard);
      let expected = await this.deps.store.version(shard);
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const writtenAt = this.now();
        const w = build(expected + 1, writtenAt);
        const outcome = await this.deps.store.write({
          domain: shard,
          source,
          op: w.record.op,
          expectedVersion: expected,
          record: sealRecord(w.record, keyring),
          tokens: w.tokens,
          lines: w.lines,
          expiresAt: w.expiresAt,
          writtenAt,
          ifMatch: w.ifMatch,
          allowance: w.allowance,
          now: writtenAt,
        });
        if (outcome.kind === 'retry') {
          expected = outcome.current;
          continue;
        }
        if (outcome.kind === 'ok') {
          const note = sealNotification({ kind: 'memfleet.write', domain: shard, version: outcome.version, writtenAt }, keyring);
          // The write is committed: a lost notification only delays idle replicas until their next job.
          await this.deps.store.publish(shard, note).catch((err: unknown) => this.deps.log.warn({ err, shard }, 'could not publish a write notification'));
          this.deps.log.info({ shard, source, op: w.record.op, version: outcome.version }, 'source written');
        }
        return { outcome, writtenAt };
      }
      throw new SourceWriteError(503, 'write_contention', `Domain ${shard} is being written too often to commit this write: retry in a moment.`);
    });
  }

  private serialised<T>(shard: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.chains.get(shard) ?? Promise.resolve();
    const next = previous.then(fn, fn);
    const settled = next.then(
      () => undefined,
      () => undefined,
    );
    this.chains.set(shard, settled);
    void settled.then(() => {
      if (this.chains.get(shard) === settled) this.chains.delete(shard);
    });
    return next;
  }

  private checkName(source: string): void {
    const problem = sourceNameProblem(source);
    if (problem !== undefined) throw new SourceWriteError(400, 'invalid_source', `source: the name ${problem}.`);
  }

  private async folderOf(shard: string): Promise<{ budget: number; tokens: number }> {
    const folder = await this.deps.store.folder(shard);
    if (folder !== undefined) return folder;
    const { live, known } = await this.deps.directory.snapshot();
    const names = [...new Set([...known, ...live.map((s) => s.shard)])].sort();
    throw new SourceWriteError(
      404,
      'unknown_shard',
      `No shard ${shard}: ${names.length > 0 ? `known shards are ${names.join(', ')}` : 'no shard has started yet'}. A domain exists once one of its replicas has started.`,
      { known: names },
    );
  }

  private refuse(outcome: WriteOutcome, shard: string, source: string): void {
    if (outcome.kind === 'missing') throw unknownSource(shard, source);
    if (outcome.kind === 'precondition') {
      throw new SourceWriteError(
        412,
        'precondition_failed',
        `If-Match: ${source} is at version ${outcome.current}${outcome.current === 0 ? ' (it does not exist)' : ''}, not the one you sent: it changed since you read it. Read it again, merge, and retry with If-Match: ${outcome.current}.`,
        { current: outcome.current },
      );
    }
  }

  private count(shard: string, op: string, err: unknown): void {
    const label: WriteOutcomeLabel =
      err instanceof SourceWriteError
        ? (({ 404: err.code === 'unknown_shard' ? 'unknown_shard' : 'not_found', 409: 'folder_source', 412: 'precondition_failed', 413: err.code === 'domain_full' ? 'domain_full' : 'invalid', 400: 'invalid', 503: 'error' } as const)[err.status] ?? 'error')
        : 'error';
    this.deps.metrics.writes.inc({ shard: label === 'unknown_shard' ? 'unknown' : shard, op, outcome: label });
  }
}

function folderSource(shard: string, source: string): SourceWriteError {
  return new SourceWriteError(409, 'folder_source', `${source} is a file of ${shard}'s folder, which is read-only through the API: change the file and restart the shard, or write under another name (e.g. notes/${source}).`);
}

function unknownSource(shard: string, source: string): SourceWriteError {
  return new SourceWriteError(404, 'unknown_source', `${shard} has no written source ${source}: GET /v1/shards/${shard}/sources lists them.`);
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
