/** `GET /healthz` and `GET /readyz` (docs/api.md). `/metrics` is Prometheus text, not JSON. */
import { z } from 'zod';

export const HealthSchema = z.object({ status: z.literal('ok') });
export type Health = z.infer<typeof HealthSchema>;

export const ReadinessSchema = z.object({
  status: z.enum(['ready', 'not_ready']),
  /** redis, shards, and down (the known shards with no live replica) when there are any. */
  checks: z.object({ coordinator: z.string().optional(), redis: z.string(), shards: z.string().optional(), down: z.string().optional() }),
});
export type Readiness = z.infer<typeof ReadinessSchema>;
