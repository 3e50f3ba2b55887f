/**
 * Liveness of shard replicas in Redis. Replicas ZADD a heartbeat every few
 * seconds; readers count a replica live while its last beat is younger than
 * the TTL. One sorted set for the whole fleet makes "who is alive" a single
 * ZRANGEBYSCORE instead of a key scan.
 */
import type { Redis } from 'ioredis';
import { DOMAIN_PATTERN, keys, REPLICA_PATTERN } from '../queues/names.js';
import { ManifestSchema, ReplicaInfoSchema, type Manifest, type ReplicaInfo } from './manifest.js';

export interface LiveShard {
  shard: string;
  replicas: string[];
  /** Newest heartbeat among its replicas (epoch ms). */
  lastSeen: number;
}

/**
 * The optional query-job fields every live replica of each shard understands
 * (ReplicaInfo.jobFields): the intersection, so one older replica is enough to
 * withhold a field it would refuse. A replica without a record counts as older. Pure.
 */
export function jobFieldsByShard(live: readonly LiveShard[], infos: readonly ReplicaInfo[]): Map<string, Set<string>> {
  const byReplica = new Map(infos.map((i) => [`${i.shard}${SEP}${i.replica}`, i.jobFields ?? []]));
  const out = new Map<string, Set<string>>();
  for (const s of live) {
    let common: Set<string> | undefined;
    for (const r of s.replicas) {
      const fields = new Set(byReplica.get(`${s.shard}${SEP}${r}`) ?? []);
      common = common === undefined ? fields : new Set([...common].filter((f) => fields.has(f)));
    }
    out.set(s.shard, common ?? new Set());
  }
  return out;
}

const SEP = '\t';

/**
 * A heartbeat member's shard and replica, or undefined when either is not a
 * valid name: anyone who can write to Redis can add members, and a member that
 * names no real domain must neither be counted nor reach /v1/shards or a queue name.
 */
function parseMember(member: string): { shard: string; replica: string } | undefined {
  const cut = member.indexOf(SEP);
  if (cut <= 0) return undefined;
  const shard = member.slice(0, cut);
  const replica = member.slice(cut + 1);
  return DOMAIN_PATTERN.test(shard) && REPLICA_PATTERN.test(replica) ? { shard, replica } : undefined;
}

/** Manifests outlive replicas a while, so /v1/shards can still describe a domain that just went down. */
function manifestTtl(heartbeatTtlMs: number): number {
  return Math.max(heartbeatTtlMs * 10, 60_000);
}

export class HeartbeatStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private replicasKey(): string {
    return `${keys.heartbeats(this.prefix)}:replicas`;
  }

  /**
   * One heartbeat. The manifest (tens of KB with term statistics) is not
   * resent on every beat: the beat only refreshes its expiry, and reports
   * `manifestMissing` when it is gone (first beat, or Redis lost it), so the
   * caller publishes it again with `publishManifest`.
   */
  async beat(info: ReplicaInfo, ttlMs: number, now = Date.now()): Promise<{ manifestMissing: boolean }> {
    // Three keys in three slots on a Redis Cluster, so three commands rather than one MULTI
    // (nothing needs them atomic); on a single Redis they still leave in one write.
    const [, , expired] = await Promise.all([
      this.redis.zadd(keys.heartbeats(this.prefix), now, `${info.shard}${SEP}${info.replica}`),
      this.redis.hset(this.replicasKey(), info.replica, JSON.stringify(info)),
      this.redis.pexpire(keys.manifest(this.prefix, info.shard), manifestTtl(ttlMs)),
    ]);
    return { manifestMissing: expired === 0 };
  }

  async publishManifest(manifest: Manifest, ttlMs: number): Promise<void> {
    await this.redis.set(keys.manifest(this.prefix, manifest.shard), JSON.stringify(manifest), 'PX', manifestTtl(ttlMs));
  }

  async remove(shard: string, replica: string): Promise<void> {
    // Two keys in two slots on a Redis Cluster: two commands, not a MULTI.
    await Promise.all([this.redis.zrem(keys.heartbeats(this.prefix), `${shard}${SEP}${replica}`), this.redis.hdel(this.replicasKey(), replica)]);
  }

  /**
   * Live shards, sorted by name. Also forgets replicas dead for longer than 10 × ttl, their
   * heartbeat and their replica record, so neither grows with every replica ever killed.
   */
  async live(ttlMs: number, now = Date.now()): Promise<LiveShard[]> {
    const key = keys.heartbeats(this.prefix);
    const deadBefore = now - ttlMs * 10;
    // One key: a MULTI is fine on a Redis Cluster too.
    const [deadRes, , rangeRes] = (await this.redis
      .multi()
      .zrangebyscore(key, '-inf', deadBefore)
      .zremrangebyscore(key, '-inf', deadBefore)
      .zrangebyscore(key, now - ttlMs, '+inf', 'WITHSCORES')
      .exec()) ?? [[null, []], [null, 0], [null, []]];
    const dead = ((deadRes?.[1] as string[] | undefined) ?? []).map((m) => m.slice(m.indexOf(SEP) + 1)).filter((r) => r !== '');
    // Another key (another slot on a cluster): its own command, after the heartbeats are gone.
    if (dead.length > 0) await this.redis.hdel(this.replicasKey(), ...dead);
    const flat = (rangeRes?.[1] as string[] | undefined) ?? [];
    const byShard = new Map<string, LiveShard>();
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const parsed = parseMember(flat[i] as string);
      const score = Number(flat[i + 1]);
      if (!parsed || !Number.isFinite(score)) continue;
      const { shard, replica } = parsed;
      const entry = byShard.get(shard) ?? { shard, replicas: [], lastSeen: 0 };
      entry.replicas.push(replica);
      entry.lastSeen = Math.max(entry.lastSeen, score);
      byShard.set(shard, entry);
    }
    return [...byShard.values()].sort((a, b) => a.shard.localeCompare(b.shard));
  }

  /** Every domain that has published a manifest and not expired (live or recently dead). */
  async manifest(shard: string): Promise<Manifest | undefined> {
    const raw = await this.redis.get(keys.manifest(this.prefix, shard));
    if (!raw) return undefined;
    const parsed = ManifestSchema.safeParse(safeJson(raw));
    return parsed.success ? parsed.data : undefined;
  }

  /** Replica records (metrics port, host), for status displays and scrape discovery. */
  async replicaInfo(): Promise<ReplicaInfo[]> {
    const all = await this.redis.hgetall(this.replicasKey());
    const out: ReplicaInfo[] = [];
    for (const value of Object.values(all)) {
      const parsed = ReplicaInfoSchema.safeParse(safeJson(value));
      if (parsed.success) out.push(parsed.data);
    }
    return out;
  }

  /** Domains seen recently (within 10 × ttl) even if no replica is alive now: "known but down". */
  async knownShards(ttlMs: number, now = Date.now()): Promise<string[]> {
    const members = await this.redis.zrangebyscore(keys.heartbeats(this.prefix), now - ttlMs * 10, '+inf');
    return [...new Set(members.map((m) => parseMember(m)?.shard).filter((s): s is string => s !== undefined))].sort();
  }
}

/** Values come from Redis: a value that is not JSON is skipped like one of the wrong shape. */
function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
