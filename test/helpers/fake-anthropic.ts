/**
 * A local stand-in for the Anthropic Messages API, for tests: the real SDK
 * talks to it through `baseURL`. It speaks POST /v1/messages and POST
 * /v1/messages/count_tokens the way the platform documentation describes
 * the parts memfleet depends on:
 *
 * - a prompt cache keyed by the bytes up to each cache_control breakpoint
 *   (and the output format, whose change invalidates it): the longest cached
 *   prefix is read, the rest written, each segment billed to its own TTL in
 *   `usage.cache_creation`; an entry is readable once the call that wrote it
 *   has answered; prefixes under `minCacheTokens` are not cached;
 * - per-model behaviour (MODEL_PROFILES): the 5.5 models think by default,
 *   and thinking tokens come first and count toward `max_tokens`, so a small
 *   `max_tokens` ends at `stop_reason: "max_tokens"` before (or in) the text;
 *   `thinking: {type: "disabled"}` is a 400 where the model does not allow it
 *   (Opus 5.5 always; Haiku 5.5 above effort high), as is an effort level the
 *   model does not take, manual `budget_tokens` on a 5.5 model, and
 *   `output_config.format` on a model without structured outputs;
 * - `max_tokens: 0` writes the cache and generates nothing (pre-warming);
 * - a structured-output request (`output_config.format`) is answered with
 *   JSON that conforms to the schema (the fake checks its own model's reply
 *   against it and fails loudly when it does not);
 * - failures: 429 with `retry-after`, 429 with a spend-limit `error_code`
 *   (`error.details.error_code`), 529 overloaded, 400, 401 …
 *
 * Each behaviour is chosen per request, so tests combine them: `addRule`
 * (a rule table matched in order, optionally a limited number of times) or
 * an `x-fake-behaviour` request header holding the same JSON. `failNext`
 * stays as shorthand for one-shot failures. Every request is recorded with
 * what the fake answered (status, usage, stop reason).
 *
 * Its "model" is a tiny word-overlap reader of memfleet's numbered context: it
 * finds the 1-3 lines that share the most words with the question and cites
 * them in the JSON the shard asks for. Tests replace it with `respondWith`.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Endpoint = 'messages' | 'count_tokens';

export interface RecordedRequest {
  endpoint: Endpoint;
  headers: IncomingMessage['headers'];
  /** The body exactly as received. */
  raw: string;
  body: MessagesBody;
  /** What the fake answered: the HTTP status and, for 200 on messages, the usage it reported. */
  status: number;
  usage?: FakeUsage;
  stopReason?: string;
  /** Content block types of the answer, in order (e.g. ["thinking", "text"]). */
  blocks?: string[];
  /** error.details.error_code of a failure. */
  errorCode?: string;
}

export interface TextBlock {
  type: 'text';
  text: string;
  cache_control?: { type: 'ephemeral'; ttl?: '5m' | '1h' };
}

export interface MessagesBody {
  model: string;
  max_tokens?: number;
  system?: string | TextBlock[];
  messages: { role: string; content: string | TextBlock[] }[];
  thinking?: { type: string; budget_tokens?: number };
  output_config?: { effort?: string; format?: { type: string; schema: JsonSchema } } & Record<string, unknown>;
}

export interface FakeUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  cache_creation: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number };
}

/** Returns the assistant's text for a request (the fake model). */
export type Responder = (body: MessagesBody, parsed: ParsedPrompt) => string;

/** What the fake does with one request; selected per request by a rule or the x-fake-behaviour header. */
export interface FakeBehaviour {
  /** Fail with this HTTP status (400, 401, 429, 500, 529 …). */
  status?: number;
  /** `error.details.error_code` of that failure, e.g. "enforced_spend_limit_reached". */
  errorCode?: string;
  /** Send `retry-after: <seconds>` with the failure instead of the default `retry-after-ms`. */
  retryAfterS?: number;
  /** Tokens the model thinks before its text, when thinking is on for the request. @defaultValue options.thinkingTokens */
  thinkingTokens?: number;
  /** End with this stop reason: `refusal` (no answer) or `model_context_window_exceeded` (the text cut short). */
  stopReason?: 'refusal' | 'model_context_window_exceeded';
  /** Wrap the text in a sentence and a code fence, as models without structured outputs now and then do. */
  chatter?: boolean;
}

