/**
 * memfleet as a Model Context Protocol server: tools to ask the fleet and list
 * its shards, and each shard's sources as resources an agent reads by line
 * range. Everything goes through a running coordinator's HTTP API, so the
 * MCP server holds no keys and no Redis connection — only the API token.
 */
import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult, ReadResourceResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { MAX_QUESTION_CHARS } from '../../shared/queues/schemas.js';
import { DOMAIN_PATTERN } from '../../shared/queues/names.js';
import { cite } from '../../shared/api/citation.js';
import type { CoordinatorClient } from '../../shared/api/client.js';
import { ConfidenceSchema, QUERY_MODES, ShardStatusSchema, topKField } from '../../shared/api/query.js';
import { ShardRowSchema } from '../../shared/api/shards.js';
import { MAX_TTL_SEC, SourceLinesSchema } from '../../shared/api/sources.js';
import { parseSourceUri, renderAnswerText, renderLinesText, renderShardsText, sourceUri } from './format.js';

export const MCP_SERVER_NAME = 'memfleet';

const INSTRUCTIONS = [
  'memfleet is a distributed memory: domain shards each hold a folder of documents.',
  'Call ask_memory with a question to get an answer whose citations point at shard/source:line.',
  'Read the cited lines (and the lines around them) with read_source or the memfleet://<shard>/<source>?from=N&to=M resources before relying on them.',
  'list_shards shows which domains exist.',
  'remember writes a note (e.g. a handover for a later session) into a domain; every later ask_memory can cite it. forget removes one.',
].join(' ');

const shardName = z.string().regex(DOMAIN_PATTERN, 'a shard name: lowercase letters, digits and dashes');

const CitationOut = z.object({
  ref: z.string().describe('shard/source:line or shard/source:line-endLine'),
  shard: z.string(),
  source: z.string(),
  line: z.number().int(),
  endLine: z.number().int(),
  text: z.string(),
  score: z.number(),
  confidence: z.enum(['high', 'low']).describe('high: matches the question well; low: a weak match, check it'),
  uri: z.string().describe('memfleet:// resource with exactly the cited lines'),
});

const ShardOutcomeOut = z.object({
  shard: z.string(),
  status: ShardStatusSchema,
  latencyMs: z.number(),
  error: z.string().optional(),
});

/** The API's row, without p50Samples (the tool's output schema predates it; clients validate against it). */
const ShardRowOut = ShardRowSchema.omit({ p50Samples: true });

function failure(err: unknown): CallToolResult {
  return { isError: true, content: [{ type: 'text', text: `memfleet: ${err instanceof Error ? err.message : String(err)}` }] };
}

