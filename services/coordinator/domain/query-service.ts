/**
 * The coordinator's use case: one question in, one merged, cited answer out.
 * Picks shards, fans out against one deadline, merges, records the result.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from '../../../shared/log/logger.js';
import type { FleetMetrics } from '../../../shared/metrics/registry.js';
import type { QueryJob, Unaddressed } from '../../../shared/queues/schemas.js';
import type { QueryStore } from '../data-access/query-store.js';
import type { Dispatcher } from '../fanout/dispatcher.js';
import type { ShardDirectory } from '../fanout/shard-directory.js';
import { addUsage, mergeReplies, type ShardReply } from './merge.js';
import { breadthFor } from './evidence-breadth.js';
import { selectShards, type QueryMode } from './routing/select-shards.js';
import type { ManifestCache } from './routing/manifest-cache.js';
import { routeQuestion } from './routing/route-by-terms.js';
import { analyzeText } from '../../../shared/text/text-analysis.js';
import { fleetTermStats, type FleetTermStats } from '../../../shared/text/fleet-term-stats.js';
import { downShardReplies } from './down-shards.js';
import { combineOutcomes, combineParts, partQueryId, questionParts } from './question-parts.js';
import type { Synthesizer } from './synthesis/synthesizer.js';
import type { QueryResponse } from '../../../shared/api/query.js';

export interface QueryRequest {
  question: string;
  shards?: string[];
  mode: QueryMode;
  topK: number;
  timeoutMs: number;
  /** Synthesise the merged answer with Claude; undefined follows SYNTHESIS. */
  synthesize?: boolean;
}

/** Whether and how merged answers are synthesised (services/coordinator/domain/synthesis). */
export interface SynthesisPolicy {
  /** Undefined when the coordinator has no API key. */
  synthesizer: Synthesizer | undefined;
  byDefault: boolean;
}

