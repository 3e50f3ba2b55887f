/**
 * A domain's written sources in Redis (keys.ts). Writes go through one Lua
 * script that checks the expected domain version, the If-Match version and
 * the token budget, then bumps the version and stores the signed record in
 * one atomic step: last write wins, and the version says which. The caller
 * signs the record for version `expected + 1` before calling, because Redis
 * holds no keys; a concurrent write makes the script answer `retry`, and the
 * caller signs again for the new version.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { memoryKeys, type MemoryKeys } from './keys.js';

const WRITE_SCRIPT = `
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
if cur ~= tonumber(ARGV[1]) then return {'retry', cur} end
local source = ARGV[2]
local op = ARGV[3]
local now = tonumber(ARGV[10])
local headRaw = redis.call('HGET', KEYS[4], source)
local exists = false
local oldVersion = 0
local oldTokens = 0
if headRaw then
  local head = cjson.decode(headRaw)
  oldTokens = tonumber(head.t) or 0
  local e = tonumber(head.e) or 0
  if e == 0 or e > now then
    exists = true
    oldVersion = tonumber(head.v) or 0
  end
end
if ARGV[8] ~= '' and tonumber(ARGV[8]) ~= oldVersion then return {'precondition', oldVersion} end
if op == 'delete' and not exists then return {'missing', 0} end
local total = tonumber(redis.call('GET', KEYS[7]) or '0') - oldTokens
local newTokens = tonumber(ARGV[6])
if op == 'put' then
  if total + newTokens > tonumber(ARGV[9]) then return {'full', total} end
  total = total + newTokens
end
local version = cur + 1
redis.call('SET', KEYS[1], version)
if redis.call('EXISTS', KEYS[2]) == 0 then redis.call('SET', KEYS[2], ARGV[11]) end
redis.call('HSET', KEYS[3], source, ARGV[4])
redis.call('ZADD', KEYS[5], version, source)
if op == 'put' then
  redis.call('HSET', KEYS[4], source, ARGV[5])
  if tonumber(ARGV[7]) > 0 then redis.call('ZADD', KEYS[6], ARGV[7], source) else redis.call('ZREM', KEYS[6], source) end
else
  redis.call('HDEL', KEYS[4], source)
  redis.call('ZREM', KEYS[6], source)
end
redis.call('SET', KEYS[7], total)
if exists then return {'ok', version, 1} end
return {'ok', version, 0}
`;

const CHANGES_SCRIPT = `
local version = redis.call('GET', KEYS[1]) or '0'
local epoch = redis.call('GET', KEYS[2]) or ''
local out = {version, epoch}
local changed = redis.call('ZRANGEBYSCORE', KEYS[4], '(' .. ARGV[1], '+inf')
for _, source in ipairs(changed) do
  local record = redis.call('HGET', KEYS[3], source)
  if record then
    table.insert(out, source)
    table.insert(out, record)
  end
end
return out
`;

export interface WriteRequest {
  domain: string;
  source: string;
  op: 'put' | 'delete';
  /** The domain version the caller read; the record is signed for expectedVersion + 1. */
  expectedVersion: number;
  /** The signed record (envelope JSON). */
  record: string;
  tokens: number;
  lines: number;
  /** Epoch ms, or 0 for no expiry. */
  expiresAt: number;
  writtenAt: number;
  /** The source version the caller expects (If-Match); undefined for an unconditional write. */
  ifMatch?: number | undefined;
  /** Tokens the written sources may hold in all (budget minus the folder's tokens). */
  allowance: number;
  now: number;
}

export type WriteOutcome =
  | { kind: 'ok'; version: number; existed: boolean }
  | { kind: 'retry'; current: number }
  | { kind: 'precondition'; current: number }
  | { kind: 'missing' }
  | { kind: 'full'; writtenTokens: number };

export interface WrittenHead {
  source: string;
  version: number;
  tokens: number;
  lines: number;
  /** Epoch ms, or null for none. */
  expiresAt: number | null;
  writtenAt: number;
}

const HeadSchema = z.object({ v: z.number().int(), t: z.number().int(), l: z.number().int(), e: z.number().int(), w: z.number().int() });

export interface Changes {
  version: number;
  /** '' before the first write. */
  epoch: string;
  /** Signed records of every source changed after the version asked about. */
  records: { source: string; stored: string }[];
}

export interface FolderInfo {
  budget: number;
  tokens: number;
}

type ScriptedRedis = Redis & {
  memfleetWrite(...args: (string | number)[]): Promise<[string, number | string, number?]>;
  memfleetChanges(...args: (string | number)[]): Promise<string[]>;
};

function scripted(redis: Redis): ScriptedRedis {
  const r = redis as ScriptedRedis;
  if (typeof r.memfleetWrite !== 'function') {
    redis.defineCommand('memfleetWrite', { numberOfKeys: 7, lua: WRITE_SCRIPT });
    redis.defineCommand('memfleetChanges', { numberOfKeys: 4, lua: CHANGES_SCRIPT });
  }
  return r;
}