export function createMcpServer(api: CoordinatorClient, version = '0.1.0'): McpServer {
  const server = new McpServer({ name: MCP_SERVER_NAME, version }, { instructions: INSTRUCTIONS, capabilities: { resources: {}, tools: {} } });

  server.registerTool(
    'ask_memory',
    {
      title: 'Ask memfleet',
      description:
        "Ask the fleet's memory a question. Returns the merged answer and its citations (shard/source:line, best first, scores in [0,1]) with a confidence: high (the passages match well), low (the closest passages in memory, but a weak match: read them before relying on them, or ask again in other words), none (found=false: nothing in memory answers).",
      inputSchema: {
        question: z.string().min(1).max(MAX_QUESTION_CHARS).describe('the question, in plain words'),
        shards: z.array(shardName).max(64).optional().describe('ask only these shards (default: every live shard)'),
        mode: z.enum(QUERY_MODES).optional().describe('broadcast (every shard, default) or routed (the most relevant shards)'),
        topK: topKField().optional().describe('number of citations (default 5)'),
      },
      outputSchema: {
        queryId: z.string(),
        found: z.boolean(),
        confidence: ConfidenceSchema,
        answer: z.string(),
        citations: z.array(CitationOut),
        shards: z.array(ShardOutcomeOut),
        latencyMs: z.number(),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async (input) => {
      try {
        const res = await api.ask(input);
        return {
          content: [{ type: 'text', text: renderAnswerText(res) }],
          structuredContent: {
            queryId: res.id,
            found: res.citations.length > 0,
            confidence: res.confidence,
            answer: res.answer,
            citations: res.citations.map((c) => ({
              ref: cite(c),
              shard: c.shard,
              source: c.source,
              line: c.line,
              endLine: c.endLine,
              text: c.text,
              score: c.score,
              confidence: c.confidence,
              uri: sourceUri(c.shard, c.source, c.line, c.endLine),
            })),
            shards: res.shards.map((s) => ({ shard: s.shard, status: s.status, latencyMs: s.latencyMs, ...(s.error ? { error: s.error } : {}) })),
            latencyMs: res.latencyMs,
          },
        };
      } catch (err) {
        return failure(err);
      }
    },
  );

  server.registerTool(
    'list_shards',
    {
      title: 'List memfleet shards',
      description: 'The domains in memory: each shard with its status (up/down), live replicas, number of sources, lines and estimated tokens.',
      outputSchema: { shards: z.array(ShardRowOut) },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async () => {
      try {
        const rows = await api.shards();
        // Only the declared fields: clients validate against the output schema, and the API may grow.
        const shards = rows.map((r) => ({
          shard: r.shard,
          status: r.status,
          replicas: r.replicas,
          sources: r.sources,
          lines: r.lines,
          tokens: r.tokens,
          engine: r.engine,
          lastSeen: r.lastSeen,
          queue: r.queue ?? null,
          p50Ms: r.p50Ms ?? null,
        }));
        return { content: [{ type: 'text', text: renderShardsText(rows) }], structuredContent: { shards } };
      } catch (err) {
        return failure(err);
      }
    },
  );

  server.registerTool(
    'read_source',
    {
      title: 'Read source lines',
      description: 'Read numbered lines of one source of a shard, e.g. to check a citation in context. At most 500 lines per call.',
      inputSchema: {
        shard: shardName.describe('the shard, as in a citation shard/source:line'),
        source: z.string().min(1).max(1024).describe('the source path relative to the domain, as in a citation'),
        from: z.number().int().min(1).optional().describe('first line (default 1)'),
        to: z.number().int().min(1).optional().describe('last line, inclusive (default from + 499)'),
      },
      outputSchema: SourceLinesSchema.shape,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async ({ shard, source, from, to }) => {
      try {
        const res = await api.lines(shard, source, from, to);
        const { totalLines, truncated, lines } = res;
        return {
          content: [{ type: 'text', text: renderLinesText(res) }],
          structuredContent: { shard: res.shard, source: res.source, from: res.from, to: res.to, totalLines, truncated, lines },
        };
      } catch (err) {
        return failure(err);
      }
    },
  );

  server.registerTool(
    'remember',
    {
      title: 'Remember a note',
      description:
        'Write a document into a domain of memory (creates it, or replaces it when the source exists). From the next question on, every replica cites it as shard/source:line. Use it for handover notes, decisions and runbooks a later session should find.',
      inputSchema: {
        shard: shardName.describe('the domain to write to (list_shards shows them)'),
        source: z.string().min(1).max(1024).describe('its name: a relative path ending in .md or .txt, e.g. notes/2026-12-01-handover.md'),
        text: z.string().min(1).describe('the document, plain text or Markdown'),
        ttlSeconds: z.number().int().min(1).max(MAX_TTL_SEC).optional().describe('forget it after this many seconds'),
        ifMatch: z.number().int().min(0).optional().describe('write only if the source is still at this version (from an earlier remember); 0: only if it does not exist yet'),
      },
      outputSchema: {
        shard: z.string(),
        source: z.string(),
        created: z.boolean(),
        lines: z.number().int(),
        tokens: z.number().int(),
        version: z.number().int(),
        expiresAt: z.string().nullable(),
      },
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    },
    async ({ shard, source, text, ttlSeconds, ifMatch }) => {
      try {
        const res = await api.remember({ shard, source, text, ttlSec: ttlSeconds, ifMatch });
        const what = `${res.created ? 'Remembered' : 'Replaced'} ${res.shard}/${res.source}: ${res.lines} lines, version ${res.version}${res.expiresAt ? `, forgotten at ${res.expiresAt}` : ''}.`;
        return {
          content: [{ type: 'text', text: what }],
          structuredContent: { shard: res.shard, source: res.source, created: res.created, lines: res.lines, tokens: res.tokens, version: res.version, expiresAt: res.expiresAt },
        };
      } catch (err) {
        return failure(err);
      }
    },
  );

  server.registerTool(
    'forget',
    {
      title: 'Forget a note',
      description: 'Remove a written source from a domain of memory; from the next question on, no replica cites it. Folder sources cannot be forgotten.',
      inputSchema: {
        shard: shardName.describe('the domain'),
        source: z.string().min(1).max(1024).describe('the written source, e.g. notes/2026-12-01-handover.md'),
        ifMatch: z.number().int().min(1).optional().describe('forget only if the source is still at this version'),
      },
      outputSchema: { shard: z.string(), source: z.string(), version: z.number().int() },
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
    },
    async ({ shard, source, ifMatch }) => {
      try {
        const res = await api.forget({ shard, source, ifMatch });
        return { content: [{ type: 'text', text: `Forgot ${res.shard}/${res.source} (version ${res.version}).` }], structuredContent: { ...res } };
      } catch (err) {
        return failure(err);
      }
    },
  );

  const readSource = async (uri: URL): Promise<ReadResourceResult> => {
    const { shard, source, from, to } = parseSourceUri(uri);
    const res = await api.lines(shard, source, from, to);
    return { contents: [{ uri: uri.href, mimeType: 'text/plain', text: renderLinesText(res) }] };
  };
  const completeShard = async (value: string): Promise<string[]> => {
    const rows = await api.shards().catch(() => []);
    return rows.map((r) => r.shard).filter((s) => s.startsWith(value));
  };

  // Registered first: matches only URIs that carry both from and to. The
  // plain template below matches the rest; both read the URI the same way.
  server.registerResource(
    'source-lines',
    new ResourceTemplate('memfleet://{shard}/{+source}{?from,to}', { list: undefined, complete: { shard: completeShard } }),
    { title: 'Lines of a source', description: 'Lines from..to (inclusive, at most 500) of one source of a shard, numbered.', mimeType: 'text/plain' },
    (uri) => readSource(uri),
  );
  server.registerResource(
    'source',
    new ResourceTemplate('memfleet://{shard}/{+source}', {
      list: async () => {
        const rows = await api.shards();
        const lists = await Promise.all(rows.filter((r) => r.status === 'up').map((r) => api.sources(r.shard).catch(() => undefined)));
        return {
          resources: lists.flatMap((l) =>
            l
              ? l.sources.map((s) => ({
                  uri: sourceUri(l.shard, s.source),
                  name: `${l.shard}/${s.source}`,
                  mimeType: 'text/plain',
                  description: `${s.lines} lines, ~${s.tokens} tokens (first 500 lines; add ?from=N&to=M for others)`,
                }))
              : [],
          ),
        };
      },
      complete: { shard: completeShard },
    }),
    { title: 'Source', description: 'One source of a shard, numbered lines (the first 500; add ?from=N&to=M for others).', mimeType: 'text/plain' },
    (uri) => readSource(uri),
  );

  return server;
}
