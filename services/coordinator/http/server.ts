/** The coordinator's HTTP API (docs/api.md). Routes validate input and delegate to the query service. */
import type { Server } from 'node:http';
import Fastify, { type FastifyError, type FastifyHttpOptions, type FastifyInstance } from 'fastify';
import { mergeExpositions } from '../../../shared/metrics/merge-exposition.js';
import { isRedisOutageError } from '../../../shared/redis/outage-error.js';
import { MAX_QUESTION_CHARS, QueryIdSchema } from '../../../shared/queues/schemas.js';
import { describeRequestIssues, unsupportedMediaTypeMessage } from '../../../shared/api/errors.js';
import { QUERY_BODY_KEYS, queryBodySchema } from '../../../shared/api/query.js';
import type { QueryStore } from '../data-access/query-store.js';
import { QueryError } from '../domain/query-service.js';
import { registerAccessGuard } from './access-guard.js';
import { AdminSessions } from './admin-session.js';
import type { HttpDeps } from './deps.js';
import { sendError } from './errors.js';
import { registerRateLimit } from './rate-limit.js';
import { clientErrorHandler, frameworkErrors } from './framework-errors.js';
import { registerConsole } from './console.js';
import { registerQueueDashboard } from './queue-dashboard.js';
import { registerSecurityHeaders } from './security-headers.js';
import { registerSourceRoutes } from './source-routes.js';
import { registerWriteRoutes } from './write-routes.js';
import { registerSupervisorRoute } from './supervisor-route.js';
import { fastifyTrustProxy } from './trust-proxy.js';
import { shardLoad } from '../fanout/shard-load.js';

