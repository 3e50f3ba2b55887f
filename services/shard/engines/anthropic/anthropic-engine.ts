/**
 * The Claude engine: each question is one Messages API call whose system
 * prompt is the whole domain (cached, see prompt.ts), answered as JSON with
 * line citations that are checked against the real lines before they leave
 * the shard (citation-check.ts). Usage and cost of every call go into the
 * result and the fleet's counters.
 *
 * Per model, from the table in shared/llm/model-limits.ts: the effort level
 * (refused at start-up when the model does not take it, effort.ts), thinking
 * and max_tokens (thinking-policy.ts), the reply's JSON schema
 * (structured-output.ts), and what the stop reason means (a reply cut at
 * max_tokens is asked again once with more room). warm() writes the cached
 * prefix before the first question (prewarm.ts decides who warms when).
 */
import { createHash } from 'node:crypto';
import type Anthropic from '@anthropic-ai/sdk';
import { AuthenticationError, BadRequestError, PermissionDeniedError } from '@anthropic-ai/sdk';
import { UnrecoverableError } from 'bullmq';
import { ConfigError } from '../../../../shared/config/errors.js';
import type { Logger } from '../../../../shared/log/logger.js';
import { redactText } from '../../../../shared/log/redact.js';
import type { FleetMetrics } from '../../../../shared/metrics/registry.js';
import { createAnthropicClient, describeLlmError, type FailureContext } from '../../../../shared/llm/anthropic-client.js';
import { chooseEffort } from '../../../../shared/llm/effort.js';
import type { LlmSettings } from '../../../../shared/llm/llm-settings.js';
import { limitsFor, modelKey, type ModelLimits } from '../../../../shared/llm/model-limits.js';
import { priceBandOf, type PriceBand } from '../../../../shared/llm/price-band.js';
import { countsFromApi, priceUsage, recordUsage, type PricedUsage } from '../../../../shared/llm/usage.js';
import type { Citation } from '../../../../shared/queues/schemas.js';
import type { DomainContext, SourceFile } from '../../domain/domain-context.js';
import { DomainLoadError } from '../../domain/load-domain.js';
import { estimateTokens } from '../../../../shared/text/tokens.js';
import type { PrefixCost } from '../../../../shared/api/shards.js';
import type { Engine, EngineAnswer, EngineQuestion, WarmTarget, WrittenChange } from '../engine.js';
import { keepSupportedSentences } from './answer-check.js';
import { checkCitations, type Rejection } from './citation-check.js';
import { checkFit, QUESTION_ALLOWANCE_TOKENS } from './context-budget.js';
import { parseReply } from './parse-answer.js';
import { buildQuestionMessage, buildSystemPrompt, MAX_CITED_LINES, PROMPT_VERSION, systemBlocks, writtenBlocks } from './prompt.js';
import { replyFormat } from './structured-output.js';
import { callShape, grow, type CallShape } from '../../../../shared/llm/thinking-policy.js';

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
  /** The price band a question falls in with this prefix (null when the model has no price). */
  band: PriceBand | null;
}

/** What warm() did. */
export interface WarmResult {
  /** Tokens the call wrote to the cache (0 when it read them, or the prefix is not cacheable). */
  cacheWriteTokens: number;
  cacheReadTokens: number;
  costUsd: number;
}

/** The per-call settings fixed at start-up. */
interface CallPlan {
  effort: LlmSettings['effort'];
  shape: CallShape;
  format: Anthropic.Messages.JSONOutputFormat | undefined;
}

export class AnthropicEngine implements Engine {
  readonly name = 'anthropic' as const;
  private cacheSeen = false;
  private uncachedCalls = 0;
  /** The call that is writing the prefix to the cache, while no call has been seen to cache it yet. */
  private firstWrite: Promise<void> | undefined;
  /** Written sources by name (services/shard/memory), in the second system block. */
  private readonly written = new Map<string, SourceFile>();

