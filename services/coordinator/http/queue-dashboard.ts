/**
 * bull-board at /admin/queues: every shard queue, read-only unless
 * QUEUE_DASHBOARD=readwrite. Who may open it is decided by the access guard
 * (access-guard.ts: the bearer token, or the session cookie the console buys
 * at POST /admin/session; with no token configured, loopback only). Shards
 * that appear after start are added on the next request.
 */
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyInstance } from 'fastify';
import { ADMIN_COOKIE, clearedSessionCookie, isLoopback, readCookie, sessionCookie, type AdminSessions } from './admin-session.js';
import { bearerMatches } from './auth.js';
import { sendError } from './errors.js';
import type { HttpDeps } from './deps.js';
import { ADMIN_SESSION_ROUTE, QUEUE_DASHBOARD_PATH } from './route-access.js';

/** `sessions` exists exactly when an API token is configured. */
export function registerQueueDashboard(server: FastifyInstance, deps: HttpDeps, sessions: AdminSessions | undefined): void {
  const { config } = deps;
  if (config.queueDashboard === 'off') return;
  const readOnly = config.queueDashboard === 'readonly';

  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(QUEUE_DASHBOARD_PATH);
  const board = createBullBoard({
    queues: [],
    // @bull-board/fastify pins its own copy of @bull-board/api (one patch version apart):
    // the same classes at run time, but TypeScript sees two declarations.
    serverAdapter: serverAdapter as unknown as Parameters<typeof createBullBoard>[0]['serverAdapter'],
    options: { uiConfig: { boardTitle: 'memfleet queues', miscLinks: [{ text: 'Console', url: '/' }] } },
  });
  const shown = new Set<string>();
  const syncQueues = async (): Promise<void> => {
    const { live, known } = await deps.directory.snapshot();
    for (const shard of [...new Set([...known, ...live.map((s) => s.shard)])].sort()) {
      if (shown.has(shard)) continue;
      shown.add(shard);
      board.addQueue(new BullMQAdapter(deps.dispatcher.queue(shard), { readOnlyMode: readOnly, allowRetries: !readOnly, description: `jobs for shard ${shard}` }));
    }
  };

  // Runs after the access guard (registered first in server.ts), so only admitted requests get here.
  server.addHook('onRequest', async (req) => {
    const route = req.routeOptions.url;
    if (route === undefined || !route.startsWith(QUEUE_DASHBOARD_PATH)) return;
    // A shard that registered since the last visit shows up now, without a restart.
    await syncQueues().catch(() => undefined);
  });

  /** Trades the bearer token for an HttpOnly session cookie scoped to /admin. */
  server.post(ADMIN_SESSION_ROUTE, async (req, reply) => {
    if (!config.apiToken || !sessions) {
      if (!isLoopback(req.ip)) {
        return sendError(reply, 403, 'forbidden', 'No MEMFLEET_API_TOKEN is set, so the queue dashboard answers only on loopback: set a token to open it from elsewhere.');
      }
      return reply.code(204).send();
    }
    if (!bearerMatches(req.headers.authorization, config.apiToken)) {
      reply.header('www-authenticate', 'Bearer');
      return sendError(reply, 401, 'unauthorized', 'Send Authorization: Bearer <MEMFLEET_API_TOKEN> to open a queue dashboard session.');
    }
    let value: string;
    try {
      value = await sessions.open();
    } catch {
      return sendError(reply, 503, 'redis_unavailable', 'Redis is unreachable, so no dashboard session can be opened: retry when /readyz reports ready.');
    }
    // Secure when the request came over https; behind a TLS-terminating proxy that needs TRUST_PROXY.
    reply.header('set-cookie', sessionCookie(value, req.protocol === 'https'));
    return reply.code(204).send();
  });

  /** Logging out ends the session server-side: the cookie stops working even if a copy of it survives. */
  server.delete(ADMIN_SESSION_ROUTE, async (req, reply) => {
    try {
      await sessions?.close(readCookie(req.headers.cookie, ADMIN_COOKIE));
    } catch {
      return sendError(reply, 503, 'redis_unavailable', 'Redis is unreachable, so the session could not be ended: retry when /readyz reports ready.');
    }
    reply.header('set-cookie', clearedSessionCookie());
    return reply.code(204).send();
  });

  void server.register(serverAdapter.registerPlugin(), { prefix: QUEUE_DASHBOARD_PATH });
}
