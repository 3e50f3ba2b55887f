/**
 * Which coordinator a shard job's outcome goes to. A coordinator subscribes
 * only to its own result channel (`keys.resultsFor(prefix, coordinatorId)`)
 * and names itself in the id of every job it adds (`<id>@<coordinatorId>`);
 * the shard publishes the outcome on the channel the job id names. With N
 * coordinators each result message reaches one of them, not all N: N
 * coordinators cost N, not N².
 *
 * The job id is the address because the shard can read it before (and
 * without) trusting the job body: even a job it rejects gets its failure
 * routed. Routing adds no trust: the outcome is still the signed envelope the
 * coordinator verifies, and a job id nobody addressed goes to the fleet-wide
 * channel (`keys.results(prefix)`) as before.
 */
import { keys } from './names.js';

/** Coordinator instance ids (services/coordinator/data-access/coordinator-presence.ts). */
export const COORDINATOR_ID_PATTERN = /^c_[A-Za-z0-9_-]{8,32}$/;
const SEP = '@';

/** `baseId` addressed to `coordinatorId`; @throws when the id is not a coordinator id */
export function addressedJobId(baseId: string, coordinatorId: string): string {
  if (!COORDINATOR_ID_PATTERN.test(coordinatorId)) throw new Error(`"${coordinatorId}" is not a coordinator id (c_ and 8-32 url-safe characters)`);
  return `${baseId}${SEP}${coordinatorId}`;
}

/** The coordinator a job id is addressed to, or undefined (an unaddressed or malformed id). */
export function replyAddressOf(jobId: string): string | undefined {
  const cut = jobId.lastIndexOf(SEP);
  if (cut <= 0) return undefined;
  const id = jobId.slice(cut + 1);
  return COORDINATOR_ID_PATTERN.test(id) ? id : undefined;
}

/** The channel a shard publishes a job's outcome on. */
export function replyChannel(prefix: string, jobId: string): string {
  const to = replyAddressOf(jobId);
  return to ? keys.resultsFor(prefix, to) : keys.results(prefix);
}
