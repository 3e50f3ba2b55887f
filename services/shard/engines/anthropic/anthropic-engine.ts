/**
 * The Claude engine: each question is one Messages API call whose system
 * prompt is the whole domain (cached, see prompt.ts), answered as JSON with
 * line citations that are checked against the real lines before they leave
 * the shard (citation-check.ts). Usage and cost of every call go into the
 * result and the fleet's counters.
 */
import { createHash } from 'node:crypto';
import type Anthropic from '@anthropic-ai/sdk';
import { AuthenticationError, PermissionDeniedError } from '@anthropic-ai/sdk';
import { UnrecoverableError } from 'bullmq';
import { ConfigError } from '../../../../shared/config/errors.js';
import type { Logger } from '../../../../shared/log/logger.js';
import { redactText } from '../../../../shared/log/redact.js';
import type { FleetMetrics } from '../../../../shared/metrics/registry.js';
import { createAnthropicClient, describeLlmError, type FailureContext } from '../../../../shared/llm/anthropic-client.js';
import type { LlmSettings } from '../../../../shared/llm/llm-settings.js';
import { limitsFor, modelKey, type ModelLimits } from '../../../../shared/llm/model-limits.js';
import { countsFromApi, priceUsage, recordUsage } from '../../../../shared/llm/usage.js';
import type { Citation } from '../../../../shared/queues/schemas.js';
import type { DomainContext } from '../../domain/domain-context.js';
import { DomainLoadError } from '../../domain/load-domain.js';
import { estimateTokens } from '../../domain/tokens.js';
import type { Engine, EngineAnswer, EngineQuestion } from '../engine.js';
import { checkCitations, type Rejection } from './citation-check.js';
import { checkFit, QUESTION_ALLOWANCE_TOKENS } from './context-budget.js';
import { parseReply } from './parse-answer.js';
import { buildQuestionMessage, buildSystemPrompt, MAX_CITED_LINES, PROMPT_VERSION, systemBlocks } from './prompt.js';

export const NOTHING_IN_DOMAIN = 'No passage in this domain answers the question.';
/** Starts every answer that has no verified citation left, so nobody mistakes it for a supported one. */
export const UNVERIFIED_PREFIX = 'Unverified';

export interface AnthropicEngineOptions {
  ctx: DomainContext;
  settings: LlmSettings & { apiKey: string };
  /** SHARD_MODEL. */
  model: string;
  metrics: FleetMetrics;
  log: Logger;
  /** Characteristic terms for the manifest (routing); the engine itself has no index. */
  topTerms: (limit: number) => string[];
  /** Injected by tests; built from `settings` otherwise. */
  client?: Anthropic;
}

/** What start-up learned about the cached prefix (also logged). */
export interface PrefixInfo {
  chars: number;
  estimatedTokens: number;
  /** From the count-tokens API; undefined when the call failed (the estimate is used). */
  countedTokens: number | undefined;
  /** First 16 hex digits of SHA-256 over the prefix: equal on every replica of a domain. */
  sha256: string;
  cacheable: boolean;
}

export class AnthropicEngine implements Engine {
  readonly name = 'anthropic' as const;
  private cacheSeen = false;
  private uncachedCalls = 0;
  /** The call that is writing the prefix to the cache, while no call has been seen to cache it yet. */
  private firstWrite: Promise<void> | undefined;

  private constructor(
    private readonly opts: AnthropicEngineOptions,
    private readonly client: Anthropic,
    private readonly system: Anthropic.Messages.TextBlockParam[],
    private readonly sources: ReadonlyMap<string, readonly string[]>,
    private readonly limits: ModelLimits,
    readonly prefix: PrefixInfo,
    private readonly failure: FailureContext,
  ) {}

