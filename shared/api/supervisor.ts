/**
 * `GET /v1/supervisor` (docs/api.md): the processes each running `memfleet up`
 * supervises, with pid, state and restart count. `up` keeps the same record
 * in Redis (shared/fleet/supervisor-status.ts); the coordinator serves it.
 */
import { z } from 'zod';

export const SupervisedProcessSchema = z.object({
  /** "coordinator", or "<domain>#<n>" for a shard replica. */
  name: z.string(),
  role: z.enum(['coordinator', 'shard']),
  domain: z.string().optional(),
  /** null while waiting out its backoff, after up gave up on it, or once stopped. */
  pid: z.number().int().nullable(),
  state: z.enum(['running', 'restarting', 'gave-up', 'stopped']),
  restarts: z.number().int().min(0),
  /** The last exit up saw: "was killed by SIGKILL", "exited with code 1"; epoch ms. */
  lastExit: z.object({ reason: z.string(), at: z.number().int() }).optional(),
  /** Set once up gave up restarting it: how it exited, and how often. */
  gaveUp: z.string().optional(),
});
export type SupervisedProcess = z.infer<typeof SupervisedProcessSchema>;

export const SupervisorStatusSchema = z.object({
  id: z.string(),
  host: z.string(),
  pid: z.number().int(),
  startedAt: z.number().int(),
  updatedAt: z.number().int(),
  processes: z.array(SupervisedProcessSchema),
});
export type SupervisorStatus = z.infer<typeof SupervisorStatusSchema>;

export const SupervisorListSchema = z.object({ supervisors: z.array(SupervisorStatusSchema) });
export type SupervisorList = z.infer<typeof SupervisorListSchema>;
