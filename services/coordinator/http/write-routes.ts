/**
 * Writing to memory over HTTP (docs/api.md, "Writing to memory"):
 * PUT, DELETE and GET of /v1/shards/{shard}/sources/{source}. Registered in
 * their own scope, whose body parsers keep text bodies as raw bytes (so a body
 * that is not UTF-8 is refused, not silently repaired) and whose body limit is
 * the per-source cap rather than the query limit. Behind the same bearer token
 * as every /v1 route.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { describeIssues } from '../../../shared/config/env.js';
import { IF_MATCH_PATTERN, PutSourceJsonBodySchema, PutSourceQuerySchema, WrittenSourceParamsSchema } from '../../../shared/api/sources.js';
import { sendError } from './errors.js';
import type { HttpDeps } from './deps.js';
import { SourceWriteError, type SourceWriter } from '../memory/source-writer.js';

const TEXT_TYPES = ['text/plain', 'text/markdown'];
const utf8 = new TextDecoder('utf-8', { fatal: true });

export function registerWriteRoutes(server: FastifyInstance, deps: HttpDeps & { writer: SourceWriter; maxSourceBytes: number }): void {
  const { writer } = deps;
  // JSON escaping may double a document's size; anything past this is over the cap whatever its form.
  const bodyLimit = deps.maxSourceBytes * 2 + 4096;

  void server.register(async (scope) => {
    scope.removeContentTypeParser('text/plain');
    scope.addContentTypeParser(TEXT_TYPES, { parseAs: 'buffer', bodyLimit }, (_req, body, done) => done(null, body));
    scope.setErrorHandler((err: FastifyError, _req, reply) => {
      if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
        return sendError(reply, 413, 'source_too_large', `body: the document is over the per-source cap of ${deps.maxSourceBytes} bytes (MAX_SOURCE_BYTES): split it into several sources.`);
      }
      if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
        return sendError(reply, 415, 'unsupported_media_type', 'Send the document as text/plain or text/markdown (UTF-8), or as JSON {"text": "…"} with Content-Type: application/json.');
      }
      if (err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return sendError(reply, 400, 'empty_body', 'body: the JSON body is empty; send {"text": "…"}.');
      if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) {
        return sendError(reply, err.statusCode, 'invalid_json', `body: ${err.message}`);
      }
      deps.log.error({ err }, 'unhandled error in a write route');
      return sendError(reply, 500, 'internal', 'The coordinator hit an unexpected error; it has been logged.');
    });

    scope.put('/v1/shards/:shard/sources/*', { bodyLimit }, async (req, reply) => {
      const target = targetOf(req, reply);
      if (!target) return reply;
      const query = PutSourceQuerySchema.safeParse(req.query);
      if (!query.success) return sendError(reply, 400, 'invalid_query', describeIssues(query.error));
      const ifMatch = ifMatchOf(req, reply);
      if (ifMatch === null) return reply;
      const text = textOf(req, reply);
      if (text === undefined) return reply;
      return run(reply, async () => {
        const { created, body } = await writer.put({ ...target, text, ttlSec: query.data.ttl, ifMatch });
        reply.header('etag', `"${body.version}"`);
        return reply.code(created ? 201 : 200).send(body);
      });
    });

    scope.delete('/v1/shards/:shard/sources/*', async (req, reply) => {
      const target = targetOf(req, reply);
      if (!target) return reply;
      const ifMatch = ifMatchOf(req, reply);
      if (ifMatch === null) return reply;
      return run(reply, async () => writer.delete({ ...target, ifMatch }));
    });

    scope.get('/v1/shards/:shard/sources/*', async (req, reply) => {
      const target = targetOf(req, reply);
      if (!target) return reply;
      return run(reply, async () => {
        const body = await writer.read(target.shard, target.source);
        reply.header('etag', `"${body.version}"`);
        return body;
      });
    });
  });

  function targetOf(req: FastifyRequest, reply: FastifyReply): { shard: string; source: string } | undefined {
    if (deps.draining()) {
      sendError(reply, 503, 'shutting_down', 'The coordinator is shutting down: retry in a moment.');
      return undefined;
    }
    const params = WrittenSourceParamsSchema.safeParse(req.params);
    if (!params.success) {
      sendError(reply, 404, 'unknown_shard', 'Shard names are lowercase letters, digits and dashes: GET /v1/shards lists them.');
      return undefined;
    }
    return { shard: params.data.shard, source: params.data['*'] };
  }

  /** undefined: no If-Match; null: a bad one (already answered). */
  function ifMatchOf(req: FastifyRequest, reply: FastifyReply): number | undefined | null {
    const raw = req.headers['if-match'];
    if (raw === undefined) return undefined;
    const m = IF_MATCH_PATTERN.exec(Array.isArray(raw) ? raw.join(',') : raw);
    if (!m) {
      sendError(reply, 400, 'invalid_if_match', 'If-Match: expected the version a source was read at, e.g. If-Match: 7 (or "7"), as returned in "version" and the ETag header.');
      return null;
    }
    return Number(m[1]);
  }

  function textOf(req: FastifyRequest, reply: FastifyReply): string | undefined {
    const body: unknown = req.body;
    if (Buffer.isBuffer(body)) {
      const charset = /charset\s*=\s*"?([^";\s]+)/i.exec(req.headers['content-type'] ?? '')?.[1];
      if (charset !== undefined && !/^utf-?8$/i.test(charset)) {
        sendError(reply, 400, 'invalid_encoding', `body: charset ${charset} is not accepted; send the document as UTF-8.`);
        return undefined;
      }
      try {
        return utf8.decode(body);
      } catch {
        sendError(reply, 400, 'invalid_encoding', 'body: the document is not valid UTF-8 text; convert it to UTF-8 (e.g. iconv -t UTF-8) and send it again.');
        return undefined;
      }
    }
    if (body === undefined || body === null) {
      sendError(reply, 400, 'empty_body', 'body: the document is empty; send its text as text/plain or text/markdown, or JSON {"text": "…"}.');
      return undefined;
    }
    const parsed = PutSourceJsonBodySchema.safeParse(body);
    if (!parsed.success) {
      sendError(reply, 400, 'invalid_body', describeIssues(parsed.error));
      return undefined;
    }
    return parsed.data.text;
  }

  async function run(reply: FastifyReply, fn: () => Promise<unknown>): Promise<unknown> {
    if (deps.redis.status !== 'ready') {
      return sendError(reply, 503, 'redis_unavailable', 'Redis is unreachable, so memory cannot be written or read: retry when /readyz reports ready.');
    }
    try {
      return await fn();
    } catch (err) {
      if (err instanceof SourceWriteError) {
        return reply.code(err.status).type('application/json').send({ error: { code: err.code, message: err.message, ...err.details } });
      }
      if (deps.redis.status !== 'ready') return sendError(reply, 503, 'redis_unavailable', 'Redis became unreachable during the write: retry when /readyz reports ready (the write may or may not have been applied; read it back to know).');
      throw err;
    }
  }
}
