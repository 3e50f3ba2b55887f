/** `GET /v1/shards` (docs/api.md): one row per domain the coordinator knows. */
import { z } from 'zod';

/**
 * What a Claude shard's cached prefix costs, as it told at start-up: its
 * tokens (counted by the API, or the offline estimate) and the price band
 * every question falls in; `shrinkTokens` says how far a domain over a band
 * edge would have to shrink to pay the standard rates.
 */
export const PrefixCostSchema = z.object({
  model: z.string(),
  prefixTokens: z.number().int().min(0),
  countedBy: z.enum(['count_tokens API', 'offline estimate']),
  priceBand: z.enum(['standard', 'long prompt']).nullable(),
  bandEdgeTokens: z.number().int().positive().optional(),
  shrinkTokens: z.number().int().positive().optional(),
  /** Whether warm-up wrote (or found) the prefix in the cache before the replica took questions. */
  warmed: z.boolean().optional(),
});
export type PrefixCost = z.infer<typeof PrefixCostSchema>;

export const ShardRowSchema = z.object({
  shard: z.string(),
  /** `up`: a live replica; `down`: seen recently, none live now. */
  status: z.string(),
  replicas: z.number().int(),
  sources: z.number().int(),
  lines: z.number().int(),
  tokens: z.number().int(),
  engine: z.string(),
  lastSeen: z.string().nullable(),
  /** The domain's version: bumped by every write to its memory; null when Redis did not answer. */
  version: z.number().int().nullable().optional(),
  /** How many of `sources` are written sources (kept in Redis). */
  written: z.number().int().optional(),
  /** Jobs waiting (incl. prioritized) and active in the shard's queue; null when Redis did not answer. */
  queue: z.object({ waiting: z.number().int(), active: z.number().int() }).nullable().optional(),
  /** Median of the shard's recent query round trips on this coordinator, ms. */
  p50Ms: z.number().nullable().optional(),
  /** How many round trips p50Ms is taken over. */
  p50Samples: z.number().int().optional(),
  /** Claude shards only: the cached prefix's tokens and price band (PrefixCostSchema). */
  prefix: PrefixCostSchema.optional(),
});
export type ShardRow = z.infer<typeof ShardRowSchema>;

export const ShardListSchema = z.array(ShardRowSchema);