export interface FakeRule {
  endpoint?: Endpoint;
  model?: string;
  /** Any other condition on the request. */
  when?: (body: MessagesBody) => boolean;
  /** How many requests the rule applies to; unlimited when absent. */
  times?: number;
  then: FakeBehaviour;
}

/** What a model accepts and how it thinks, per the platform docs (models, effort, thinking pages). */
export interface ModelProfile {
  efforts: readonly string[];
  /** off: no thinking unless asked; on-disable-to-high: thinks, `disabled` only at effort ≤ high; always: cannot disable. */
  thinking: 'off' | 'on-disable-to-high' | 'on' | 'always';
  /** Whether manual `thinking: {type: "enabled", budget_tokens}` is accepted. */
  manualThinking: boolean;
  structuredOutputs: boolean;
}

const ALL_EFFORTS = ['low', 'medium', 'high', 'xhigh', 'max'] as const;

export const MODEL_PROFILES: Readonly<Record<string, ModelProfile>> = {
  'claude-haiku-5-5': { efforts: ALL_EFFORTS, thinking: 'on-disable-to-high', manualThinking: false, structuredOutputs: true },
  'claude-sonnet-5-5': { efforts: ALL_EFFORTS, thinking: 'on', manualThinking: false, structuredOutputs: true },
  'claude-opus-5-5': { efforts: ALL_EFFORTS, thinking: 'always', manualThinking: false, structuredOutputs: true },
  'claude-sonnet-5': { efforts: ALL_EFFORTS, thinking: 'off', manualThinking: false, structuredOutputs: true },
  'claude-opus-5': { efforts: ALL_EFFORTS, thinking: 'off', manualThinking: false, structuredOutputs: true },
  'claude-sonnet-4-6': { efforts: ['low', 'medium', 'high', 'max'], thinking: 'off', manualThinking: true, structuredOutputs: true },
  'claude-haiku-4-5': { efforts: [], thinking: 'off', manualThinking: true, structuredOutputs: true },
};

/** A model the table does not know: no thinking, every effort, structured outputs. */
const DEFAULT_PROFILE: ModelProfile = { efforts: ALL_EFFORTS, thinking: 'off', manualThinking: true, structuredOutputs: true };

export interface FakeAnthropicOptions {
  /** Prefixes shorter than this (estimated at 4 characters a token) are not cached, as the API does. @defaultValue 1024 */
  minCacheTokens?: number;
  /** Keys that authenticate; anything else is a 401. @defaultValue any key starting with "sk-ant-test-" */
  acceptKey?: (key: string) => boolean;
  /** Delay of the retry-after-ms header sent with 429/529. @defaultValue 20 */
  retryAfterMs?: number;
  /**
   * How long a messages call takes. As on the real API, a cache entry can be
   * read only once the call that wrote it has answered, so concurrent calls
   * with a new prefix all write it. @defaultValue 0
   */
  latencyMs?: number;
  /** Tokens a thinking model spends thinking before it answers. @defaultValue 2500 (more than LLM_MAX_TOKENS' default 2,048) */
  thinkingTokens?: number;
  /** Extra or replaced model profiles (e.g. a model without structured outputs). */
  models?: Record<string, ModelProfile>;
}

export interface FakeAnthropic {
  url: string;
  requests: RecordedRequest[];
  /** The next calls to `endpoint` fail with these statuses, one each, in order. */
  failNext(endpoint: Endpoint, ...statuses: number[]): void;
  /** Appends a rule; the first rule (in order added) that matches a request decides its behaviour. */
  addRule(rule: FakeRule): void;
  /** Drops every rule (and pending failNext). */
  clearRules(): void;
  /** Replaces the fake model; undefined restores the word-overlap reader. */
  respondWith(responder: Responder | undefined): void;
  /** Forgets every cache entry (as if the TTL had passed). */
  clearCache(): void;
  messages(): RecordedRequest[];
  /** Message calls that wrote to the cache, by SHA-256 (16 hex) of the system text up to their first breakpoint. */
  cacheWrites(): Map<string, number>;
  stop(): Promise<void>;
}

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

class RequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function startFakeAnthropic(opts: FakeAnthropicOptions = {}): Promise<FakeAnthropic> {
  const minCacheTokens = opts.minCacheTokens ?? 1024;
  const acceptKey = opts.acceptKey ?? ((key: string) => key.startsWith('sk-ant-test-'));
  const retryAfterMs = opts.retryAfterMs ?? 20;
  const latencyMs = opts.latencyMs ?? 0;
  const defaultThinking = opts.thinkingTokens ?? 2_500;
  const profiles: Record<string, ModelProfile> = { ...MODEL_PROFILES, ...opts.models };
  const requests: RecordedRequest[] = [];
  const rules: FakeRule[] = [];
  const failures: Record<Endpoint, number[]> = { messages: [], count_tokens: [] };
  const cache = new Map<string, { expiry: number; readableAt: number }>(); // by prefix hash, epoch ms
  let responder: Responder = wordOverlapResponder;
  let seq = 0;

  const server: Server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (raw += chunk));
    req.on('end', () => {
      try {
        handle(req, res, raw);
      } catch (err) {
        if (err instanceof RequestError) return sendError(res, err.status, err.message);
        sendError(res, 500, `fake server error: ${err instanceof Error ? err.message : String(err)}`);
      }
    });
  });

  function behaviourFor(req: IncomingMessage, endpoint: Endpoint, body: MessagesBody): FakeBehaviour {
    const scripted = failures[endpoint].shift();
    if (scripted !== undefined) return { status: scripted };
    const header = req.headers['x-fake-behaviour'];
    if (typeof header === 'string') return JSON.parse(header) as FakeBehaviour;
    const i = rules.findIndex((r) => (r.endpoint ?? 'messages') === endpoint && (r.model === undefined || r.model === body.model) && (r.when?.(body) ?? true));
    if (i < 0) return {};
    const rule = rules[i]!;
    if (rule.times !== undefined && --rule.times <= 0) rules.splice(i, 1);
    return rule.then;
  }

  function handle(req: IncomingMessage, res: ServerResponse, raw: string): void {
    const path = (req.url ?? '').split('?')[0];
    const endpoint: Endpoint | undefined = path === '/v1/messages' ? 'messages' : path === '/v1/messages/count_tokens' ? 'count_tokens' : undefined;
    if (req.method !== 'POST' || endpoint === undefined) return sendError(res, 404, `no route ${req.method} ${path}`);
    const body = JSON.parse(raw) as MessagesBody;
    const record: RecordedRequest = { endpoint, headers: req.headers, raw, body, status: 200 };
    requests.push(record);

    const behaviour = behaviourFor(req, endpoint, body);
    const key = apiKeyOf(req);
    const status = behaviour.status ?? (key !== undefined && acceptKey(key) ? 200 : 401);
    record.status = status;
    if (status !== 200) {
      const headers: Record<string, string> = {};
      if (behaviour.retryAfterS !== undefined) headers['retry-after'] = String(behaviour.retryAfterS);
      else if (status === 429 || status === 529) headers['retry-after-ms'] = String(retryAfterMs);
      const message =
        behaviour.errorCode === 'enforced_spend_limit_reached'
          ? "You have reached your organization's monthly usage limit."
          : behaviour.errorCode === 'contract_spend_limit_reached'
            ? 'Your organization has reached the spend limit of its contract.'
            : status === 401
              ? 'invalid x-api-key'
              : status === 529
                ? 'Overloaded'
                : status === 429
                  ? 'Number of request tokens has exceeded your per-minute rate limit'
                  : 'scripted failure';
      if (behaviour.errorCode) record.errorCode = behaviour.errorCode;
      return sendError(res, status, message, headers, behaviour.errorCode);
    }

    const profile = profiles[body.model] ?? DEFAULT_PROFILE;
    try {
      validate(body, profile, endpoint);
    } catch (err) {
      if (err instanceof RequestError) record.status = err.status;
      throw err;
    }
    const parsed = parsePrompt(body);
    if (endpoint === 'count_tokens') return sendJson(res, 200, { input_tokens: tokens(parsed.prefixText) + tokens(parsed.restText) });

    const usage = cacheUsage(body, parsed);
    const maxTokens = body.max_tokens ?? 0;
    const thinks = thinkingOn(body, profile);
    const thinkingTokens = thinks ? (behaviour.thinkingTokens ?? defaultThinking) : 0;
    const content: Record<string, unknown>[] = [];
    let stopReason = 'end_turn';
    let output = 0;
    if (maxTokens === 0) {
      // Pre-warming: the prompt is processed (and cached), nothing is generated.
      stopReason = 'max_tokens';
    } else if (behaviour.stopReason === 'refusal') {
      stopReason = 'refusal';
    } else {
      if (thinkingTokens > 0) {
        content.push({ type: 'thinking', thinking: '', signature: `fake-signature-${seq + 1}` });
        output = Math.min(maxTokens, thinkingTokens);
      }
      let text = replyText(body, parsed, profile, behaviour);
      const room = maxTokens - output;
      if (behaviour.stopReason === 'model_context_window_exceeded') {
        text = text.slice(0, Math.floor(text.length / 2));
        stopReason = 'model_context_window_exceeded';
      } else if (tokens(text) > room) {
        text = text.slice(0, room * 4);
        stopReason = 'max_tokens';
      }
      if (text !== '') content.push({ type: 'text', text, citations: null });
      output += tokens(text);
    }
    usage.output_tokens = output;
    record.usage = usage;
    record.stopReason = stopReason;
    record.blocks = content.map((b) => String(b.type));
    const body200 = {
      id: `msg_fake_${++seq}`,
      type: 'message',
      role: 'assistant',
      model: body.model,
      content,
      stop_reason: stopReason,
      stop_sequence: null,
      stop_details: null,
      container: null,
      diagnostics: null,
      usage: {
        ...usage,
        inference_geo: null,
        output_tokens_details: { thinking_tokens: Math.min(output, thinkingTokens) },
        server_tool_use: null,
        service_tier: 'standard',
        speed: null,
      },
    };
    if (latencyMs > 0) setTimeout(() => sendJson(res, 200, body200), latencyMs);
    else sendJson(res, 200, body200);
  }

  /** The 400s the API gives for parameters the model does not take. */
  function validate(body: MessagesBody, profile: ModelProfile, endpoint: Endpoint): void {
    const effort = body.output_config?.effort;
    if (effort !== undefined && !profile.efforts.includes(effort)) {
      throw new RequestError(
        400,
        profile.efforts.length === 0
          ? `output_config.effort: ${body.model} does not support the effort parameter`
          : `output_config.effort: "${effort}" is not supported by ${body.model}; supported levels: ${profile.efforts.join(', ')}`,
      );
    }
    const thinking = body.thinking?.type;
    if (thinking === 'enabled' && !profile.manualThinking) throw new RequestError(400, `thinking.type.enabled is not supported for ${body.model}: use thinking.type "adaptive" with output_config.effort`);
    if (thinking === 'disabled') {
      if (profile.thinking === 'always') throw new RequestError(400, `thinking cannot be disabled on ${body.model}`);
      if (profile.thinking === 'on-disable-to-high' && (effort === 'xhigh' || effort === 'max')) {
        throw new RequestError(400, `thinking.type "disabled" is only supported at effort low, medium or high on ${body.model}`);
      }
    }
    if (body.output_config?.format !== undefined) {
      if (!profile.structuredOutputs) throw new RequestError(400, `output_config.format: structured outputs are not supported by ${body.model}`);
      if (body.output_config.format.type !== 'json_schema') throw new RequestError(400, 'output_config.format.type: expected "json_schema"');
    }
    if (endpoint === 'messages' && (body.max_tokens === undefined || body.max_tokens < 0)) throw new RequestError(400, 'max_tokens: field required, ≥ 0');
  }

  function thinkingOn(body: MessagesBody, profile: ModelProfile): boolean {
    const t = body.thinking?.type;
    if (t === 'disabled') return false;
    if (t === 'enabled' || t === 'adaptive') return true;
    return profile.thinking !== 'off';
  }

  /** The fake model's text; with a format, exactly the conforming JSON (checked), else maybe with chatter around it. */
  function replyText(body: MessagesBody, parsed: ParsedPrompt, profile: ModelProfile, behaviour: FakeBehaviour): string {
    const text = responder(body, parsed);
    const format = body.output_config?.format;
    if (format && profile.structuredOutputs) {
      const start = text.indexOf('{');
      const end = text.lastIndexOf('}');
      let value: unknown;
      try {
        value = JSON.parse(text.slice(start, end + 1));
      } catch {
        throw new Error(`the fake model's reply is not JSON, so it cannot be answered under output_config.format: ${text.slice(0, 80)}`);
      }
      const problem = conformance(value, format.schema, '$');
      if (problem) throw new Error(`the fake model's reply does not conform to output_config.format (${problem})`);
      return JSON.stringify(value);
    }
    return behaviour.chatter ? `Here is the JSON you asked for:\n\`\`\`json\n${text}\n\`\`\`\nLet me know if you need more.` : text;
  }

  /**
   * Reads the longest cached prefix (one entry per cache_control breakpoint),
   * writes the segments after it, each billed to its breakpoint's TTL; each
   * read refreshes the entry's TTL. The output format is part of the key.
   */
  function cacheUsage(body: MessagesBody, parsed: ParsedPrompt): FakeUsage {
    const total = tokens(parsed.prefixText) + tokens(parsed.restText);
    const usage: FakeUsage = {
      input_tokens: total,
      output_tokens: 0,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
      cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
    };
    const now = Date.now();
    const format = JSON.stringify(body.output_config?.format ?? null);
    const points = parsed.breakpoints.filter((b) => b.tokens >= minCacheTokens);
    const keyOf = (b: Breakpoint) => createHash('sha256').update(body.model).update('\0').update(format).update('\0').update(b.bytes).digest('hex');
    let read = -1;
    for (let j = points.length - 1; j >= 0; j--) {
      const entry = cache.get(keyOf(points[j]!));
      if (entry !== undefined && entry.expiry > now && entry.readableAt <= now) {
        read = j;
        break;
      }
    }
    let covered = 0;
    if (read >= 0) {
      const b = points[read]!;
      usage.cache_read_input_tokens = b.tokens;
      covered = b.tokens;
      for (let j = 0; j <= read; j++) {
        const key = keyOf(points[j]!);
        const entry = cache.get(key);
        cache.set(key, { expiry: now + ttlMs(points[j]!.ttl), readableAt: entry?.readableAt ?? now });
      }
    }
    for (let j = read + 1; j < points.length; j++) {
      const b = points[j]!;
      const segment = b.tokens - covered;
      covered = b.tokens;
      usage.cache_creation_input_tokens += segment;
      if (b.ttl === '1h') usage.cache_creation.ephemeral_1h_input_tokens += segment;
      else usage.cache_creation.ephemeral_5m_input_tokens += segment;
      const key = keyOf(b);
      const entry = cache.get(key);
      const pending = entry !== undefined && entry.expiry > now ? entry.readableAt : Infinity;
      cache.set(key, { expiry: now + ttlMs(b.ttl), readableAt: Math.min(pending, now + latencyMs) });
    }
    usage.input_tokens = total - covered;
    return usage;
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    failNext: (endpoint, ...statuses) => failures[endpoint].push(...statuses),
    addRule: (rule) => {
      rules.push({ ...rule });
    },
    clearRules: () => {
      rules.length = 0;
      failures.messages.length = 0;
      failures.count_tokens.length = 0;
    },
    respondWith: (r) => {
      responder = r ?? wordOverlapResponder;
    },
    clearCache: () => cache.clear(),
    messages: () => requests.filter((r) => r.endpoint === 'messages'),
    cacheWrites: () => {
      const writes = new Map<string, number>();
      for (const r of requests) {
        if (r.endpoint !== 'messages' || !r.usage || r.usage.cache_creation_input_tokens === 0) continue;
        const first = parsePrompt(r.body).breakpoints[0];
        const id = createHash('sha256').update(first?.bytes ?? '').digest('hex').slice(0, 16);
        writes.set(id, (writes.get(id) ?? 0) + 1);
      }
      return writes;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function ttlMs(ttl: '5m' | '1h'): number {
  return ttl === '1h' ? 3_600_000 : 300_000;
}

/** Enough of JSON Schema for the reply schemas structured outputs take: type, properties, required, additionalProperties, items. */
export interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean;
  items?: JsonSchema;
}

/** undefined when `value` conforms to `schema`, else where it does not. */
export function conformance(value: unknown, schema: JsonSchema, at: string): string | undefined {
  switch (schema.type) {
    case 'object': {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return `${at} is not an object`;
      const obj = value as Record<string, unknown>;
      for (const k of schema.required ?? []) if (!(k in obj)) return `${at}.${k} is missing`;
      for (const [k, v] of Object.entries(obj)) {
        const sub = schema.properties?.[k];
        if (!sub) {
          if (schema.additionalProperties === false) return `${at}.${k} is not allowed`;
          continue;
        }
        const p = conformance(v, sub, `${at}.${k}`);
        if (p) return p;
      }
      return undefined;
    }
    case 'array':
      if (!Array.isArray(value)) return `${at} is not an array`;
      for (let i = 0; i < value.length; i++) {
        const p = schema.items ? conformance(value[i], schema.items, `${at}[${i}]`) : undefined;
        if (p) return p;
      }
      return undefined;
    case 'string':
      return typeof value === 'string' ? undefined : `${at} is not a string`;
    case 'integer':
      return Number.isInteger(value) ? undefined : `${at} is not an integer`;
    case 'number':
      return typeof value === 'number' ? undefined : `${at} is not a number`;
    case 'boolean':
      return typeof value === 'boolean' ? undefined : `${at} is not a boolean`;
    default:
      return undefined;
  }
}

/** The SDK in use sends `Authorization: Bearer <key>`; older clients send x-api-key. */
function apiKeyOf(req: IncomingMessage): string | undefined {
  const header = req.headers['x-api-key'];
  if (typeof header === 'string') return header;
  const auth = req.headers.authorization;
  return auth?.startsWith('Bearer ') ? auth.slice('Bearer '.length) : undefined;
}

function tokens(text: string): number {
  return Math.ceil(text.length / 4);
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'request-id': `req_fake_${Date.now()}`, ...headers });
  res.end(text);
}

