/**
 * Every route the coordinator serves, with the schemas of what goes in and
 * comes out. docs/api.md is checked against this table (test/unit/api-docs.test.ts)
 * and the coordinator against it (test/integration/api-contract.test.ts): a
 * new route is added here first.
 */
import type { z } from 'zod';
import { HealthSchema, ReadinessSchema } from './health.js';
import { queryBodySchema, QueryResponseSchema, StoredQuerySchema } from './query.js';
import { ShardListSchema } from './shards.js';
import {
  DeleteSourceResponseSchema,
  LinesQuerySchema,
  PutSourceQuerySchema,
  PutSourceResponseSchema,
  SourceLinesSchema,
  SourceListSchema,
  WrittenSourceSchema,
} from './sources.js';
import { SupervisorListSchema } from './supervisor.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface ApiRoute {
  method: HttpMethod;
  /** Fastify-style path, `:name` for a parameter. */
  path: string;
  /** The JSON body it takes. */
  body?: z.ZodType;
  /** Its query-string parameters. */
  query?: z.ZodType;
  /** The JSON it answers with on success (absent: not JSON, or no body). */
  response?: z.ZodType;
}

export const API_ROUTES: readonly ApiRoute[] = [
  { method: 'POST', path: '/v1/query', body: queryBodySchema(Number.MAX_SAFE_INTEGER), response: QueryResponseSchema },
  { method: 'GET', path: '/v1/queries/:id', response: StoredQuerySchema },
  { method: 'GET', path: '/v1/shards', response: ShardListSchema },
  { method: 'GET', path: '/v1/shards/:shard/sources', response: SourceListSchema },
  { method: 'GET', path: '/v1/shards/:shard/lines', query: LinesQuerySchema, response: SourceLinesSchema },
  // The body is the document (text/plain, text/markdown) or JSON {"text"}: checked in http/write-routes.ts.
  { method: 'PUT', path: '/v1/shards/:shard/sources/*', query: PutSourceQuerySchema, response: PutSourceResponseSchema },
  { method: 'DELETE', path: '/v1/shards/:shard/sources/*', response: DeleteSourceResponseSchema },
  { method: 'GET', path: '/v1/shards/:shard/sources/*', response: WrittenSourceSchema },
  { method: 'GET', path: '/v1/supervisor', response: SupervisorListSchema },
  { method: 'GET', path: '/healthz', response: HealthSchema },
  { method: 'GET', path: '/readyz', response: ReadinessSchema },
  { method: 'GET', path: '/metrics' },
  { method: 'GET', path: '/' },
  { method: 'GET', path: '/admin/queues' },
  { method: 'POST', path: '/admin/session' },
  { method: 'DELETE', path: '/admin/session' },
];