export function buildServer(deps: HttpDeps): FastifyInstance {
  const { config, log } = deps;
  const options: FastifyHttpOptions<Server> = {
    logger: false,
    bodyLimit: config.maxBodyBytes,
    return503OnClosing: true,
    frameworkErrors,
    clientErrorHandler,
    trustProxy: fastifyTrustProxy(config.trustProxy),
  };
  const server = Fastify(options);
  const bodySchema = queryBodySchema(config.maxTimeoutMs);

  server.setErrorHandler((err: FastifyError, req, reply) => {
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return sendError(reply, 413, 'payload_too_large', `Request body is over ${config.maxBodyBytes} bytes: send a shorter question.`);
    }
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return sendError(reply, 415, 'unsupported_media_type', unsupportedMediaTypeMessage(req.headers['content-type']));
    }
    if (err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
      return sendError(reply, 400, 'invalid_body', 'The body is empty: send a JSON object like {"question": "..."}.');
    }
    if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) {
      const code = err instanceof SyntaxError || /JSON/i.test(err.message) ? 'invalid_json' : 'bad_request';
      return sendError(reply, err.statusCode, code, `The request could not be read: ${err.message}`);
    }
    log.error({ err }, 'unhandled error in HTTP handler');
    return sendError(reply, 500, 'internal', 'The coordinator hit an unexpected error; it has been logged.');
  });
  server.setNotFoundHandler((req, reply) => sendError(reply, 404, 'not_found', `No route ${req.method} ${req.url.split('?')[0]}: see docs/api.md.`));

  registerSecurityHeaders(server);
  // First of the onRequest hooks: nothing runs for a request the guard refuses. Sessions are bought with the token.
  const sessions = config.apiToken ? new AdminSessions(deps.redis, config.prefix, config.apiToken) : undefined;
  registerAccessGuard(server, config, sessions);
  // After the guard: a request without the token never spends an allowance.
  registerRateLimit(server, config.rateLimitPerMin);

  server.post('/v1/query', async (req, reply) => {
    if (deps.draining()) return sendError(reply, 503, 'shutting_down', 'The coordinator is shutting down: retry on another instance or in a moment.');
    // Fastify reads text/plain bodies as strings: this route takes JSON only.
    if (typeof req.body === 'string') return sendError(reply, 415, 'unsupported_media_type', unsupportedMediaTypeMessage(req.headers['content-type']));
    const body = req.body as Record<string, unknown> | null | undefined;
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      return sendError(reply, 400, 'invalid_body', 'The body must be a JSON object like {"question": "..."}.');
    }
    if (typeof body.question === 'string' && body.question.length > MAX_QUESTION_CHARS) {
      return sendError(reply, 413, 'question_too_large', `question is ${body.question.length} characters; the limit is ${MAX_QUESTION_CHARS}.`);
    }
    const parsed = bodySchema.safeParse(body);
    if (!parsed.success) return sendError(reply, 400, 'invalid_body', describeRequestIssues(parsed.error, QUERY_BODY_KEYS));
    if (deps.redis.status !== 'ready') {
      return sendError(reply, 503, 'redis_unavailable', 'Redis is unreachable, so no query can be dispatched: retry when /readyz reports ready.');
    }
    try {
      return await deps.service.run({
        question: parsed.data.question,
        ...(parsed.data.shards ? { shards: parsed.data.shards } : {}),
        mode: parsed.data.mode ?? 'broadcast',
        topK: parsed.data.topK ?? config.defaultTopK,
        timeoutMs: parsed.data.timeoutMs ?? config.defaultTimeoutMs,
        ...(parsed.data.synthesize !== undefined ? { synthesize: parsed.data.synthesize } : {}),
      });
    } catch (err) {
      if (err instanceof QueryError) return sendError(reply, err.status, err.code, err.message);
      // On a Redis Cluster the client stays ready while one master fails over: its errors tell.
      if (deps.redis.status !== 'ready' || isRedisOutageError(err)) {
        return sendError(reply, 503, 'redis_unavailable', 'Redis became unreachable during the query: retry when /readyz reports ready.');
      }
      throw err;
    }
  });

  server.get('/v1/queries/:id', async (req, reply) => {
    const id = (req.params as { id: string }).id;
    if (!QueryIdSchema.safeParse(id).success) return sendError(reply, 404, 'not_found', `No query ${id}: ids look like q_xxxxxxxx.`);
    let record: Awaited<ReturnType<QueryStore['get']>>;
    let abandoned = false;
    try {
      record = await deps.store.get(id);
      if (record?.status === 'running') abandoned = await deps.store.isAbandoned(record);
    } catch {
      // A Redis outage is not a 404: the query may well exist.
      return sendError(reply, 503, 'redis_unavailable', 'Redis is unreachable, so the query cannot be looked up: retry when /readyz reports ready.');
    }
    if (!record) return sendError(reply, 404, 'not_found', `No query ${id}: it never existed or expired after ${config.queryTtlSec} s.`);
    if (record.status === 'running') {
      if (abandoned) {
        return { id, status: 'failed', error: { code: 'abandoned', message: 'The coordinator that ran this query stopped before finishing it: ask again.' } };
      }
      return reply.code(202).send({ id, status: 'running', deadline: record.deadline });
    }
    if (record.status === 'failed') return { id, status: 'failed', error: record.error };
    return { status: 'done', ...record.result };
  });

  server.get('/v1/shards', async () => {
    const { live, known } = await deps.directory.snapshot();
    const liveBy = new Map(live.map((s) => [s.shard, s]));
    const names = [...new Set([...known, ...liveBy.keys()])].sort();
    return Promise.all(
      names.map(async (shard) => {
        const m = await deps.heartbeats.manifest(shard);
        const l = liveBy.get(shard);
        return {
          shard,
          status: l ? 'up' : 'down',
          replicas: l?.replicas.length ?? 0,
          sources: m?.sources ?? 0,
          lines: m?.lines ?? 0,
          tokens: m?.tokens ?? 0,
          engine: m?.engine ?? 'unknown',
          lastSeen: l ? new Date(l.lastSeen).toISOString() : null,
          version: await deps.memory.version(shard).catch(() => null),
          written: m?.written ?? 0,
          ...(await shardLoad(deps.dispatcher, shard)),
          ...(m?.prefix ? { prefix: m.prefix } : {}),
        };
      }),
    );
  });

  server.get('/healthz', async () => ({ status: 'ok' }));

  server.get('/readyz', async (_req, reply) => {
    const checks: Record<string, string> = {};
    let ok = true;
    if (deps.draining()) {
      ok = false;
      checks.coordinator = 'shutting down';
    }
    try {
      if (deps.redis.status !== 'ready') throw new Error(deps.redis.status);
      await deps.redis.ping();
      checks.redis = 'ok';
    } catch (err) {
      ok = false;
      checks.redis = `unreachable (${err instanceof Error ? err.message : String(err)})`;
    }
    if (checks.redis === 'ok') {
      const { live, known } = await deps.directory.snapshot();
      checks.shards = live.length > 0 ? `${live.length} live` : 'none live';
      const down = known.filter((k) => !live.some((l) => l.shard === k));
      if (down.length > 0) checks.down = down.join(',');
      if (live.length === 0) ok = false;
    }
    reply.code(ok ? 200 : 503);
    return { status: ok ? 'ready' : 'not_ready', checks };
  });

  server.get('/metrics', async (_req, reply) => {
    try {
      const { live, known } = await deps.directory.snapshot();
      deps.metrics.shardUp.reset();
      for (const shard of known) deps.metrics.shardUp.set({ shard }, 0);
      for (const s of live) deps.metrics.shardUp.set({ shard: s.shard }, s.replicas.length);
      for (const shard of new Set([...known, ...live.map((s) => s.shard)])) deps.dispatcher.queue(shard);
    } catch {
      // Redis down: the gauge keeps its last values.
    }
    const own = await deps.metrics.registry.metrics();
    const queues = await Promise.all(
      deps.dispatcher.knownQueues().map((queue) =>
        // Redis down: serve our own metrics without the queue gauges.
        queue.exportPrometheusMetrics({ shard: queue.name.replace(/^shard\./, '') }).catch(() => ''),
      ),
    );
    reply.header('content-type', deps.metrics.registry.contentType);
    return own + mergeExpositions(queues);
  });

  // Interfaces for people and agents (docs/interfaces.md): source lines, the queue dashboard, the web console.
  registerSourceRoutes(server, deps);
  registerWriteRoutes(server, { ...deps, maxSourceBytes: config.maxSourceBytes });
  registerSupervisorRoute(server, deps);
  registerQueueDashboard(server, deps, sessions);
  registerConsole(server, deps);

  return server;
}
