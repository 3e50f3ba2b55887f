/**
 * Optional synthesis (SYNTHESIS=on, or `synthesize: true` per request): one
 * call to a stronger model (SYNTH_MODEL) that rewrites the merged shard
 * answers as one answer citing only the shards' own citations. A failed or
 * refused synthesis never fails the query: the offline merge stands, and the
 * response says why. Like the shards, it reads the stop reason (a reply cut
 * at max_tokens, a refusal or a full context window is not an answer), and
 * its effort and thinking come from the model table (an effort level
 * SYNTH_MODEL does not take stops the coordinator at start-up).
 */
import type Anthropic from '@anthropic-ai/sdk';
import type { Logger } from '../../../../shared/log/logger.js';
import type { FleetMetrics } from '../../../../shared/metrics/registry.js';
import { createAnthropicClient, describeLlmError, type FailureContext } from '../../../../shared/llm/anthropic-client.js';
import type { LlmSettings } from '../../../../shared/llm/llm-settings.js';
import { chooseEffort } from '../../../../shared/llm/effort.js';
import { limitsFor, type Effort } from '../../../../shared/llm/model-limits.js';
import { callShape, type CallShape } from '../../../../shared/llm/thinking-policy.js';
import { countsFromApi, priceUsage, recordUsage } from '../../../../shared/llm/usage.js';
import type { SynthesisInfo } from '../../../../shared/api/query.js';
import { EMPTY_USAGE, type Usage } from '../../../../shared/queues/schemas.js';
import type { Merged, ShardReply } from '../merge.js';
import { resolveMarkers } from './markers.js';
import { buildSynthesisMessage, SYNTHESIS_INSTRUCTIONS, type ShardAnswer } from './synthesis-prompt.js';

export interface SynthesisResult {
  answer: string;
  usage: Usage;
  info: SynthesisInfo;
}

export interface SynthesizerOptions {
  settings: LlmSettings & { apiKey: string };
  /** SYNTH_MODEL. */
  model: string;
  metrics: FleetMetrics;
  log: Logger;
  client?: Anthropic;
}

export class Synthesizer {
  private readonly client: Anthropic;
  private readonly failure: FailureContext;
  private readonly effort: Effort | undefined;
  private readonly shape: CallShape;

  /** Throws a ConfigError when LLM_EFFORT names a level SYNTH_MODEL does not take. */
  constructor(private readonly opts: SynthesizerOptions) {
    const { limits } = limitsFor(opts.settings.models, opts.model);
    const choice = chooseEffort(opts.settings.effort, opts.model, 'SYNTH_MODEL', limits);
    if (choice.note) opts.log.info({ model: opts.model }, choice.note);
    this.effort = choice.effort;
    this.shape = callShape(limits, choice.effort, opts.settings.maxTokens);
    this.client = opts.client ?? createAnthropicClient(opts.settings, opts.log);
    this.failure = {
      model: opts.model,
      modelVar: 'SYNTH_MODEL',
      baseURL: opts.settings.baseURL,
      maxRetries: opts.settings.maxRetries,
      timeoutMs: opts.settings.timeoutMs,
    };
  }

  get model(): string {
    return this.opts.model;
  }

  async synthesize(question: string, merged: Merged, replies: readonly ShardReply[], signal?: AbortSignal): Promise<SynthesisResult> {
    const { settings, model, metrics, log } = this.opts;
    const fallback = (status: SynthesisInfo['status'], detail: string, usage: Usage = { ...EMPTY_USAGE }): SynthesisResult => ({
      answer: merged.answer,
      usage,
      info: { model, status, detail },
    });
    if (merged.citations.length === 0) return fallback('skipped', 'no shard cited anything, so there is nothing to synthesise');

    // Only answers backed by a citation that survived the merge: an unverified shard answer must not leak in.
    const cited = new Set(merged.citations.map((c) => c.shard));
    const answers: ShardAnswer[] = replies
      .filter((r) => r.result && r.outcome.status === 'ok' && cited.has(r.result.shard))
      .map((r) => ({ shard: r.result!.shard, answer: r.result!.answer }));

    let message: Anthropic.Messages.Message;
    try {
      message = await this.client.messages.create(
        {
          model,
          max_tokens: this.shape.max_tokens,
          system: SYNTHESIS_INSTRUCTIONS,
          messages: [{ role: 'user', content: buildSynthesisMessage(question, answers, merged.citations) }],
          ...(this.shape.thinking ? { thinking: this.shape.thinking } : {}),
          ...(this.effort !== undefined ? { output_config: { effort: this.effort } } : {}),
        },
        signal ? { signal } : undefined,
      );
    } catch (err) {
      const failure = describeLlmError(err, this.failure);
      log.warn({ model, kind: failure.kind, status: failure.status }, `synthesis failed, the merged answer stands: ${failure.message}`);
      return fallback('error', failure.message);
    }

    const priced = priceUsage(settings.prices, model, countsFromApi(message.usage, settings.cacheTtl));
    recordUsage(metrics, model, priced);
    const text = message.content
      .filter((b): b is Anthropic.Messages.TextBlock => b.type === 'text')
      .map((b) => b.text)
      .join('');
    const stopped = stopProblem(message.stop_reason, this.shape, settings.maxTokens, model);
    if (stopped) {
      log.warn({ model, stopReason: message.stop_reason }, `synthesis not used, the merged answer stands: ${stopped.detail}`);
      return fallback(stopped.status, stopped.detail, priced.usage);
    }
    const checked = resolveMarkers(text, merged.citations);
    if (!checked.ok) {
      log.warn({ model, reason: checked.reason }, 'synthesis refused, the merged answer stands');
      return fallback('rejected', checked.reason, priced.usage);
    }
    log.info({ model, cited: checked.used.length, of: merged.citations.length, costUsd: priced.usage.costUsd }, 'synthesis answered');
    return { answer: checked.answer, usage: priced.usage, info: { model, status: 'ok' } };
  }
}

/** A stop reason that makes the reply unusable, however valid its markers look; undefined for a whole reply. */
export function stopProblem(
  stop: Anthropic.Messages.StopReason | null,
  shape: CallShape,
  maxTokens: number,
  model: string,
): { status: SynthesisInfo['status']; detail: string } | undefined {
  switch (stop) {
    case 'max_tokens':
      return {
        status: 'error',
        detail: `the synthesis was cut at max_tokens=${shape.max_tokens}${shape.thinkingRoom > 0 ? ` (${shape.thinkingRoom} for thinking)` : ''} before it ended: raise LLM_MAX_TOKENS (now ${maxTokens})`,
      };
    case 'refusal':
      return { status: 'rejected', detail: `${model} declined to synthesise this answer (stop_reason refusal)` };
    case 'model_context_window_exceeded':
      return { status: 'error', detail: `the synthesis request filled ${model}'s context window (stop_reason model_context_window_exceeded): ask with fewer shards or a lower topK` };
    default:
      return undefined;
  }
}
