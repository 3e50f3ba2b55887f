/**
 * Reading a shard's source lines from the coordinator, which holds no domain
 * files: one signed `read` job through the shard's queue (docs/architecture.md,
 * "Reading sources"). Used by the console's citation view and MCP resources.
 */
import { randomBytes } from 'node:crypto';
import type { SourceLines, SourceList } from '../../../shared/api/sources.js';
import { READ_JOB_NAME, ReadResultSchema, type ReadJob, type ReadResult } from '../../../shared/queues/schemas.js';
import type { Dispatcher, SendOutcome } from '../fanout/dispatcher.js';
import type { ShardDirectory } from '../fanout/shard-directory.js';

/** A failure the HTTP layer turns into an error response. */
export class SourceReadError extends Error {
  constructor(
    readonly status: 400 | 404 | 502 | 503 | 504,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}


export class SourceReader {
  constructor(
    private readonly directory: ShardDirectory,
    private readonly dispatcher: Dispatcher,
    private readonly timeoutMs: number,
  ) {}

  async sources(shard: string): Promise<SourceList> {
    const res = await this.read(shard, { op: 'sources', requestId: newReadId(), deadline: Date.now() + this.timeoutMs });
    if (res.op !== 'sources') throw unexpected(shard);
    return { shard, replica: res.replica, ...(res.version !== undefined ? { version: res.version } : {}), sources: res.sources, truncated: res.truncated, total: res.total };
  }

  async lines(shard: string, source: string, from: number, to: number): Promise<SourceLines> {
    const res = await this.read(shard, { op: 'lines', requestId: newReadId(), deadline: Date.now() + this.timeoutMs, source, line: from, endLine: to });
    if (res.op === 'error') throw new SourceReadError(res.code === 'unknown_source' ? 404 : 400, res.code, res.message);
    if (res.op !== 'lines') throw unexpected(shard);
    return {
      shard,
      source: res.source,
      from: res.line,
      to: res.endLine,
      totalLines: res.totalLines,
      truncated: res.truncated,
      lines: res.lines.map((text, i) => ({ line: res.line + i, text })),
    };
  }

  private async read(shard: string, job: ReadJob): Promise<ReadResult> {
    const { live, known } = await this.directory.snapshot();
    if (!live.some((s) => s.shard === shard)) {
      if (known.includes(shard)) throw new SourceReadError(503, 'shard_unavailable', `Shard ${shard} has no live replica to read from: start one, or retry when GET /v1/shards shows it up.`);
      throw new SourceReadError(404, 'unknown_shard', `No shard ${shard}: GET /v1/shards lists the shards.`);
    }
    let sent: SendOutcome;
    try {
      // Read your writes: the replica that takes the read catches up to the version first.
      const version = await this.dispatcher.versionOf(shard);
      const body = version === undefined ? job : { ...job, version };
      sent = await this.dispatcher.send(shard, READ_JOB_NAME, `${job.requestId}.${shard}`, JSON.stringify(body), job.deadline);
    } catch (err) {
      throw new SourceReadError(503, 'redis_unavailable', `Could not enqueue the read (${err instanceof Error ? err.message : String(err)}): retry when /readyz reports ready.`);
    }
    if (sent.kind === 'timeout') {
      throw new SourceReadError(504, 'shard_timeout', `Shard ${shard} did not answer the read within ${this.timeoutMs} ms (job ${sent.state}); it may be busy with slow queries: retry.`);
    }
    if (sent.kind === 'failed') throw new SourceReadError(502, 'shard_error', `Shard ${shard} failed the read: ${sent.reason}`);
    if (sent.kind === 'rejected') throw new SourceReadError(502, 'shard_error', `Shard ${shard}'s read result failed verification (${sent.reason}).`);
    const parsed = ReadResultSchema.safeParse(safeJson(sent.body));
    if (!parsed.success || parsed.data.requestId !== job.requestId || parsed.data.shard !== shard) throw unexpected(shard);
    return parsed.data;
  }
}

export function newReadId(): string {
  return `r_${randomBytes(12).toString('base64url')}`;
}

function unexpected(shard: string): SourceReadError {
  return new SourceReadError(502, 'shard_error', `Shard ${shard} answered the read with an invalid or mismatched result: check that it runs the same memfleet version.`);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