export class MemoryStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  keys(domain: string): MemoryKeys {
    return memoryKeys(this.prefix, domain);
  }

  async version(domain: string): Promise<number> {
    return Number((await this.redis.get(this.keys(domain).version)) ?? 0);
  }

  async write(req: WriteRequest): Promise<WriteOutcome> {
    const k = this.keys(req.domain);
    const head = JSON.stringify({ v: req.expectedVersion + 1, t: req.tokens, l: req.lines, e: req.expiresAt, w: req.writtenAt });
    const [kind, a, b] = await scripted(this.redis).memfleetWrite(
      k.version,
      k.epoch,
      k.records,
      k.heads,
      k.changes,
      k.expiries,
      k.tokens,
      req.expectedVersion,
      req.source,
      req.op,
      req.record,
      head,
      req.tokens,
      req.expiresAt,
      req.ifMatch === undefined ? '' : String(req.ifMatch),
      req.allowance,
      req.now,
      randomBytes(8).toString('hex'),
    );
    switch (kind) {
      case 'ok':
        return { kind: 'ok', version: Number(a), existed: Number(b) === 1 };
      case 'retry':
        return { kind: 'retry', current: Number(a) };
      case 'precondition':
        return { kind: 'precondition', current: Number(a) };
      case 'missing':
        return { kind: 'missing' };
      case 'full':
        return { kind: 'full', writtenTokens: Number(a) };
      default:
        throw new Error(`unexpected answer from the write script: ${String(kind)}`);
    }
  }

  /** The domain's version, epoch and every record changed after `since`, read atomically. */
  async changesSince(domain: string, since: number): Promise<Changes> {
    const k = this.keys(domain);
    const flat = await scripted(this.redis).memfleetChanges(k.version, k.epoch, k.records, k.changes, since);
    const records: Changes['records'] = [];
    for (let i = 2; i + 1 < flat.length; i += 2) records.push({ source: flat[i] as string, stored: flat[i + 1] as string });
    return { version: Number(flat[0] ?? 0), epoch: flat[1] ?? '', records };
  }

  /** Live written sources (expired ones not yet swept included; callers compare expiresAt with the clock). */
  async heads(domain: string): Promise<WrittenHead[]> {
    const all = await this.redis.hgetall(this.keys(domain).heads);
    const out: WrittenHead[] = [];
    for (const [source, raw] of Object.entries(all)) {
      const parsed = HeadSchema.safeParse(safeJson(raw));
      if (!parsed.success) continue;
      const h = parsed.data;
      out.push({ source, version: h.v, tokens: h.t, lines: h.l, expiresAt: h.e > 0 ? h.e : null, writtenAt: h.w });
    }
    return out.sort((a, b) => (a.source < b.source ? -1 : a.source > b.source ? 1 : 0));
  }

  async head(domain: string, source: string): Promise<WrittenHead | undefined> {
    const raw = await this.redis.hget(this.keys(domain).heads, source);
    const parsed = HeadSchema.safeParse(safeJson(raw ?? ''));
    if (!parsed.success) return undefined;
    const h = parsed.data;
    return { source, version: h.v, tokens: h.t, lines: h.l, expiresAt: h.e > 0 ? h.e : null, writtenAt: h.w };
  }

  async record(domain: string, source: string): Promise<string | undefined> {
    return (await this.redis.hget(this.keys(domain).records, source)) ?? undefined;
  }

  /** Sources whose expiry has passed, oldest first. */
  async expired(domain: string, now: number, limit = 100): Promise<string[]> {
    return this.redis.zrangebyscore(this.keys(domain).expiries, '-inf', now, 'LIMIT', 0, limit);
  }

  async publish(domain: string, message: string): Promise<void> {
    await this.redis.publish(this.keys(domain).events, message);
  }

  /** Replicas publish what their folder holds at start, so the coordinator can refuse folder names (409) and over-budget writes (413). */
  async publishFolder(domain: string, info: FolderInfo, sources: readonly string[]): Promise<void> {
    const k = this.keys(domain);
    const tx = this.redis.multi().del(k.folderSources);
    for (let i = 0; i < sources.length; i += 1000) tx.sadd(k.folderSources, ...sources.slice(i, i + 1000));
    tx.hset(k.folder, { budget: info.budget, tokens: info.tokens, loadedAt: Date.now() });
    await tx.exec();
  }

  async folder(domain: string): Promise<FolderInfo | undefined> {
    const raw = await this.redis.hgetall(this.keys(domain).folder);
    if (raw.budget === undefined || raw.tokens === undefined) return undefined;
    return { budget: Number(raw.budget), tokens: Number(raw.tokens) };
  }

  async isFolderSource(domain: string, source: string): Promise<boolean> {
    return (await this.redis.sismember(this.keys(domain).folderSources, source)) === 1;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
