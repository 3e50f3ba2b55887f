/**
 * bull-board at /admin/queues: every shard queue, read-only unless
 * QUEUE_DASHBOARD=readwrite. Guarded like the API (bearer token, or the
 * session cookie the console obtains); with no token configured it answers
 * only on loopback, so a fleet bound to 0.0.0.0 never exposes its queues by
 * accident. Shards that appear after start are added on the next request.
 */
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ADMIN_COOKIE, clearedSessionCookie, isLoopback, issueSessionValue, readCookie, sessionCookie, sessionValueValid } from './admin-session.js';
import { bearerMatches } from './auth.js';
import { sendError } from './errors.js';
import type { HttpDeps } from './deps.js';

export const QUEUE_DASHBOARD_PATH = '/admin/queues';

function isAdminPath(url: string): boolean {
  return url === '/admin' || url.startsWith('/admin/') || url.startsWith('/admin?');
}

export function registerQueueDashboard(server: FastifyInstance, deps: HttpDeps): void {
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

  const allowed = (req: FastifyRequest): boolean => {
    if (!config.apiToken) return isLoopback(req.socket.remoteAddress);
    if (bearerMatches(req.headers.authorization, config.apiToken)) return true;
    return sessionValueValid(readCookie(req.headers.cookie, ADMIN_COOKIE), config.apiToken);
  };

  server.addHook('onRequest', async (req, reply) => {
    if (!isAdminPath(req.url)) return undefined;
    if (req.method === 'POST' && req.url.split('?')[0] === '/admin/session') return undefined; // checks its own bearer
    if (!allowed(req)) {
      if (!config.apiToken) {
        return sendError(reply, 403, 'forbidden', 'No MEMFLEET_API_TOKEN is set, so the queue dashboard answers only on loopback: set a token to open it from elsewhere.');
      }
      reply.header('www-authenticate', 'Bearer');
      return sendError(reply, 401, 'unauthorized', 'The queue dashboard needs the API token: open the console at /, enter the token and follow "Queues" (it sets a session cookie), or send Authorization: Bearer <MEMFLEET_API_TOKEN>.');
    }
    // A shard that registered since the last visit shows up now, without a restart.
    await syncQueues().catch(() => undefined);
    return undefined;
  });

  /** Trades the bearer token for an HttpOnly session cookie scoped to /admin. */
  server.post('/admin/session', async (req, reply) => {
    if (!config.apiToken) {
      if (!isLoopback(req.socket.remoteAddress)) {
        return sendError(reply, 403, 'forbidden', 'No MEMFLEET_API_TOKEN is set, so the queue dashboard answers only on loopback: set a token to open it from elsewhere.');
      }
      return reply.code(204).send();
    }
    if (!bearerMatches(req.headers.authorization, config.apiToken)) {
      reply.header('www-authenticate', 'Bearer');
      return sendError(reply, 401, 'unauthorized', 'Send Authorization: Bearer <MEMFLEET_API_TOKEN> to open a queue dashboard session.');
    }
    reply.header('set-cookie', sessionCookie(issueSessionValue(config.apiToken), req.protocol === 'https'));
    return reply.code(204).send();
  });

  server.delete('/admin/session', async (_req, reply) => {
    reply.header('set-cookie', clearedSessionCookie());
    return reply.code(204).send();
  });

  void server.register(serverAdapter.registerPlugin(), { prefix: QUEUE_DASHBOARD_PATH });
}