  private constructor(
    private readonly opts: AnthropicEngineOptions,
    private readonly client: Anthropic,
    private system: Anthropic.Messages.TextBlockParam[],
    private readonly sources: Map<string, readonly string[]>,
    private readonly limits: ModelLimits,
    readonly prefix: PrefixInfo,
    private readonly failure: FailureContext,
    private readonly plan: CallPlan,
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

    // A level the model does not take would be a 400 on every question: refuse it now.
    const effortChoice = chooseEffort(settings.effort, model, 'SHARD_MODEL', limits);
    if (effortChoice.note) log.info({ model, effort: settings.effort }, effortChoice.note);
    const plan: CallPlan = { effort: effortChoice.effort, shape: callShape(limits, effortChoice.effort, settings.maxTokens), format: replyFormat(limits) };

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
      maxTokens: plan.shape.max_tokens,
      limits,
    });
    if (!fit.fits) throw new DomainLoadError('over_budget', fit.message);

    const prefix: PrefixInfo = {
      chars: prompt.length,
      estimatedTokens,
      countedTokens,
      sha256: createHash('sha256').update(prompt).digest('hex').slice(0, 16),
      cacheable: prefixTokens >= limits.minCacheTokens,
      band: priceBandOf(settings.prices, model, prefixTokens),
    };
    if (!prefix.cacheable) {
      log.warn(
        { model, prefixTokens, minCacheTokens: limits.minCacheTokens },
        `context too short to cache: ${prefixTokens} tokens is under ${model}'s minimum cacheable prefix of ${limits.minCacheTokens}, so every question pays the full input price`,
      );
    }
    if (prefix.band?.warning) log.warn({ model, prefixTokens, band: prefix.band }, prefix.band.warning);
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
        priceBand: prefix.band?.name,
        priceBandEdgeTokens: prefix.band?.edgeTokens,
        effort: plan.effort ?? 'model default',
        thinking: plan.shape.thinking?.type ?? (limits.thinking === 'off' ? 'off' : 'model default'),
        maxTokensSent: plan.shape.max_tokens,
        replyFormat: plan.format ? 'json_schema' : 'prompt + parser',
      },
      'claude context ready',
    );

    const sources = new Map(ctx.sources.map((s) => [s.source, s.lines] as const));
    const failure: FailureContext = { model, modelVar: 'SHARD_MODEL', baseURL: settings.baseURL, maxRetries: settings.maxRetries, timeoutMs: settings.timeoutMs };
    return new AnthropicEngine(opts, client, system, sources, limits, prefix, failure, plan);
  }

  /**
   * Written sources go after the folder, in a second system block with its own
   * cache breakpoint: the folder block stays byte-for-byte the same, so the
   * API keeps reading it from cache and a write re-caches only the notes
   * (docs/claude.md). Citations of notes are checked like the folder's.
   */
  updateWritten(change: WrittenChange): void {
    for (const name of change.removed) {
      this.sources.delete(name);
      this.written.delete(name);
    }
    for (const file of change.upserted) {
      this.sources.set(file.source, file.lines);
      this.written.set(file.source, file);
    }
    const folder = this.system[0];
    if (folder === undefined) return;
    const notes = [...this.written.values()].sort((a, b) => (a.source < b.source ? -1 : a.source > b.source ? 1 : 0));
    this.system = notes.length === 0 ? [folder] : [folder, ...writtenBlocks(this.opts.ctx.domain, notes, this.opts.settings.cacheTtl)];
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
      maxTokens: this.plan.shape.max_tokens,
      limits: this.limits,
    });
    if (!fit.fits) throw new UnrecoverableError(`anthropic engine: ${fit.message}`);

    const messages: Anthropic.Messages.MessageParam[] = [...q.conversation.map((t) => ({ role: t.role, content: t.content })), { role: 'user', content: question }];
    let shape = this.plan.shape;
    let message = await this.call(this.params(messages, shape), signal);
    let priced = this.account(message);
    if (message.stop_reason === 'max_tokens') {
      // Thinking (or a long reply) used up max_tokens before the JSON was whole: once more, with more room.
      const prompt = (this.prefix.countedTokens ?? this.prefix.estimatedTokens) + variableTokens;
      const bigger = grow(shape, this.limits, this.limits.contextWindow - prompt);
      log.warn({ model, maxTokens: shape.max_tokens, retryWith: bigger?.max_tokens, outputTokens: message.usage.output_tokens }, 'claude reply cut at max_tokens');
      if (bigger === undefined) throw new UnrecoverableError(`anthropic engine (${model}): ${this.cutMessage(shape)}`);
      shape = bigger;
      message = await this.call(this.params(messages, shape), signal);
      priced = addPriced(priced, this.account(message));
      if (message.stop_reason === 'max_tokens') throw new UnrecoverableError(`anthropic engine (${model}): ${this.cutMessage(shape)}`);
    }
    if (message.stop_reason === 'model_context_window_exceeded') {
      throw new UnrecoverableError(
        `anthropic engine (${model}): the request filled ${model}'s ${this.limits.contextWindow.toLocaleString('en-US')}-token context window before the reply was whole ` +
          `(stop_reason model_context_window_exceeded): shorten the conversation, lower LLM_MAX_TOKENS, or split domain "${ctx.domain}".`,
      );
    }

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

  warmTarget(): WarmTarget {
    return { model: this.opts.model, prefixSha: this.prefix.sha256, cacheTtl: this.opts.settings.cacheTtl, cacheable: this.prefix.cacheable, warm: (signal) => this.warm(signal) };
  }

  prefixCost(): PrefixCost {
    const band = this.prefix.band;
    return {
      model: this.opts.model,
      prefixTokens: this.prefix.countedTokens ?? this.prefix.estimatedTokens,
      countedBy: this.prefix.countedTokens === undefined ? 'offline estimate' : 'count_tokens API',
      priceBand: band?.name ?? null,
      ...(band?.edgeTokens !== undefined ? { bandEdgeTokens: band.edgeTokens } : {}),
      ...(band?.shrinkTokens !== undefined ? { shrinkTokens: band.shrinkTokens } : {}),
    };
  }

  /**
   * Writes the cached prefix with the smallest call that does: the same
   * system blocks, reply format and thinking setting as a question (any of
   * them changing would miss the cache), `max_tokens: 0` so nothing is
   * generated (falling back to 1 where the API refuses 0). Errors propagate:
   * prewarm.ts decides what a failed warm-up means.
   */
  async warm(signal?: AbortSignal): Promise<WarmResult> {
    const messages: Anthropic.Messages.MessageParam[] = [{ role: 'user', content: buildQuestionMessage('(cache warm-up: no answer needed)', 1) }];
    let message: Anthropic.Messages.Message;
    try {
      message = await this.client.messages.create({ ...this.params(messages, this.plan.shape), max_tokens: 0 }, signal ? { signal } : undefined);
    } catch (err) {
      if (!(err instanceof BadRequestError)) throw err;
      message = await this.client.messages.create({ ...this.params(messages, this.plan.shape), max_tokens: 1 }, signal ? { signal } : undefined);
    }
    const priced = this.account(message);
    return { cacheWriteTokens: priced.usage.cacheWriteTokens, cacheReadTokens: priced.usage.cacheReadTokens, costUsd: priced.usage.costUsd };
  }

  /** The request of one question: the fixed prefix, the messages, and this model's effort, thinking and format. */
  private params(messages: Anthropic.Messages.MessageParam[], shape: CallShape): Anthropic.Messages.MessageCreateParamsNonStreaming {
    const outputConfig: Anthropic.Messages.OutputConfig = {
      ...(this.plan.effort !== undefined ? { effort: this.plan.effort } : {}),
      ...(this.plan.format ? { format: this.plan.format } : {}),
    };
    return {
      model: this.opts.model,
      max_tokens: shape.max_tokens,
      system: this.system,
      messages,
      ...(shape.thinking ? { thinking: shape.thinking } : {}),
      ...(Object.keys(outputConfig).length > 0 ? { output_config: outputConfig } : {}),
    };
  }

  /** One call, behind the first cache write while the cache is cold; SDK errors become job errors (retryable or not). */
  private async call(params: Anthropic.Messages.MessageCreateParamsNonStreaming, signal: AbortSignal | undefined): Promise<Anthropic.Messages.Message> {
    const { model, log } = this.opts;
    // Concurrent questions on a cold cache would each pay to write the same prefix:
    // let the first one write it, and the others follow and read it.
    if (this.firstWrite && this.gatesOnFirstWrite) await untilSettledOrAborted(this.firstWrite, signal);
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
      return await call;
    } catch (err) {
      const failure = describeLlmError(err, this.failure);
      log.warn({ model, kind: failure.kind, status: failure.status, retryable: failure.retryable }, `claude call failed: ${failure.message}`);
      const text = `anthropic engine (${model}): ${failure.message}`;
      throw failure.retryable ? new Error(text) : new UnrecoverableError(text);
    }
  }

  /** Prices a call, adds it to the counters, and notes whether it touched the cache. */
  private account(message: Anthropic.Messages.Message): PricedUsage {
    const { settings, model, metrics } = this.opts;
    const priced = priceUsage(settings.prices, model, countsFromApi(message.usage, settings.cacheTtl));
    recordUsage(metrics, model, priced);
    this.noteCache(priced.counts.cacheRead + priced.counts.cacheWrite5m + priced.counts.cacheWrite1h);
    return priced;
  }

  private cutMessage(shape: CallShape): string {
    const room = shape.thinkingRoom > 0 ? ` (${shape.thinkingRoom} of them left for thinking)` : '';
    return (
      `the reply was cut at max_tokens=${shape.max_tokens}${room} before its JSON was whole, even after one retry with more room: ` +
      `raise LLM_MAX_TOKENS (now ${this.opts.settings.maxTokens}) or lower LLM_EFFORT.`
    );
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
    const { accepted, rejected, verified } = checkCitations(reply.citations, this.sources, { domain: this.opts.ctx.domain, maxLines: MAX_CITED_LINES });
    if (reply.answer === '' && accepted.length === 0) return { answer: NOTHING_IN_DOMAIN, citations: [], rejected };
    if (accepted.length === 0) {
      // No sentence of the model's prose rests on a verified citation, so none of it is passed on (answer-check.ts).
      const why =
        rejected.length > 0
          ? `none of its ${rejected.length} citation${rejected.length === 1 ? '' : 's'} matched this domain's lines, so they and the answer resting on them were dropped`
          : 'the model cited no lines, so its answer was dropped';
      return { answer: `${UNVERIFIED_PREFIX} (${why}).`, citations: [], rejected };
    }
    // Only the sentences whose markers all name verified citations (answer-check.ts).
    const prose = keepSupportedSentences(reply.answer, (n) => verified.has(n - 1));
    if (prose.dropped > 0) {
      this.opts.log.warn({ kept: prose.kept, dropped: prose.dropped }, 'answer sentences dropped: they named no citation, or one that failed the check');
    }
    // Nothing left (or no prose at all): quote the best citation rather than answer with nothing.
    const answer = prose.answer !== '' ? prose.answer : accepted[0]!.text.replace(/\s+/g, ' ').trim();
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

/** Two calls of one question, reported as one usage. */
function addPriced(a: PricedUsage, b: PricedUsage): PricedUsage {
  const u = (k: keyof PricedUsage['usage']) => a.usage[k] + b.usage[k];
  return {
    usage: {
      inputTokens: u('inputTokens'),
      outputTokens: u('outputTokens'),
      cacheReadTokens: u('cacheReadTokens'),
      cacheWriteTokens: u('cacheWriteTokens'),
      costUsd: Math.round(u('costUsd') * 1e9) / 1e9,
    },
    counts: {
      input: a.counts.input + b.counts.input,
      output: a.counts.output + b.counts.output,
      cacheRead: a.counts.cacheRead + b.counts.cacheRead,
      cacheWrite5m: a.counts.cacheWrite5m + b.counts.cacheWrite5m,
      cacheWrite1h: a.counts.cacheWrite1h + b.counts.cacheWrite1h,
    },
    priced: a.priced && b.priced,
  };
}

function round6(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}
