/**
 * The coordinator's use case: one question in, one merged, cited answer out.
 * Picks shards, fans out against one deadline, merges, records the result.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from '../../../shared/log/logger.js';
import type { FleetMetrics } from '../../../shared/metrics/registry.js';
import type { QueryJob } from '../../../shared/queues/schemas.js';
import type { QueryStore } from '../data-access/query-store.js';
import type { Dispatcher } from '../fanout/dispatcher.js';
import type { ShardDirectory } from '../fanout/shard-directory.js';
import { mergeReplies, type ShardReply } from '../merge/merge.js';
import { selectShards, type QueryMode } from '../routing/select-shards.js';
import type { QueryResponse } from './types.js';

export interface QueryRequest {
  question: string;
  shards?: string[];
  mode: QueryMode;
  topK: number;
  timeoutMs: number;
}

/** A failure the HTTP layer turns into an error response. */
export class QueryError extends Error {
  constructor(
    readonly status: 400 | 503,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function newQueryId(): string {
  return `q_${randomBytes(12).toString('base64url')}`;
}

export class QueryService {
  constructor(
    private readonly directory: ShardDirectory,
    private readonly dispatcher: Dispatcher,
    private readonly store: QueryStore,
    private readonly metrics: FleetMetrics,
    private readonly log: Logger,
  ) {}

  async run(request: QueryRequest): Promise<QueryResponse> {
    const started = performance.now();
    const id = newQueryId();
    const { live, known } = await this.directory.snapshot();
    const selection = selectShards(
      live.map((s) => s.shard),
      known,
      request.shards,
    );
    if (!selection.ok) {
      this.metrics.queryDuration.observe({ mode: request.mode, outcome: selection.code }, (performance.now() - started) / 1000);
      throw new QueryError(selection.code === 'no_shards' ? 503 : 400, selection.code, selection.message);
    }

    const deadline = Date.now() + request.timeoutMs;
    const createdAt = Date.now();
    await this.store.put({ id, status: 'running', createdAt, deadline, question: request.question });

    const job: QueryJob = { queryId: id, question: request.question, topK: request.topK, deadline, conversation: [] };
    const replies = await Promise.all(selection.shards.map((shard) => this.askOne(shard, job)));
    const merged = mergeReplies(replies, { topK: request.topK });
    const latencyMs = Math.round((performance.now() - started) * 100) / 100;
    const response: QueryResponse = {
      id,
      answer: merged.answer,
      citations: merged.citations,
      shards: replies.map((r) => r.outcome),
      latencyMs,
      usage: merged.usage,
    };
    const okCount = response.shards.filter((s) => s.status === 'ok').length;
    const outcome = okCount === response.shards.length ? 'ok' : okCount > 0 ? 'partial' : 'failed';
    this.metrics.queryDuration.observe({ mode: request.mode, outcome }, latencyMs / 1000);
    await this.store.put({ id, status: 'done', createdAt, deadline, question: request.question, result: response }).catch((err: unknown) => {
      this.log.warn({ err, queryId: id }, 'could not store the query result');
    });
    this.log.info(
      {
        queryId: id,
        mode: request.mode,
        outcome,
        latencyMs,
        citations: response.citations.length,
        shards: Object.fromEntries(response.shards.map((s) => [s.shard, { status: s.status, ms: s.latencyMs, replica: s.replica }])),
      },
      'query answered',
    );
    return response;
  }

  private async askOne(shard: string, job: QueryJob): Promise<ShardReply> {
    try {
      return await this.dispatcher.ask(shard, job);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      return { outcome: { shard, status: 'error', latencyMs: 0, error: `could not enqueue: ${message}` } };
    }
  }
}
