/**
 * GET /v1/supervisor: the processes each `memfleet up` on this Redis and prefix
 * supervises, with their pid, state and restart count (shared/fleet/supervisor-status.ts).
 * Empty when the fleet runs without `up` (compose, systemd). Behind the bearer token like every /v1 route.
 */
import type { FastifyInstance } from 'fastify';
import { SupervisorStatusStore } from '../../../shared/fleet/supervisor-status.js';
import { sendError } from './errors.js';
import type { HttpDeps } from './deps.js';

export function registerSupervisorRoute(server: FastifyInstance, deps: HttpDeps): void {
  const store = new SupervisorStatusStore(deps.redis, deps.config.prefix);
  server.get('/v1/supervisor', async (_req, reply) => {
    try {
      return { supervisors: await store.list() };
    } catch {
      return sendError(reply, 503, 'redis_unavailable', 'Redis is unreachable, so the supervised processes cannot be listed: retry when /readyz reports ready.');
    }
  });
}
