/** Queue and Redis key names. One place, so every service agrees. */

/** Domain names become queue names and folder names: keep them boring. */
export const DOMAIN_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

export function assertDomainName(domain: string): string {
  if (!DOMAIN_PATTERN.test(domain)) {
    throw new Error(
      `Invalid domain name "${domain}": use lowercase letters, digits and dashes (1-63 chars, starting with a letter or digit), e.g. "moby-dick-1".`,
    );
  }
  return domain;
}

/**
 * Replica names travel in heartbeats, logs and /v1/shards: host-name-like
 * (the default is `<hostname>-<pid>`), 1-128 characters.
 */
export const REPLICA_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/;

/** The BullMQ queue a domain's shard replicas consume. */
export function shardQueueName(domain: string): string {
  return `shard.${assertDomainName(domain)}`;
}

/**
 * The BullMQ prefix of a domain's queue. BullMQ's keys of one queue are
 * `<bullPrefix>:<queue>:<kind>` and its Lua scripts touch several at once, so on a
 * Redis Cluster they must share a slot: the prefix carries the domain as a hash
 * tag (`memfleet:{moby-dick-1}`), which puts each queue in one slot and spreads
 * different domains over the masters. On a single Redis the prefix stays the
 * fleet's (`memfleet`), so existing queues and dashboards keep their keys.
 */
export function shardQueuePrefix(prefix: string, domain: string, clustered: boolean): string {
  return clustered ? `${prefix}:{${assertDomainName(domain)}}` : prefix;
}

/** Redis keys outside BullMQ, all under the fleet's prefix. */
export const keys = {
  /** Sorted set: member "<domain>\t<replica>", score = last heartbeat (epoch ms). */
  heartbeats: (prefix: string) => `${prefix}:fleet:heartbeats`,
  /** String (JSON): the manifest a domain's replicas publish. */
  manifest: (prefix: string, domain: string) => `${prefix}:fleet:manifest:${domain}`,
  /** String (JSON): one query's state and result. */
  query: (prefix: string, queryId: string) => `${prefix}:query:${queryId}`,
  /** Nonce replay cache for envelopes. */
  nonce: (prefix: string, scope: string, nonce: string) => `${prefix}:nonce:${scope}:${nonce}`,
  /** String: a shard job id its domain has finished (services/shard/worker/finished-jobs.ts). */
  finishedJob: (prefix: string, domain: string, jobId: string) => `${prefix}:done:${domain}:${jobId}`,
  /** String: one open queue-dashboard session, under the SHA-256 of its id (services/coordinator/http/admin-session.ts). */
  adminSession: (prefix: string, idHash: string) => `${prefix}:admin-session:${idHash}`,
  /** Pub/sub channel: shards announce finished jobs to the coordinators (shared/queues/result-channel.ts). */
  results: (prefix: string) => `${prefix}:results`,
  /** Pub/sub channel: outcomes of the jobs one coordinator added (shared/queues/reply-address.ts). */
  resultsFor: (prefix: string, coordinatorId: string) => `${prefix}:results:${coordinatorId}`,
  /** Hash: one JSON record per running `memfleet up`, the processes it supervises (shared/fleet/supervisor-status.ts). */
  supervisors: (prefix: string) => `${prefix}:fleet:supervisors`,
} as const;
