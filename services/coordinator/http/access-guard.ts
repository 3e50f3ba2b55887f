/**
 * The one door every request passes (a root onRequest hook, registered before
 * any other): the Host check against DNS rebinding, then the credentials the
 * matched route needs (route-access.ts). Deciding on the matched route rather
 * than the raw URL is what closes issue 11's percent-encoding bypass: the
 * same decoded path the router serves is the one the guard judges.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CoordinatorConfig } from '../config.js';
import { ADMIN_COOKIE, isLoopback, readCookie, type AdminSessions } from './admin-session.js';
import { hostAllowed } from './allowed-hosts.js';
import { bearerMatches } from './auth.js';
import { sendError } from './errors.js';
import { routeAccess } from './route-access.js';

export type GuardConfig = Pick<CoordinatorConfig, 'apiToken' | 'allowedHosts' | 'host'>;

/** Without a token the Host check stands in for it; with one, it applies only when ALLOWED_HOSTS is set. */
export function hostCheckApplies(config: GuardConfig): boolean {
  return !config.apiToken || config.allowedHosts !== undefined;
}

function refuseHost(req: FastifyRequest, reply: FastifyReply, config: GuardConfig): FastifyReply {
  const host = req.host.slice(0, 100);
  const why = config.apiToken
    ? 'This coordinator answers /v1 and /admin only to loopback Host names (localhost, 127.0.0.1, [::1]), its HOST address and the names in ALLOWED_HOSTS'
    : 'No MEMFLEET_API_TOKEN is set, so this coordinator answers /v1 and /admin only to loopback Host names (localhost, 127.0.0.1, [::1]), its HOST address and the names in ALLOWED_HOSTS, which keeps web pages that re-point their own name at this machine (DNS rebinding) out';
  return sendError(
    reply,
    421,
    'host_not_allowed',
    `${why}; "Host: ${host}" is none of these. Use one of those names, add this one to ALLOWED_HOSTS (comma-separated)${config.apiToken ? '' : ', or set MEMFLEET_API_TOKEN'}.`,
  );
}

function refuseToken(reply: FastifyReply): FastifyReply {
  reply.header('www-authenticate', 'Bearer');
  return sendError(reply, 401, 'unauthorized', 'Missing or wrong bearer token: send Authorization: Bearer <MEMFLEET_API_TOKEN>.');
}

/** `sessions` exists exactly when a token is configured (sessions are bought with it). */
export function registerAccessGuard(server: FastifyInstance, config: GuardConfig, sessions: AdminSessions | undefined): void {
  server.addHook('onRequest', async (req, reply) => {
    const access = routeAccess(req.routeOptions.url);
    if (access === 'public') return undefined;
    if (hostCheckApplies(config) && !hostAllowed(req.hostname, config.allowedHosts, config.host)) return refuseHost(req, reply, config);
    if (access === 'api') {
      if (config.apiToken && !bearerMatches(req.headers.authorization, config.apiToken)) return refuseToken(reply);
      return undefined;
    }
    if (access === 'admin') return guardAdmin(req, reply, config, sessions);
    return undefined; // admin-session: the route checks the bearer token itself
  });
}

async function guardAdmin(req: FastifyRequest, reply: FastifyReply, config: GuardConfig, sessions: AdminSessions | undefined): Promise<FastifyReply | undefined> {
  if (!config.apiToken || !sessions) {
    // req.ip: behind a trusted proxy (TRUST_PROXY) the client's address, not the proxy's loopback one.
    if (isLoopback(req.ip)) return undefined;
    return sendError(reply, 403, 'forbidden', 'No MEMFLEET_API_TOKEN is set, so the queue dashboard answers only on loopback: set a token to open it from elsewhere.');
  }
  if (bearerMatches(req.headers.authorization, config.apiToken)) return undefined;
  let open: boolean;
  try {
    open = await sessions.valid(readCookie(req.headers.cookie, ADMIN_COOKIE));
  } catch {
    return sendError(reply, 503, 'redis_unavailable', 'Redis is unreachable, so the dashboard session cannot be checked: retry when /readyz reports ready.');
  }
  if (open) return undefined;
  reply.header('www-authenticate', 'Bearer');
  return sendError(
    reply,
    401,
    'unauthorized',
    'The queue dashboard needs the API token: open the console at /, enter the token and follow "Queues" (it sets a session cookie), or send Authorization: Bearer <MEMFLEET_API_TOKEN>.',
  );
}
