/** `GET /v1/shards` (docs/api.md): one row per domain the coordinator knows. */
import { z } from 'zod';

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
  /** Jobs waiting (incl. prioritized) and active in the shard's queue; null when Redis did not answer. */
  queue: z.object({ waiting: z.number().int(), active: z.number().int() }).nullable().optional(),
  /** Median of the shard's recent query round trips on this coordinator, ms. */
  p50Ms: z.number().nullable().optional(),
  /** How many round trips p50Ms is taken over. */
  p50Samples: z.number().int().optional(),
});
export type ShardRow = z.infer<typeof ShardRowSchema>;

export const ShardListSchema = z.array(ShardRowSchema);
