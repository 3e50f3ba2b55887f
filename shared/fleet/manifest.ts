/** What a shard publishes about its domain (for /v1/shards and routing) and about itself. */
import { z } from 'zod';
import { PrefixCostSchema } from '../api/shards.js';
import { DOMAIN_PATTERN, REPLICA_PATTERN } from '../queues/names.js';
import { EngineNameSchema } from '../queues/schemas.js';

/**
 * A domain's term statistics for routing: how many index windows it has and,
 * per analysed term (stop words dropped, stemmed), how many windows hold it.
 * A 190K-token domain has ~15K terms (~200 KB of JSON), written once per
 * heartbeat with the manifest.
 */
export const DomainTermsSchema = z.object({
  windows: z.number().int().min(0),
  df: z.record(z.string(), z.number().int().min(1)),
});
export type DomainTerms = z.infer<typeof DomainTermsSchema>;

export const ManifestSchema = z.object({
  shard: z.string().regex(DOMAIN_PATTERN),
  engine: EngineNameSchema,
  sources: z.number().int().min(0),
  lines: z.number().int().min(0),
  tokens: z.number().int().min(0),
  /** Most characteristic (stemmed) terms of the domain, best first: a routing hint. */
  topTerms: z.array(z.string()).max(2000),
  /** When the publishing replica loaded the context (epoch ms). */
  loadedAt: z.number().int(),
  /** Term statistics for routed mode; absent for engines without an index (the domain is then always asked). */
  terms: DomainTermsSchema.optional(),
  /** Written sources among `sources` (kept in Redis, docs/architecture.md). */
  written: z.number().int().min(0).optional(),
  /** Claude engine: the cached prefix's counted tokens and price band (shown in /v1/shards). */
  prefix: PrefixCostSchema.optional(),
});
export type Manifest = z.infer<typeof ManifestSchema>;

export const ReplicaInfoSchema = z.object({
  shard: z.string().regex(DOMAIN_PATTERN),
  replica: z.string().regex(REPLICA_PATTERN),
  host: z.string(),
  pid: z.number().int(),
  /** Port of the replica's /metrics endpoint (0 when metrics are off). */
  metricsPort: z.number().int().min(0),
  startedAt: z.number().int(),
  /** The domain version this replica's written sources are at, and a digest of them: replicas that agree show the same pair. */
  memory: z.object({ version: z.number().int().min(0), digest: z.string() }).optional(),
  /** Optional query-job fields this replica understands (OPTIONAL_QUERY_JOB_FIELDS); absent on replicas older than the field. */
  jobFields: z.array(z.string().max(40)).max(20).optional(),
});
export type ReplicaInfo = z.infer<typeof ReplicaInfoSchema>;
