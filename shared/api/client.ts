/**
 * The coordinator's HTTP API as typed calls, for the CLI (`ask`, `status`,
 * `up`), the MCP server and the tests. Requests are checked with the same
 * schemas the coordinator uses, so a bad argument gets the coordinator's
 * message without a round trip; answers are checked against the response
 * schemas, so a client never works on a shape it does not know.
 */
import type { z } from 'zod';
import { describeRequestIssues } from './errors.js';
import { QUERY_BODY_KEYS, queryBodySchema, QueryResponseSchema, type QueryBody, type QueryResponse, StoredQuerySchema, type StoredQuery } from './query.js';
import { ShardListSchema, type ShardRow } from './shards.js';
import {
  DeleteSourceResponseSchema,
  PutSourceResponseSchema,
  SourceLinesSchema,
  SourceListSchema,
  WrittenSourceSchema,
  type DeleteSourceResponse,
  type PutSourceResponse,
  type SourceLines,
  type SourceList,
  type WrittenSourceResponse,
} from './sources.js';

function sourcePath(shard: string, source: string): string {
  return `/v1/shards/${encodeURIComponent(shard)}/sources/${source.split('/').map(encodeURIComponent).join('/')}`;
}

function ifMatchHeader(version: number | undefined): Record<string, string> {
  return version === undefined ? {} : { 'if-match': `"${version}"` };
}
import { SupervisorListSchema, type SupervisorList } from './supervisor.js';

export class ClientError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    readonly code?: string,
  ) {
    super(message);
  }
}

export interface ClientOptions {
  url: string;
  token?: string | undefined;
  /** Client-side timeout (ms) for one request. */
  timeoutMs?: number;
}

/** One request to the coordinator; the answer's JSON, unchecked. Prefer CoordinatorClient's typed methods. */
export async function callCoordinator<T>(opts: ClientOptions, method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
  return (await requestCoordinator<T>(opts, method, path, body)).json;
}

