/**
 * Typed calls to the sources resource (docs/api.md, "Writing to memory"),
 * shared by the CLI's remember/forget/sources/export and the MCP tools.
 */
import type { DeleteSourceResponse, PutSourceResponse, SourceListResponse, WrittenSourceResponse } from '../../../shared/api/sources.js';
import { ClientError, type ClientOptions } from './coordinator-client.js';

function sourcePath(shard: string, source: string): string {
  return `/v1/shards/${encodeURIComponent(shard)}/sources/${source.split('/').map(encodeURIComponent).join('/')}`;
}

async function send<T>(opts: ClientOptions, method: 'GET' | 'PUT' | 'DELETE', path: string, init: { text?: string; ifMatch?: number | undefined } = {}): Promise<{ status: number; body: T }> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (init.text !== undefined) headers['content-type'] = 'text/markdown; charset=utf-8';
  if (init.ifMatch !== undefined) headers['if-match'] = `"${init.ifMatch}"`;
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let res: Response;
  try {
    res = await fetch(new URL(path, opts.url), {
      method,
      headers,
      ...(init.text !== undefined ? { body: init.text } : {}),
      signal: AbortSignal.timeout(opts.timeoutMs ?? 60_000),
    });
  } catch (err) {
    const cause = err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err);
    throw new ClientError(`No coordinator answered at ${opts.url} (${cause}): start one with "memfleet up --contexts DIR" or set MEMFLEET_URL.`);
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    throw new ClientError(`The coordinator at ${opts.url} answered ${res.status} with a body that is not JSON.`, res.status);
  }
  if (!res.ok) {
    const e = (json as { error?: { code?: string; message?: string } } | undefined)?.error;
    throw new ClientError(e?.message ? `${e.message} (HTTP ${res.status} ${e.code ?? ''})`.trim() : `HTTP ${res.status}`, res.status, e?.code);
  }
  return { status: res.status, body: json as T };
}

export async function putSource(
  opts: ClientOptions,
  req: { shard: string; source: string; text: string; ttlSec?: number | undefined; ifMatch?: number | undefined },
): Promise<PutSourceResponse & { created: boolean }> {
  const query = req.ttlSec !== undefined ? `?ttl=${req.ttlSec}` : '';
  const { status, body } = await send<PutSourceResponse>(opts, 'PUT', `${sourcePath(req.shard, req.source)}${query}`, { text: req.text, ifMatch: req.ifMatch });
  return { ...body, created: status === 201 };
}

export async function deleteSource(opts: ClientOptions, req: { shard: string; source: string; ifMatch?: number | undefined }): Promise<DeleteSourceResponse> {
  return (await send<DeleteSourceResponse>(opts, 'DELETE', sourcePath(req.shard, req.source), { ifMatch: req.ifMatch })).body;
}

export async function getWrittenSource(opts: ClientOptions, shard: string, source: string): Promise<WrittenSourceResponse> {
  return (await send<WrittenSourceResponse>(opts, 'GET', sourcePath(shard, source))).body;
}

export async function listSources(opts: ClientOptions, shard: string): Promise<SourceListResponse> {
  return (await send<SourceListResponse>(opts, 'GET', `/v1/shards/${encodeURIComponent(shard)}/sources`)).body;
}
