/**
 * Per-client rate limit on POST /v1/query (RATE_LIMIT_PER_MIN, 0 = off).
 *
 * A client is its IP address, together with its bearer token when it sends
 * one: with one shared API token, keying by the token alone would turn the
 * limit into a global one. Counts live in this process (@fastify/rate-limit's memory
 * store): with several coordinators each enforces the limit on its own, and a
 * Redis outage never turns into a rate-limit outage.
 *
 * The plugin's own hook attaches to routes through onRoute, which misses routes
 * declared before the plugin has loaded; a root onRequest hook calling
 * createRateLimit() works wherever the route is declared, and lets the 429 use
 * the API's error shape.
 */
import { createHash } from 'node:crypto';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { sendError } from './errors.js';

const WINDOW_MS = 60_000;
const LIMITED_ROUTE = { method: 'POST', url: '/v1/query' } as const;

/** Registers the limit; call it before `listen()`. Does nothing when `perMinute` is 0. */
export function registerRateLimit(server: FastifyInstance, perMinute: number): void {
  if (perMinute <= 0) return;
  server.register(rateLimit, { global: false });

  let check: ReturnType<FastifyInstance['createRateLimit']> | undefined;
  server.addHook('onReady', async () => {
    check = server.createRateLimit({ max: perMinute, timeWindow: WINDOW_MS, keyGenerator: clientKey });
  });

  server.addHook('onRequest', async (req, reply) => {
    if (!check || req.method !== LIMITED_ROUTE.method || req.routeOptions.url !== LIMITED_ROUTE.url) return undefined;
    const state = await check(req);
    if (state.isAllowed || !state.isExceeded) return undefined;
    const retryAfterSec = Math.max(1, state.ttlInSeconds);
    reply.header('retry-after', String(retryAfterSec));
    reply.header('x-ratelimit-limit', String(state.max));
    reply.header('x-ratelimit-remaining', '0');
    return sendError(
      reply,
      429,
      'rate_limited',
      `More than ${perMinute} queries in a minute from this client: retry after ${retryAfterSec} s (Retry-After), or ask the operator to raise RATE_LIMIT_PER_MIN.`,
    );
  });
}

/** The token is hashed so the limiter's keys never hold it. */
function clientKey(req: FastifyRequest): string {
  const header = req.headers.authorization;
  const token = typeof header === 'string' ? /^Bearer\s+(.+)$/i.exec(header.trim())?.[1] : undefined;
  const ip = `ip:${req.ip}`;
  return token ? `${ip}|token:${createHash('sha256').update(token).digest('base64url').slice(0, 22)}` : ip;
}