function sendError(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}, errorCode?: string): void {
  const error = { type: ERROR_TYPES[status] ?? 'api_error', message, ...(errorCode ? { details: { error_code: errorCode } } : {}) };
  sendJson(res, status, { type: 'error', error, request_id: `req_fake_${Date.now()}` }, headers);
}

/** The system blocks up to one cache_control breakpoint. */
export interface Breakpoint {
  /** The exact bytes of the blocks up to and including this one (JSON of their text). */
  bytes: string;
  /** Tokens of those blocks (4 characters a token). */
  tokens: number;
  ttl: '5m' | '1h';
}

/** The request split at its cache breakpoints, and the parts of memfleet's prompt the fake model reads. */
export interface ParsedPrompt {
  /** The exact bytes up to and including the last cache_control'd system block (JSON of those blocks' text). */
  prefixBytes: string;
  prefixText: string;
  restText: string;
  /** TTL of the first breakpoint. */
  ttl: '5m' | '1h' | undefined;
  breakpoints: Breakpoint[];
  /** The text of the last user turn. */
  userText: string;
  question: string;
  sources: Map<string, string[]>;
}

export function parsePrompt(body: MessagesBody): ParsedPrompt {
  const system: TextBlock[] = typeof body.system === 'string' ? [{ type: 'text', text: body.system }] : (body.system ?? []);
  const marks = system.flatMap((b, i) => (b.cache_control !== undefined ? [i] : []));
  const last = marks.length > 0 ? marks[marks.length - 1]! : -1;
  const cached = system.slice(0, last + 1);
  const uncachedSystem = system.slice(last + 1);
  const textOf = (c: string | TextBlock[]) => (typeof c === 'string' ? c : c.map((b) => b.text).join(''));
  const userTurns = body.messages.filter((m) => m.role === 'user');
  const userText = userTurns.length > 0 ? textOf(userTurns[userTurns.length - 1]!.content) : '';
  const systemText = system.map((b) => b.text).join('\n');
  const breakpoints = marks.map((i) => {
    const blocks = system.slice(0, i + 1);
    return { bytes: JSON.stringify(blocks.map((b) => b.text)), tokens: tokens(blocks.map((b) => b.text).join('')), ttl: system[i]!.cache_control!.ttl ?? '5m' };
  });
  return {
    prefixBytes: JSON.stringify(cached.map((b) => b.text)),
    prefixText: cached.map((b) => b.text).join(''),
    restText: uncachedSystem.map((b) => b.text).join('') + body.messages.map((m) => textOf(m.content)).join(''),
    ttl: breakpoints[0]?.ttl,
    breakpoints,
    userText,
    question: /<question>\n?([\s\S]*?)\n?<\/question>/.exec(userText)?.[1] ?? userText,
    sources: parseSources(systemText),
  };
}

