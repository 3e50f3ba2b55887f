/**
 * One read job: the lines of a source (or the list of sources) of this shard's
 * domain, for the console's "open citation" view and MCP resources.
 *
 * Path-safe by construction: a source is looked up by its exact name among the
 * files loaded at start, never joined onto a filesystem path, so "../x" or an
 * absolute path is simply an unknown source. Ranges are clamped to the file and
 * capped (MAX_READ_LINES, MAX_READ_BYTES) so a result always fits one envelope.
 */
import { signEnvelope, type Envelope, type Keyring, type NonceCache } from '../../../shared/envelope/index.js';
import type { FleetMetrics } from '../../../shared/metrics/registry.js';
import type { Logger } from '../../../shared/log/logger.js';
import { MAX_READ_BYTES, MAX_READ_LINES, ReadJobSchema, type ReadJob, type ReadResult, type SourceInfo } from '../../../shared/queues/schemas.js';
import type { DomainContext, SourceFile } from '../domain/domain-context.js';
import { RejectedJobError, type IncomingJob } from './job.js';
import type { MemoryVersion } from './handle-query.js';
import { verifyJob } from './verify-job.js';

/** The domain's sources by exact name, built once at start. */
export interface SourceIndex {
  byName: ReadonlyMap<string, SourceFile>;
  list: readonly SourceFile[];
}

/** Folder sources first, then written ones (a written source never shadows a folder file: see written-state.ts). */
export function indexSources(ctx: DomainContext, written: readonly SourceFile[] = []): SourceIndex {
  const list = written.length === 0 ? ctx.sources : [...ctx.sources, ...written];
  return { byName: new Map(list.map((s) => [s.source, s])), list };
}

export interface HandleReadDeps {
  shard: string;
  replica: string;
  /** The current index: written sources change it at runtime. */
  sources: () => SourceIndex;
  memory?: MemoryVersion;
  queryKeys: Keyring;
  resultKeys: Keyring;
  toleranceSec: number;
  metrics: FleetMetrics;
  log: Logger;
}

export async function handleRead(job: IncomingJob, nonceCache: NonceCache, deps: HandleReadDeps): Promise<Envelope> {
  const pickedAt = Date.now();
  const read = await verifyJob(job, nonceCache, ReadJobSchema, 'read', deps);
  if (read.deadline <= pickedAt) {
    deps.metrics.jobsProcessed.inc({ shard: deps.shard, outcome: 'expired' });
    throw new RejectedJobError('expired', `deadline passed ${pickedAt - read.deadline} ms before a replica picked the read up`);
  }
  const version = deps.memory ? await deps.memory.ensure(read.version) : undefined;
  const result = answerRead(deps.sources(), read, { shard: deps.shard, replica: deps.replica });
  if (result.op === 'sources' && version !== undefined) result.version = version;
  deps.log.debug({ jobId: job.id, op: read.op, outcome: result.op }, 'read answered');
  return signEnvelope(JSON.stringify(result), deps.resultKeys);
}

/** Pure: what a read job returns for this domain. */
export function answerRead(index: SourceIndex, read: ReadJob, who: { shard: string; replica: string }): ReadResult {
  const base = { requestId: read.requestId, shard: who.shard, replica: who.replica };
  if (read.op === 'sources') {
    const sources: SourceInfo[] = [];
    let bytes = 0;
    for (const s of index.list) {
      const info: SourceInfo = s.written
        ? { source: s.source, lines: s.lines.length, tokens: s.tokens, origin: 'written', version: s.written.version, expiresAt: s.written.expiresAt }
        : { source: s.source, lines: s.lines.length, tokens: s.tokens, origin: 'folder' };
      bytes += Buffer.byteLength(JSON.stringify(info));
      if (bytes > MAX_READ_BYTES) break;
      sources.push(info);
    }
    return { op: 'sources', ...base, sources, truncated: sources.length < index.list.length, total: index.list.length };
  }

  const file = index.byName.get(read.source);
  if (!file) {
    const shown = read.source.length > 200 ? `${read.source.slice(0, 200)}…` : read.source;
    return {
      op: 'error',
      ...base,
      code: 'unknown_source',
      message: `Domain ${who.shard} has no source "${shown}": sources are paths relative to the domain folder, as listed by GET /v1/shards/${who.shard}/sources.`,
    };
  }
  const total = file.lines.length;
  if (total === 0) return { op: 'lines', ...base, source: file.source, line: 1, endLine: 0, totalLines: 0, lines: [], truncated: false };
  if (read.line > total) {
    return { op: 'error', ...base, code: 'out_of_range', message: `${file.source} has ${total} lines; ask for lines 1-${total}.` };
  }
  const wantedEnd = Math.min(Math.max(read.endLine, read.line), total);
  const cappedEnd = Math.min(wantedEnd, read.line + MAX_READ_LINES - 1);
  const lines: string[] = [];
  let bytes = 0;
  for (let n = read.line; n <= cappedEnd; n++) {
    let text = file.lines[n - 1] ?? '';
    const size = Buffer.byteLength(text) + 8;
    if (lines.length > 0 && bytes + size > MAX_READ_BYTES) break;
    // A single enormous line still comes back, cut, so the reader sees something.
    if (size > MAX_READ_BYTES) text = `${text.slice(0, MAX_READ_BYTES / 4)}…`;
    bytes += size;
    lines.push(text);
  }
  const endLine = read.line + lines.length - 1;
  return { op: 'lines', ...base, source: file.source, line: read.line, endLine, totalLines: total, lines, truncated: endLine < wantedEnd };
}