  /** Builds the prefix, counts it, and refuses a domain that cannot fit the model. */
  static async create(opts: AnthropicEngineOptions): Promise<AnthropicEngine> {
    const { ctx, settings, model, log } = opts;
    const client = opts.client ?? createAnthropicClient(settings, log);
    const prompt = buildSystemPrompt(ctx);
    const system = systemBlocks(prompt, settings.cacheTtl);
    const { limits, known } = limitsFor(settings.models, model);
    if (!known) {
      log.warn({ model, assumed: limits }, `${model} is not in the model table: assuming these limits; add it to LLM_MODELS_JSON to be exact`);
    }
    if (modelKey(settings.prices, model) === undefined) {
      log.warn({ model }, `${model} has no price in the price table: its cost is reported as 0; add it to LLM_PRICES_JSON`);
    }

    const estimatedTokens = estimateTokens(prompt);
    const countedTokens = await countPrefix(client, model, system, log);
    const prefixTokens = countedTokens ?? estimatedTokens;
    const fit = checkFit({
      domain: ctx.domain,
      model,
      modelVar: 'SHARD_MODEL',
      prefixTokens,
      countedBy: countedTokens === undefined ? 'offline estimate' : 'count_tokens API',
      variableTokens: QUESTION_ALLOWANCE_TOKENS,
      maxTokens: settings.maxTokens,
      limits,
    });
    if (!fit.fits) throw new DomainLoadError('over_budget', fit.message);

    const prefix: PrefixInfo = {
      chars: prompt.length,
      estimatedTokens,
      countedTokens,
      sha256: createHash('sha256').update(prompt).digest('hex').slice(0, 16),
      cacheable: prefixTokens >= limits.minCacheTokens,
    };
    if (!prefix.cacheable) {
      log.warn(
        { model, prefixTokens, minCacheTokens: limits.minCacheTokens },
        `context too short to cache: ${prefixTokens} tokens is under ${model}'s minimum cacheable prefix of ${limits.minCacheTokens}, so every question pays the full input price`,
      );
    }
    if (settings.effort !== undefined && !limits.supportsEffort) {
      log.info({ model, effort: settings.effort }, `LLM_EFFORT is not sent: ${model} is not marked as supporting effort (supportsEffort in LLM_MODELS_JSON)`);
    }
    log.info(
      {
        model,
        promptVersion: PROMPT_VERSION,
        prefixChars: prefix.chars,
        prefixTokensEstimated: estimatedTokens,
        prefixTokensCounted: countedTokens,
        prefixSha256: prefix.sha256,
        cacheTtl: settings.cacheTtl,
        minCacheTokens: limits.minCacheTokens,
        headroomTokens: fit.headroom,
      },
      'claude context ready',
    );

    const sources = new Map(ctx.sources.map((s) => [s.source, s.lines] as const));
    const failure: FailureContext = { model, modelVar: 'SHARD_MODEL', baseURL: settings.baseURL, maxRetries: settings.maxRetries, timeoutMs: settings.timeoutMs };
    return new AnthropicEngine(opts, client, system, sources, limits, prefix, failure);
  }

  async answer(q: EngineQuestion, signal?: AbortSignal): Promise<EngineAnswer> {
    const { settings, model, metrics, log, ctx } = this.opts;
    const question = buildQuestionMessage(q.question, q.topK);
    const variableTokens = estimateTokens(question) + q.conversation.reduce((n, t) => n + estimateTokens(t.content), 0);
    const fit = checkFit({
      domain: ctx.domain,
      model,
      modelVar: 'SHARD_MODEL',
      prefixTokens: this.prefix.countedTokens ?? this.prefix.estimatedTokens,
      countedBy: this.prefix.countedTokens === undefined ? 'offline estimate' : 'count_tokens API',
      variableTokens,
      maxTokens: settings.maxTokens,
      limits: this.limits,
    });
    if (!fit.fits) throw new UnrecoverableError(`anthropic engine: ${fit.message}`);

    const params: Anthropic.Messages.MessageCreateParamsNonStreaming = {
      model,
      max_tokens: settings.maxTokens,
      system: this.system,
      messages: [...q.conversation.map((t) => ({ role: t.role, content: t.content })), { role: 'user', content: question }],
      ...(settings.effort !== undefined && this.limits.supportsEffort ? { output_config: { effort: settings.effort } } : {}),
    };

    // Concurrent questions on a cold cache would each pay to write the same prefix:
    // let the first one write it, and the others follow and read it.
    if (this.firstWrite && this.gatesOnFirstWrite) await untilSettledOrAborted(this.firstWrite, signal);

    let message: Anthropic.Messages.Message;
    try {
      const call = this.client.messages.create(params, signal ? { signal } : undefined);
      if (this.gatesOnFirstWrite && this.firstWrite === undefined) {
        const settled = call.then(
          () => undefined,
          () => undefined,
        );
        this.firstWrite = settled;
        // A failed first call must not hold the others back for ever; the next call becomes the writer.
        void settled.then(() => {
          if (this.firstWrite === settled) this.firstWrite = undefined;
        });
      }
      message = await call;
    } catch (err) {
      const failure = describeLlmError(err, this.failure);
      log.warn({ model, kind: failure.kind, status: failure.status, retryable: failure.retryable }, `claude call failed: ${failure.message}`);
      const text = `anthropic engine (${model}): ${failure.message}`;
      throw failure.retryable ? new Error(text) : new UnrecoverableError(text);
    }

    const priced = priceUsage(settings.prices, model, countsFromApi(message.usage, settings.cacheTtl));
    recordUsage(metrics, model, priced);
    this.noteCache(priced.counts.cacheRead + priced.counts.cacheWrite5m + priced.counts.cacheWrite1h);

    const text = message.content
      .filter((b): b is Anthropic.Messages.TextBlock => b.type === 'text')
      .map((b) => b.text)
      .join('');
    const built = this.compose(text, message.stop_reason);
    if (built.rejected.length > 0) {
      metrics.citationsRejected.inc({ shard: ctx.domain }, built.rejected.length);
      log.warn({ model, rejected: built.rejected.length, accepted: built.citations.length, reasons: built.rejected.slice(0, 5) }, 'citations dropped: they did not match the domain');
    }
    log.info(
      {
        model,
        stopReason: message.stop_reason,
        inputTokens: priced.usage.inputTokens,
        outputTokens: priced.usage.outputTokens,
        cacheReadTokens: priced.usage.cacheReadTokens,
        cacheWriteTokens: priced.usage.cacheWriteTokens,
        costUsd: round6(priced.usage.costUsd),
        citations: built.citations.length,
        citationsRejected: built.rejected.length,
      },
      'claude answered',
    );
    return { answer: built.answer, citations: built.citations, usage: priced.usage };
  }

