/** The coordinator routes the MCP server uses, typed. Same HTTP client as the CLI. */
import { callCoordinator, type ClientOptions } from '../cli/client/coordinator-client.js';
import type { QueryResponse, ShardRow } from '../coordinator/domain/types.js';
import type { SourceList, SourceLines } from '../coordinator/domain/source-reader.js';
import type { DeleteSourceResponse, PutSourceResponse } from '../../shared/api/sources.js';
import { deleteSource, putSource } from '../cli/client/sources-client.js';

export type { ShardRow } from '../coordinator/domain/types.js';
export type { SourceList, SourceLines } from '../coordinator/domain/source-reader.js';

export interface AskInput {
  question: string;
  shards?: string[] | undefined;
  mode?: 'broadcast' | 'routed' | undefined;
  topK?: number | undefined;
}

export class CoordinatorApi {
  constructor(private readonly opts: ClientOptions) {}

  get url(): string {
    return this.opts.url;
  }

  ask(input: AskInput): Promise<QueryResponse> {
    const body: Record<string, unknown> = { question: input.question };
    if (input.shards && input.shards.length > 0) body.shards = input.shards;
    if (input.mode) body.mode = input.mode;
    if (input.topK) body.topK = input.topK;
    return callCoordinator<QueryResponse>(this.opts, 'POST', '/v1/query', body);
  }

  shards(): Promise<ShardRow[]> {
    return callCoordinator<ShardRow[]>(this.opts, 'GET', '/v1/shards');
  }

  sources(shard: string): Promise<SourceList> {
    return callCoordinator<SourceList>(this.opts, 'GET', `/v1/shards/${encodeURIComponent(shard)}/sources`);
  }

  remember(input: { shard: string; source: string; text: string; ttlSec?: number | undefined; ifMatch?: number | undefined }): Promise<PutSourceResponse & { created: boolean }> {
    return putSource(this.opts, input);
  }

  forget(input: { shard: string; source: string; ifMatch?: number | undefined }): Promise<DeleteSourceResponse> {
    return deleteSource(this.opts, input);
  }

  lines(shard: string, source: string, from?: number, to?: number): Promise<SourceLines> {
    const q = new URLSearchParams({ source });
    if (from !== undefined) q.set('from', String(from));
    if (to !== undefined) q.set('to', String(to));
    return callCoordinator<SourceLines>(this.opts, 'GET', `/v1/shards/${encodeURIComponent(shard)}/lines?${q.toString()}`);
  }
}
