/**
 * A local stand-in for the Anthropic Messages API, for tests: the real SDK
 * talks to it through `baseURL`. It speaks enough of POST /v1/messages and
 * POST /v1/messages/count_tokens to answer, keeps a prompt cache keyed by the
 * bytes of the cache_control'd prefix (a write on the first call, reads
 * after, with TTLs), records every request, and can be told to fail the next
 * calls with 401, 429, 529 (or any status).
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
  output_config?: Record<string, unknown>;
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
}

export interface FakeAnthropic {
  url: string;
  requests: RecordedRequest[];
  /** The next calls to `endpoint` fail with these statuses, one each, in order. */
  failNext(endpoint: Endpoint, ...statuses: number[]): void;
  /** Replaces the fake model; undefined restores the word-overlap reader. */
  respondWith(responder: Responder | undefined): void;
  /** Forgets every cache entry (as if the TTL had passed). */
  clearCache(): void;
  messages(): RecordedRequest[];
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

export async function startFakeAnthropic(opts: FakeAnthropicOptions = {}): Promise<FakeAnthropic> {
  const minCacheTokens = opts.minCacheTokens ?? 1024;
  const acceptKey = opts.acceptKey ?? ((key: string) => key.startsWith('sk-ant-test-'));
  const retryAfterMs = opts.retryAfterMs ?? 20;
  const latencyMs = opts.latencyMs ?? 0;
  const requests: RecordedRequest[] = [];
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
        sendError(res, 500, `fake server error: ${err instanceof Error ? err.message : String(err)}`);
      }
    });
  });

  function handle(req: IncomingMessage, res: ServerResponse, raw: string): void {
    const path = (req.url ?? '').split('?')[0];
    const endpoint: Endpoint | undefined = path === '/v1/messages' ? 'messages' : path === '/v1/messages/count_tokens' ? 'count_tokens' : undefined;
    if (req.method !== 'POST' || endpoint === undefined) return sendError(res, 404, `no route ${req.method} ${path}`);
    const body = JSON.parse(raw) as MessagesBody;
    const record: RecordedRequest = { endpoint, headers: req.headers, raw, body, status: 200 };
    requests.push(record);

    const key = apiKeyOf(req);
    const scripted = failures[endpoint].shift();
    const status = scripted ?? (key !== undefined && acceptKey(key) ? 200 : 401);
    record.status = status;
    if (status !== 200) {
      const headers: Record<string, string> = status === 429 || status === 529 ? { 'retry-after-ms': String(retryAfterMs) } : {};
      const message = status === 401 ? 'invalid x-api-key' : status === 529 ? 'Overloaded' : status === 429 ? 'Number of request tokens has exceeded your per-minute rate limit' : 'scripted failure';
      return sendError(res, status, message, headers);
    }

    const parsed = parsePrompt(body);
    if (endpoint === 'count_tokens') return sendJson(res, 200, { input_tokens: tokens(parsed.prefixText) + tokens(parsed.restText) });

    const usage = cacheUsage(body, parsed);
    const text = responder(body, parsed);
    usage.output_tokens = Math.max(1, tokens(text));
    record.usage = usage;
    const body200 = {
      id: `msg_fake_${++seq}`,
      type: 'message',
      role: 'assistant',
      model: body.model,
      content: [{ type: 'text', text, citations: null }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      stop_details: null,
      container: null,
      diagnostics: null,
      usage: { ...usage, inference_geo: null, output_tokens_details: null, server_tool_use: null, service_tier: 'standard', speed: null },
    };
    if (latencyMs > 0) setTimeout(() => sendJson(res, 200, body200), latencyMs);
    else sendJson(res, 200, body200);
  }

  /** A write on the first call with a given prefix, reads while it lives (each read refreshes the TTL). */
  function cacheUsage(body: MessagesBody, parsed: ParsedPrompt): FakeUsage {
    const prefixTokens = tokens(parsed.prefixText);
    const restTokens = tokens(parsed.restText);
    const usage: FakeUsage = {
      input_tokens: prefixTokens + restTokens,
      output_tokens: 0,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
      cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
    };
    if (parsed.ttl === undefined || prefixTokens < minCacheTokens) return usage;
    const key = createHash('sha256').update(body.model).update('\0').update(parsed.prefixBytes).digest('hex');
    const ttlMs = parsed.ttl === '1h' ? 3_600_000 : 300_000;
    const now = Date.now();
    const entry = cache.get(key);
    usage.input_tokens = restTokens;
    if (entry !== undefined && entry.expiry > now && entry.readableAt <= now) {
      usage.cache_read_input_tokens = prefixTokens;
      cache.set(key, { expiry: now + ttlMs, readableAt: entry.readableAt });
    } else {
      usage.cache_creation_input_tokens = prefixTokens;
      if (parsed.ttl === '1h') usage.cache_creation.ephemeral_1h_input_tokens = prefixTokens;
      else usage.cache_creation.ephemeral_5m_input_tokens = prefixTokens;
      const pending = entry !== undefined && entry.expiry > now ? entry.readableAt : Infinity;
      cache.set(key, { expiry: now + ttlMs, readableAt: Math.min(pending, now + latencyMs) });
    }
    return usage;
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    failNext: (endpoint, ...statuses) => failures[endpoint].push(...statuses),
    respondWith: (r) => {
      responder = r ?? wordOverlapResponder;
    },
    clearCache: () => cache.clear(),
    messages: () => requests.filter((r) => r.endpoint === 'messages'),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
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

function sendError(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  sendJson(res, status, { type: 'error', error: { type: ERROR_TYPES[status] ?? 'api_error', message } }, headers);
}

/** The request split at its cache breakpoint, and the parts of memfleet's prompt the fake model reads. */
export interface ParsedPrompt {
  /** The exact bytes up to and including the cache_control'd system block (JSON of those blocks' text). */
  prefixBytes: string;
  prefixText: string;
  restText: string;
  ttl: '5m' | '1h' | undefined;
  /** The text of the last user turn. */
  userText: string;
  question: string;
  sources: Map<string, string[]>;
}

export function parsePrompt(body: MessagesBody): ParsedPrompt {
  const system: TextBlock[] = typeof body.system === 'string' ? [{ type: 'text', text: body.system }] : (body.system ?? []);
  const breakpoint = system.findIndex((b) => b.cache_control !== undefined);
  const cached = breakpoint >= 0 ? system.slice(0, breakpoint + 1) : [];
  const uncachedSystem = breakpoint >= 0 ? system.slice(breakpoint + 1) : system;
  const textOf = (c: string | TextBlock[]) => (typeof c === 'string' ? c : c.map((b) => b.text).join(''));
  const userTurns = body.messages.filter((m) => m.role === 'user');
  const userText = userTurns.length > 0 ? textOf(userTurns[userTurns.length - 1]!.content) : '';
  const systemText = system.map((b) => b.text).join('');
  return {
    prefixBytes: JSON.stringify(cached.map((b) => b.text)),
    prefixText: cached.map((b) => b.text).join(''),
    restText: uncachedSystem.map((b) => b.text).join('') + body.messages.map((m) => textOf(m.content)).join(''),
    ttl: breakpoint >= 0 ? (system[breakpoint]!.cache_control!.ttl ?? '5m') : undefined,
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