  topTerms(limit: number): string[] {
    return this.opts.topTerms(limit);
  }

  /** Until a call has been seen to cache the prefix (and unless the API never does), followers wait for the writer. */
  private get gatesOnFirstWrite(): boolean {
    return this.prefix.cacheable && !this.cacheSeen && this.uncachedCalls < 2;
  }

  /** The reply → an answer whose every citation is verified, or one that says it has none. */
  private compose(text: string, stop: Anthropic.Messages.StopReason | null): { answer: string; citations: Citation[]; rejected: Rejection[] } {
    if (stop === 'refusal') return { answer: `${UNVERIFIED_PREFIX}: the model declined to answer this question.`, citations: [], rejected: [] };
    const reply = parseReply(text);
    if (!reply.ok) {
      const hint = stop === 'max_tokens' ? `; it stopped at LLM_MAX_TOKENS=${this.opts.settings.maxTokens}, so raise that` : '';
      this.opts.log.warn({ stopReason: stop, reason: reply.reason }, 'claude reply could not be read as the required JSON');
      return { answer: `${UNVERIFIED_PREFIX}: the model's reply could not be read (${reply.reason}${hint}), so it carries no citation.`, citations: [], rejected: [] };
    }
    const { accepted, rejected } = checkCitations(reply.citations, this.sources, { domain: this.opts.ctx.domain, maxLines: MAX_CITED_LINES });
    if (reply.answer === '' && accepted.length === 0) return { answer: NOTHING_IN_DOMAIN, citations: [], rejected };
    if (accepted.length === 0) {
      const why =
        rejected.length > 0
          ? `none of its ${rejected.length} citation${rejected.length === 1 ? '' : 's'} matched this domain's lines, so they were dropped`
          : 'the model cited no lines';
      return { answer: `${UNVERIFIED_PREFIX} (${why}): ${reply.answer}`, citations: [], rejected };
    }
    // Citations without prose: quote the best one rather than answer with nothing.
    const answer = reply.answer !== '' ? reply.answer : accepted[0]!.text.replace(/\s+/g, ' ').trim();
    return { answer, citations: accepted, rejected };
  }

  /** The API ignores cache_control on a too-short or otherwise uncacheable prefix without a word: say so once. */
  private noteCache(cachedTokens: number): void {
    if (cachedTokens > 0) {
      this.cacheSeen = true;
      return;
    }
    this.uncachedCalls++;
    if (!this.cacheSeen && this.prefix.cacheable && this.uncachedCalls === 2) {
      this.opts.log.warn(
        { model: this.opts.model, prefixTokens: this.prefix.countedTokens ?? this.prefix.estimatedTokens },
        'the API reported neither a cache write nor a cache read for the cached context on two calls: every question pays the full input price (check the model minimum in LLM_MODELS_JSON)',
      );
    }
  }
}

/** Counts the prefix with the API; a rejected key stops start-up, any other failure falls back to the estimate. */
async function countPrefix(client: Anthropic, model: string, system: Anthropic.Messages.TextBlockParam[], log: Logger): Promise<number | undefined> {
  try {
    const counted = await client.messages.countTokens({ model, system, messages: [{ role: 'user', content: buildQuestionMessage('?', 1) }] });
    return counted.input_tokens;
  } catch (err) {
    if (err instanceof AuthenticationError || err instanceof PermissionDeniedError) {
      throw new ConfigError(`ANTHROPIC_API_KEY was refused by the Anthropic API (${err.status} ${err.type ?? ''}) when counting the domain's tokens: check the key.`);
    }
    const reason = err instanceof Error ? err.message : String(err);
    log.warn({ model, reason: redactText(reason) }, 'could not count the context with the API; using the offline estimate (4 characters a token)');
    return undefined;
  }
}

/** Waits for `p`, or until `signal` aborts (the SDK call that follows then fails as aborted). */
function untilSettledOrAborted(p: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return p;
  if (signal.aborted) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const done = () => {
      signal.removeEventListener('abort', done);
      resolve();
    };
    signal.addEventListener('abort', done, { once: true });
    void p.then(done);
  });
}

function round6(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}
