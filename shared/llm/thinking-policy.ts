/**
 * How much room a call gets, and whether thinking is switched off, per model.
 * Thinking tokens count toward `max_tokens`: a model that thinks by default
 * and is sent LLM_MAX_TOKENS alone can spend it all thinking and stop at
 * `max_tokens` before it writes its JSON. So a model that may switch thinking
 * off at this effort gets `thinking: {type: "disabled"}`, and one that cannot
 * gets LLM_MAX_TOKENS for the answer plus a thinking allowance for its effort.
 * A reply still cut at `max_tokens` is asked again once with twice the room
 * (grow()), then fails naming LLM_MAX_TOKENS. Pure, so it is unit-tested.
 */
import type Anthropic from '@anthropic-ai/sdk';
import type { Effort, ModelLimits } from './model-limits.js';

/** Tokens left for thinking on top of the answer, by effort (a model's default effort is taken as high). */
export const THINKING_ROOM: Readonly<Record<Effort, number>> = Object.freeze({ low: 2_048, medium: 4_096, high: 8_192, xhigh: 16_384, max: 32_768 });

/** The effort levels at which Claude Haiku 5.5 accepts `thinking: {type: "disabled"}`. */
const DISABLE_UP_TO: ReadonlySet<Effort> = new Set(['low', 'medium', 'high']);

export interface CallShape {
  max_tokens: number;
  /** Sent as `thinking`; undefined sends nothing (the model's default). */
  thinking: Anthropic.Messages.ThinkingConfigParam | undefined;
  /** Tokens of max_tokens set aside for thinking (0 when thinking is off). */
  thinkingRoom: number;
}

/** `answerTokens` is LLM_MAX_TOKENS; `effort` what the call sends (undefined: the model's default). */
export function callShape(limits: ModelLimits, effort: Effort | undefined, answerTokens: number): CallShape {
  if (limits.thinking === 'off') return { max_tokens: answerTokens, thinking: undefined, thinkingRoom: 0 };
  // Without an effort the model runs at its default, which is medium on Haiku 5.5: disabling is allowed there.
  if (limits.thinking === 'on-disable-to-high' && (effort === undefined || DISABLE_UP_TO.has(effort))) {
    return { max_tokens: answerTokens, thinking: { type: 'disabled' }, thinkingRoom: 0 };
  }
  const room = THINKING_ROOM[effort ?? 'high'];
  const max = Math.min(limits.maxOutputTokens, answerTokens + room);
  return { max_tokens: max, thinking: undefined, thinkingRoom: max - answerTokens };
}

/**
 * The one retry after a reply cut at max_tokens: twice the room, within the
 * model's output limit and what the window leaves (`windowLeft`: context
 * window minus the prompt); undefined when it cannot grow.
 */
export function grow(shape: CallShape, limits: ModelLimits, windowLeft = Infinity): CallShape | undefined {
  const max = Math.min(limits.maxOutputTokens, shape.max_tokens * 2, windowLeft);
  return max > shape.max_tokens ? { ...shape, max_tokens: max } : undefined;
}