/** callCoordinator with extra headers (If-Match), and the HTTP status (201 created vs 200 replaced). */
export async function requestCoordinator<T>(
  opts: ClientOptions,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  path: string,
  body?: unknown,
  extraHeaders: Record<string, string> = {},
): Promise<{ status: number; json: T }> {
  const headers: Record<string, string> = { accept: 'application/json', ...extraHeaders };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let res: Response;
  try {
    res = await fetch(new URL(path, opts.url), {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(opts.timeoutMs ?? 120_000),
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
  if (!res.ok && res.status !== 202) {
    const e = (json as { error?: { code?: string; message?: string } } | undefined)?.error;
    throw new ClientError(e?.message ? `${e.message} (HTTP ${res.status} ${e.code ?? ''})`.trim() : `HTTP ${res.status}`, res.status, e?.code);
  }
  return { status: res.status, json: json as T };
}

/** What `ask` sends: the query body, with an empty `shards` list meaning "every shard". */
export type AskInput = { [K in keyof QueryBody]?: QueryBody[K] | undefined } & { question: string };

export class CoordinatorClient {
  constructor(private readonly opts: ClientOptions) {}

  get url(): string {
    return this.opts.url;
  }

  /** POST /v1/query. Throws ClientError with the coordinator's own message for a body it would refuse. */
  async ask(input: AskInput): Promise<QueryResponse> {
    const body: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(input)) {
      if (value === undefined || (key === 'shards' && Array.isArray(value) && value.length === 0)) continue;
      body[key] = value;
    }
    // The coordinator knows its MAX_QUERY_TIMEOUT_MS; the client checks everything else.
    const checked = queryBodySchema(Number.MAX_SAFE_INTEGER).safeParse(body);
    if (!checked.success) throw new ClientError(describeRequestIssues(checked.error, QUERY_BODY_KEYS), 400, 'invalid_body');
    return this.checked('POST /v1/query', QueryResponseSchema, await callCoordinator(this.opts, 'POST', '/v1/query', body));
  }

  /** GET /v1/queries/:id: done, running (HTTP 202) or failed. */
  async storedQuery(id: string): Promise<StoredQuery> {
    return this.checked('GET /v1/queries/:id', StoredQuerySchema, await callCoordinator(this.opts, 'GET', `/v1/queries/${encodeURIComponent(id)}`));
  }

  /** GET /v1/shards. */
  async shards(): Promise<ShardRow[]> {
    return this.checked('GET /v1/shards', ShardListSchema, await callCoordinator(this.opts, 'GET', '/v1/shards'));
  }

  /** GET /v1/shards/:shard/sources. */
  async sources(shard: string): Promise<SourceList> {
    return this.checked('GET /v1/shards/:shard/sources', SourceListSchema, await callCoordinator(this.opts, 'GET', `/v1/shards/${encodeURIComponent(shard)}/sources`));
  }

  /** GET /v1/shards/:shard/lines: lines from..to (1-based, inclusive) of one source. */
  async lines(shard: string, source: string, from?: number, to?: number): Promise<SourceLines> {
    const q = new URLSearchParams({ source });
    if (from !== undefined) q.set('from', String(from));
    if (to !== undefined) q.set('to', String(to));
    const route = 'GET /v1/shards/:shard/lines';
    return this.checked(route, SourceLinesSchema, await callCoordinator(this.opts, 'GET', `/v1/shards/${encodeURIComponent(shard)}/lines?${q.toString()}`));
  }

  /** PUT /v1/shards/:shard/sources/*: create (created: true, HTTP 201) or replace a written source. */
  async remember(input: { shard: string; source: string; text: string; ttlSec?: number | undefined; ifMatch?: number | undefined }): Promise<PutSourceResponse & { created: boolean }> {
    const route = 'PUT /v1/shards/:shard/sources/*';
    const query = input.ttlSec !== undefined ? `?ttl=${input.ttlSec}` : '';
    const { status, json } = await requestCoordinator(this.opts, 'PUT', `${sourcePath(input.shard, input.source)}${query}`, { text: input.text }, ifMatchHeader(input.ifMatch));
    return { ...this.checked(route, PutSourceResponseSchema, json), created: status === 201 };
  }

  /** DELETE /v1/shards/:shard/sources/*: forget a written source. */
  async forget(input: { shard: string; source: string; ifMatch?: number | undefined }): Promise<DeleteSourceResponse> {
    const { json } = await requestCoordinator(this.opts, 'DELETE', sourcePath(input.shard, input.source), undefined, ifMatchHeader(input.ifMatch));
    return this.checked('DELETE /v1/shards/:shard/sources/*', DeleteSourceResponseSchema, json);
  }

  /** GET /v1/shards/:shard/sources/*: one written source's text and version. */
  async writtenSource(shard: string, source: string): Promise<WrittenSourceResponse> {
    return this.checked('GET /v1/shards/:shard/sources/*', WrittenSourceSchema, await callCoordinator(this.opts, 'GET', sourcePath(shard, source)));
  }

  /** GET /v1/supervisor: the processes `memfleet up` supervises (empty list without `up`). */
  async supervisors(): Promise<SupervisorList> {
    return this.checked('GET /v1/supervisor', SupervisorListSchema, await callCoordinator(this.opts, 'GET', '/v1/supervisor'));
  }

  private checked<S extends z.ZodType>(route: string, schema: S, json: unknown): z.output<S> {
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue ? `${issue.path.map(String).join('.') || 'body'}: ${issue.message}` : 'unknown';
      throw new ClientError(`The coordinator at ${this.opts.url} answered ${route} with an unexpected shape (${where}): run the same memfleet version on both sides.`);
    }
    // The answer as sent (not the parsed copy, which would drop fields this version does not know).
    return json as z.output<S>;
  }
}
