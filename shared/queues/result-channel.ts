/**
 * How a coordinator learns that a shard job finished: the shard publishes the
 * job's outcome on the pub/sub channel of the coordinator that added the job
 * (`keys.resultsFor(prefix, coordinatorId)`, the address in the job id:
 * reply-address.ts) the moment it has it, and that coordinator's result
 * waiter dispatches it by job id.
 *
 * Why not BullMQ's QueueEvents: it needs one blocking connection per queue
 * and wakes the coordinator for every event of every job (added, waiting,
 * active, completed), re-issuing an XREAD each time — about 3 wake-ups and 3
 * Redis commands per job where this costs one pushed message and none. The
 * benchmark (docs/performance.md) shows where that time went.
 *
 * The message carries the signed result envelope exactly as the job returns
 * it, or a failure signed the same way (a `JobFailure` body under the domain's
 * result key); the coordinator verifies both, so the channel adds no trust: a
 * message anyone else publishes can end a wait, but never puts its words into
 * an answer.
 * Pub/sub drops messages while a subscriber is disconnected: the waiter then
 * looks its pending jobs up directly (on reconnect and at each deadline),
 * where BullMQ still keeps the job's return value.
 */
import { z } from 'zod';

/** `value`: the signed result envelope; `failure`: a signed envelope whose body is a `JobFailure` (shared/queues/schemas.ts). */
export type JobOutcomeMessage = { jobId: string; kind: 'completed'; value: unknown } | { jobId: string; kind: 'failed'; failure: unknown };

const MessageSchema = z.discriminatedUnion('kind', [
  z.object({ jobId: z.string().min(1).max(512), kind: z.literal('completed'), value: z.unknown() }),
  z.object({ jobId: z.string().min(1).max(512), kind: z.literal('failed'), failure: z.unknown() }),
]);

export function encodeOutcome(message: JobOutcomeMessage): string {
  return JSON.stringify(message);
}

/** @returns the message, or undefined for anything that is not one (it came from Redis: never trust its shape) */
export function decodeOutcome(text: string): JobOutcomeMessage | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = MessageSchema.safeParse(raw);
  return parsed.success ? (parsed.data as JobOutcomeMessage) : undefined;
}
