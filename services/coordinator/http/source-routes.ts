/**
 * Read-only access to the shards' source files (docs/api.md, "Sources"):
 * the list of sources of a shard and a range of lines of one source, read
 * through the shard's queue. Behind the same bearer token as every /v1 route.
 */
import type { FastifyInstance } from 'fastify';
import { describeRequestIssues } from '../../../shared/api/errors.js';
import { LINES_QUERY_KEYS, LinesQuerySchema, ShardParamSchema } from '../../../shared/api/sources.js';
import { MAX_READ_LINES } from '../../../shared/queues/schemas.js';
import { SourceReadError, SourceReader } from '../domain/source-reader.js';
import { sendError } from './errors.js';
import type { HttpDeps } from './deps.js';

export function registerSourceRoutes(server: FastifyInstance, deps: HttpDeps): void {
  // Reads are small and cheap: the query default deadline is plenty, capped so a page never hangs long.
  const reader = new SourceReader(deps.directory, deps.dispatcher, Math.min(deps.config.defaultTimeoutMs, 10_000));

  const shardOf = (params: unknown): string | undefined => {
    const parsed = ShardParamSchema.safeParse(params);
    return parsed.success ? parsed.data.shard : undefined;
  };

  server.get('/v1/shards/:shard/sources', async (req, reply) => {
    const shard = shardOf(req.params);
    if (!shard) return sendError(reply, 404, 'unknown_shard', 'Shard names are lowercase letters, digits and dashes: GET /v1/shards lists them.');
    if (deps.draining()) return sendError(reply, 503, 'shutting_down', 'The coordinator is shutting down: retry in a moment.');
    try {
      return await reader.sources(shard);
    } catch (err) {
      if (err instanceof SourceReadError) return sendError(reply, err.status, err.code, err.message);
      throw err;
    }
  });

  server.get('/v1/shards/:shard/lines', async (req, reply) => {
    const shard = shardOf(req.params);
    if (!shard) return sendError(reply, 404, 'unknown_shard', 'Shard names are lowercase letters, digits and dashes: GET /v1/shards lists them.');
    const query = LinesQuerySchema.safeParse(req.query);
    if (!query.success) return sendError(reply, 400, 'invalid_query', describeRequestIssues(query.error, LINES_QUERY_KEYS, 'parameter'));
    if (deps.draining()) return sendError(reply, 503, 'shutting_down', 'The coordinator is shutting down: retry in a moment.');
    const { source, from } = query.data;
    const to = query.data.to ?? from + MAX_READ_LINES - 1;
    try {
      return await reader.lines(shard, source, from, to);
    } catch (err) {
      if (err instanceof SourceReadError) return sendError(reply, err.status, err.code, err.message);
      throw err;
    }
  });
}
