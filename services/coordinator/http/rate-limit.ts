/**
 * Per-client rate limit on POST /v1/query (RATE_LIMIT_PER_MIN, default 600,
 * 0 = off).
 *
 * A client is its IP address (`req.ip`: behind a proxy trusted with
 * TRUST_PROXY, the address it forwards). Never the bearer token: without an
 * API token configured the token is unchecked, and a client rotating made-up
 * tokens would get a fresh allowance each time (issue 11, finding 6); with
 * one, every client sends the same token, which would tell no two apart.
 * Counts live in this process (@fastify/rate-limit's memory
 * store): with several coordinators each enforces the limit on its own, and a
 * Redis outage never turns into a rate-limit outage.
 *
 * The plugin's own hook attaches to routes through onRoute, which misses routes
 * declared before the plugin has loaded; a root onRequest hook calling
 * createRateLimit() works wherever the route is declared, and lets the 429 use
 * the API's error shape.
 */
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

function clientKey(req: FastifyRequest): string {
  return `ip:${req.ip}`;
}
