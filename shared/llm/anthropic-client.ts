/**
 * The one place that builds an Anthropic SDK client and explains its errors.
 * Calls go straight to the Messages API through the SDK (no subprocess, no
 * CLI); retries of 408/409/429/5xx/529 and connection errors are the SDK's
 * own (exponential backoff, honouring retry-after), bounded by maxRetries and
 * the caller's AbortSignal, so a job is never lost while it backs off. One
 * kind of 429 is not retried: a spend limit (error code
 * enforced_spend_limit_reached or contract_spend_limit_reached, SDK
 * EnforcedSpendLimitReachedError / ContractSpendLimitReachedError) lasts until
 * the limit resets, and retrying it only burns every query's deadline.
 */
import Anthropic, {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  AuthenticationError,
  PermissionDeniedError,
} from '@anthropic-ai/sdk';
import type { Middleware } from '@anthropic-ai/sdk';
import type { Logger } from '../log/logger.js';
import { redactText } from '../log/redact.js';
import type { LlmSettings } from './llm-settings.js';

export function createAnthropicClient(settings: LlmSettings & { apiKey: string }, log: Logger): Anthropic {
  const sdkLog = log.child({ component: 'anthropic-sdk' });
  return new Anthropic({
    apiKey: settings.apiKey,
    baseURL: settings.baseURL,
    timeout: settings.timeoutMs,
    maxRetries: settings.maxRetries,
    middleware: [noRetryOnSpendLimit],
    // The SDK's own lines (retries, failures) go through our logger, which scrubs credentials.
    logLevel: 'info',
    logger: {
      error: (msg: string, ...rest: unknown[]) => sdkLog.error({ detail: rest.length ? rest : undefined }, msg),
      warn: (msg: string, ...rest: unknown[]) => sdkLog.warn({ detail: rest.length ? rest : undefined }, msg),
      // Retry notices are worth seeing in production; per-request chatter is not.
      info: (msg: string) => (/retrying|no more retries|not retryable/.test(msg) ? sdkLog.info(msg) : undefined),
      debug: () => undefined,
    },
  });
}

/** `error.details.error_code` of a 429 that will not clear by waiting seconds (SDK 1.13 shared.d.ts). */
export const SPEND_LIMIT_CODES: ReadonlySet<string> = new Set(['enforced_spend_limit_reached', 'contract_spend_limit_reached']);

/**
 * The SDK retries every 429 unless the response says `x-should-retry: false`;
 * a spend-limit 429 gets that header here, so it fails on the first answer.
 */
export const noRetryOnSpendLimit: Middleware = async (request, next, ctx) => {
  const response = await next(request);
  if (response.status !== 429) return response;
  const body = await ctx.parse<{ error?: { details?: { error_code?: unknown } } }>(response).catch(() => undefined);
  const code = body?.error?.details?.error_code;
  if (typeof code !== 'string' || !SPEND_LIMIT_CODES.has(code)) return response;
  const headers = new Headers(response.headers);
  headers.set('x-should-retry', 'false');
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
};

export type LlmFailureKind = 'auth' | 'spend_limit' | 'refused' | 'rate_limited' | 'overloaded' | 'server' | 'timeout' | 'aborted' | 'connection' | 'other';

export interface LlmFailure {
  kind: LlmFailureKind;
  /** True when trying the same request again later may succeed; false for key, model and request errors. */
  retryable: boolean;
  /** What happened and what to do, without secrets. */
  message: string;
  status?: number;
}

export interface FailureContext {
  model: string;
  /** Env var that names the model, for the hint (SHARD_MODEL, SYNTH_MODEL). */
  modelVar: string;
  baseURL: string;
  maxRetries: number;
  timeoutMs: number;
}

/** Turns whatever the SDK threw into a clear, secret-free failure. */
export function describeLlmError(err: unknown, ctx: FailureContext): LlmFailure {
  const retries = `after ${ctx.maxRetries} ${ctx.maxRetries === 1 ? 'retry' : 'retries'} with backoff`;
  if (err instanceof APIUserAbortError) {
    return { kind: 'aborted', retryable: true, message: 'the query deadline passed while waiting for the Anthropic API' };
  }
  if (err instanceof APIConnectionTimeoutError) {
    return { kind: 'timeout', retryable: true, message: `no answer from the Anthropic API within LLM_TIMEOUT_MS=${ctx.timeoutMs} ms (${retries})` };
  }
  if (err instanceof APIConnectionError) {
    const cause = err.cause instanceof Error ? err.cause.message : err.message;
    return { kind: 'connection', retryable: true, message: `could not reach the Anthropic API at ${ctx.baseURL} (${redactText(cause)}) ${retries}` };
  }
  if (err instanceof APIError) {
    const status = err.status ?? 0;
    const detail = redactText([err.type, err.apiMessage].filter(Boolean).join(': ') || err.message);
    if (err instanceof AuthenticationError) {
      return { kind: 'auth', retryable: false, status, message: `the Anthropic API rejected the API key (401 ${detail}): check ANTHROPIC_API_KEY; not retried` };
    }
    if (err instanceof PermissionDeniedError) {
      return { kind: 'auth', retryable: false, status, message: `the Anthropic API refused this key access (403 ${detail}): check the key's workspace and ${ctx.modelVar}=${ctx.model}; not retried` };
    }
    if (status === 429 && err.errorCode !== null && SPEND_LIMIT_CODES.has(err.errorCode)) {
      return {
        kind: 'spend_limit',
        retryable: false,
        status,
        message: `the Anthropic account's spend limit was reached (429 ${err.errorCode}): no call succeeds until the limit resets or is raised in the Claude Console; not retried`,
      };
    }
    if (status === 429) {
      return { kind: 'rate_limited', retryable: true, status, message: `the Anthropic API kept rate-limiting (429 ${detail}) ${retries}: lower SHARD_CONCURRENCY or raise the rate limit` };
    }
    if (status === 529) {
      return { kind: 'overloaded', retryable: true, status, message: `the Anthropic API stayed overloaded (529 ${detail}) ${retries}: ask again later` };
    }
    if (status >= 500) {
      return { kind: 'server', retryable: true, status, message: `the Anthropic API failed (${status} ${detail}) ${retries}` };
    }
    const hint = status === 404 ? `: check ${ctx.modelVar}=${ctx.model}` : '';
    return { kind: 'refused', retryable: false, status, message: `the Anthropic API refused the request (${status} ${detail})${hint}; not retried` };
  }
  return { kind: 'other', retryable: false, message: redactText(err instanceof Error ? err.message : String(err)) };
}
