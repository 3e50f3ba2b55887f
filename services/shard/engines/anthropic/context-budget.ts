/**
 * Does the domain fit the model? Checked once at start-up (the cached prefix
 * is fixed) and again per question for the part that varies (question and
 * conversation). Pure, so the arithmetic is unit-tested.
 */
import { MAX_QUESTION_CHARS } from '../../../../shared/queues/schemas.js';
import type { ModelLimits } from '../../../../shared/llm/model-limits.js';

/** Room kept for the largest question plus its wrapper (tokens, at 4 characters a token). */
export const QUESTION_ALLOWANCE_TOKENS = Math.ceil(MAX_QUESTION_CHARS / 4) + 100;

export interface FitInput {
  domain: string;
  model: string;
  modelVar: string;
  /** Tokens of the cached prefix (system prompt). */
  prefixTokens: number;
  /** How prefixTokens was obtained, for the message. */
  countedBy: 'count_tokens API' | 'offline estimate';
  /** Tokens of what follows the prefix in one request (question, conversation). */
  variableTokens: number;
  maxTokens: number;
  limits: ModelLimits;
}

export type Fit = { fits: true; headroom: number } | { fits: false; message: string };

export function checkFit(input: FitInput): Fit {
  const { limits } = input;
  if (input.maxTokens > limits.maxOutputTokens) {
    return {
      fits: false,
      message: `LLM_MAX_TOKENS=${fmt(input.maxTokens)} is over ${input.model}'s output limit of ${fmt(limits.maxOutputTokens)} tokens: lower LLM_MAX_TOKENS.`,
    };
  }
  const needed = input.prefixTokens + input.variableTokens + input.maxTokens;
  if (needed > limits.contextWindow) {
    return {
      fits: false,
      message:
        `Domain "${input.domain}" does not fit ${input.model}: its context is ${fmt(input.prefixTokens)} tokens (${input.countedBy}), ` +
        `and with ${fmt(input.variableTokens)} for the question and LLM_MAX_TOKENS=${fmt(input.maxTokens)} a request needs ${fmt(needed)}, ` +
        `over the model's ${fmt(limits.contextWindow)}-token window: split the domain into smaller folders, or set ${input.modelVar} to a model with a larger window.`,
    };
  }
  return { fits: true, headroom: limits.contextWindow - needed };
}

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}