function parseSources(systemText: string): Map<string, string[]> {
  const sources = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of systemText.split('\n')) {
    const open = /^<source path="([^"]*)" lines="\d+">$/.exec(line);
    if (open) {
      current = [];
      sources.set(open[1]!.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&amp;/g, '&'), current);
      continue;
    }
    if (line === '</source>') {
      current = undefined;
      continue;
    }
    const numbered = /^(\d+)\t(.*)$/.exec(line);
    if (current && numbered) current.push(numbered[2]!);
  }
  return sources;
}

const STOP = new Set('a an and are as at be by did does for from had has have how in is it its of on or the to was were what when where which who whom whose why with'.split(' '));

function contentWords(text: string): Set<string> {
  return new Set((text.toLowerCase().match(/[a-z0-9]+/g) ?? []).filter((w) => w.length > 2 && !STOP.has(w)));
}

/** The fake model: the 1-3 consecutive lines sharing most question words, cited as memfleet asks. */
export function wordOverlapResponder(_body: MessagesBody, parsed: ParsedPrompt): string {
  const best = bestPassage(parsed);
  if (!best) return JSON.stringify({ answer: '', citations: [] });
  return JSON.stringify({
    // One sentence (however many the lines hold) resting on citation 1, as the prompt asks.
    answer: `${best.text} [1]`,
    citations: [{ source: best.source, line: best.line, endLine: best.endLine, quote: best.text, relevance: best.relevance }],
  });
}

export interface Passage {
  source: string;
  line: number;
  endLine: number;
  /** The lines joined with a space. */
  text: string;
  relevance: number;
}

export function bestPassage(parsed: ParsedPrompt): Passage | undefined {
  const wanted = contentWords(parsed.question);
  if (wanted.size === 0) return undefined;
  let best: (Passage & { hits: number }) | undefined;
  for (const [source, lines] of parsed.sources) {
    for (let i = 0; i < lines.length; i++) {
      for (let span = 1; span <= 3 && i + span <= lines.length; span++) {
        const window = lines.slice(i, i + span);
        if (window.some((l) => l.trim() === '')) break;
        const words = contentWords(window.join(' '));
        const hits = [...wanted].filter((w) => words.has(w)).length;
        if (hits > 0 && (!best || hits > best.hits)) {
          best = { source, line: i + 1, endLine: i + span, text: window.join(' ').trim(), relevance: hits / wanted.size, hits };
        }
      }
    }
  }
  if (!best) return undefined;
  const { hits: _hits, ...passage } = best;
  return passage;
}