/** Answer-quality policy (calibrated by npm run eval, see docs/quality.md). */
export interface QualityPolicy {
  /** When no citation scores this much the answer says nothing was found, confidence none (MIN_SCORE). */
  minScore: number;
  /** Citations from this score are confidence high, below it low (HIGH_SCORE); 0 when unset. */
  highScore?: number;
  /** Term statistics for routed mode and fleet-wide IDF; without it routed queries are broadcast and shards weigh terms by their own IDF. */
  manifests?: ManifestCache;
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
    private readonly synthesis: SynthesisPolicy = { synthesizer: undefined, byDefault: false },
    private readonly quality: QualityPolicy = { minScore: 0 },
  ) {}

  async run(request: QueryRequest): Promise<QueryResponse> {
    const started = performance.now();
    const id = newQueryId();
    const wantSynthesis = request.synthesize ?? this.synthesis.byDefault;
    const synthesizer = wantSynthesis ? this.synthesis.synthesizer : undefined;
    if (wantSynthesis && !synthesizer) {
      throw new QueryError(400, 'synthesis_unavailable', 'synthesize: true needs ANTHROPIC_API_KEY on the coordinator: set it (SYNTHESIS=on makes synthesis the default), or drop the flag.');
    }
    const { live, known, jobFields } = await this.directory.snapshot();
    const liveShards = live.map((s) => s.shard);
    const selection = selectShards(liveShards, known, request.shards);
    if (!selection.ok) {
      this.metrics.queryDuration.observe({ mode: request.mode, outcome: selection.code }, (performance.now() - started) / 1000);
      throw new QueryError(selection.code === 'no_shards' ? 503 : 400, selection.code, selection.message);
    }

    const deadline = Date.now() + request.timeoutMs;
    const createdAt = Date.now();
    // Recorded while the jobs go out rather than a round trip before: store and dispatcher share one
    // connection, so Redis still applies this SET before any job exists. Its failure still fails the query.
    const recorded = this.store.put({ id, status: 'running', createdAt, deadline, question: request.question }).then(
      () => undefined,
      (err: unknown) => ({ err }),
    );

    // A two-part question is asked part by part, each with its own job id, and the answers interleaved (question-parts.ts).
    const parts = questionParts(request.question);
    const down = downShardReplies(request, selection.shards, known);
    const answered = await Promise.all(
      parts.map(async (part, index) => {
        const termStats = await this.termStats(part, liveShards);
        const job: Unaddressed<QueryJob> = { queryId: partQueryId(id, index), question: part, topK: request.topK, deadline, conversation: [], ...(termStats ? { termStats } : {}) };
        const targets = await this.route(request, part, selection.shards);
        // A domain with a replica too old for termStats gets the job without them (it would refuse it): rolling upgrades.
        const { termStats: _withheld, ...plainJob } = job;
        const asked = await Promise.all(targets.map((shard) => this.askOne(shard, jobFields.get(shard)?.has('termStats') ? job : plainJob)));
        const replies = [...asked, ...down];
        const breadthOf = breadthFor(termStats);
        const merged = mergeReplies(replies, {
          topK: request.topK,
          minScore: this.quality.minScore,
          highScore: this.quality.highScore ?? 0,
          ...(breadthOf ? { breadthOf } : {}),
        });
        return { question: part, merged, replies };
      }),
    );
    const notRecorded = await recorded;
    if (notRecorded) throw notRecorded.err;
    const merged = combineParts(answered, request.topK);
    const replies = answered.flatMap((a) => a.replies);
    const synthesized = synthesizer ? await synthesizer.synthesize(request.question, merged, replies) : undefined;
    const latencyMs = Math.round((performance.now() - started) * 100) / 100;
    const response: QueryResponse = {
      id,
      answer: synthesized?.answer ?? merged.answer,
      confidence: merged.confidence,
      citations: merged.citations,
      shards: combineOutcomes(answered.map((a) => a.replies.map((r) => r.outcome))),
      latencyMs,
      usage: synthesized ? addUsage(merged.usage, synthesized.usage) : merged.usage,
      ...(synthesized ? { synthesis: synthesized.info } : {}),
    };
    const okCount = response.shards.filter((s) => s.status === 'ok').length;
    const outcome = okCount === response.shards.length ? 'ok' : okCount > 0 ? 'partial' : 'failed';
    this.metrics.queryDuration.observe({ mode: request.mode, outcome }, latencyMs / 1000);
    // Not awaited: the SET leaves for Redis in the same tick as the answer leaves for the caller (corked with
    // whatever else this tick sends), and Redis applies it long before the caller can ask GET /v1/queries/:id
    // on any coordinator; waiting for its reply only added a round trip.
    void this.store.put({ id, status: 'done', createdAt, deadline, question: request.question, result: response }).catch((err: unknown) => {
      this.log.warn({ err, queryId: id }, 'could not store the query result');
    });
    this.log.info(
      {
        queryId: id,
        mode: request.mode,
        outcome,
        latencyMs,
        citations: response.citations.length,
        confidence: response.confidence,
        ...(parts.length > 1 ? { parts: parts.length } : {}),
        shards: Object.fromEntries(response.shards.map((s) => [s.shard, { status: s.status, ms: s.latencyMs, replica: s.replica }])),
      },
      'query answered',
    );
    return response;
  }

  /** Routed mode without named shards asks only the domains whose term statistics cover the question (routing/route-by-terms.ts). */
  private async route(request: QueryRequest, question: string, selected: string[]): Promise<string[]> {
    if (request.mode !== 'routed' || (request.shards && request.shards.length > 0) || !this.quality.manifests) return selected;
    return routeQuestion(question, await this.quality.manifests.domains(selected)).shards;
  }

  /**
   * Fleet-wide IDF statistics for the question (shared/text/fleet-term-stats.ts), summed over every live
   * domain's manifest whichever are asked, so a citation scores the same in broadcast and routed mode.
   */
  private async termStats(question: string, live: readonly string[]): Promise<FleetTermStats | undefined> {
    if (!this.quality.manifests || live.length === 0) return undefined;
    const domains = await this.quality.manifests.domains(live);
    return fleetTermStats(analyzeText(question), domains.map((d) => d.terms));
  }

  private async askOne(shard: string, job: Unaddressed<QueryJob>): Promise<ShardReply> {
    try {
      return await this.dispatcher.ask(shard, job);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      return { outcome: { shard, status: 'error', latencyMs: 0, error: `could not enqueue: ${message}` } };
    }
  }
}
