/**
 * Cache warm-up of a Claude shard, before it takes questions. A cold fleet
 * whose replicas all sent their first question at once would each write the
 * same prefix (cache writes are billed at 1.25-2× input and count toward the
 * input-tokens-per-minute limit), so:
 *
 * - one replica per prefix warms it: the holder of a Redis lock named after
 *   the model and the prefix's SHA-256 (equal on every replica of a domain);
 *   the others wait until it marks the prefix warm, then read it from cache;
 * - warm-ups are staggered across domains: at most CLAUDE_WARMUP_CONCURRENCY
 *   are in flight across the fleet (Redis slots), so 200K-token domains
 *   starting together write their prefixes a few at a time;
 * - a replica takes questions once its prefix is warm, or after
 *   CLAUDE_WARMUP_TIMEOUT_MS with a warning (warm-up never blocks a shard for
 *   good: a failed warm-up is logged and the first question writes the cache).
 *
 * The "warm" mark lives a little shorter than the cache entry (CACHE_TTL), so
 * a replica starting after the entry may have expired warms it again.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from '../../../shared/log/logger.js';
import type { WarmTarget } from '../engines/engine.js';

export interface PrewarmOptions {
  redis: Redis;
  /** MEMFLEET_PREFIX: keys live under it, like the fleet's others. */
  prefix: string;
  domain: string;
  timeoutMs: number;
  /** Warm-up calls in flight across the fleet. */
  concurrency: number;
  log: Logger;
  /** Poll interval while waiting for a peer or a slot. @defaultValue 100 */
  pollMs?: number;
}

export type PrewarmOutcome =
  | { status: 'warmed'; by: 'this replica'; cacheWriteTokens: number; cacheReadTokens: number; costUsd: number; ms: number }
  | { status: 'warmed'; by: 'another replica'; ms: number }
  | { status: 'timeout'; ms: number }
  | { status: 'skipped'; detail: string; ms: number }
  | { status: 'failed'; detail: string; ms: number };

/** Lifetime of the "warm" mark: a minute (5m TTL) or five (1h) short of the cache entry's. */
export function warmMarkMs(ttl: '5m' | '1h'): number {
  return ttl === '1h' ? 55 * 60_000 : 4 * 60_000;
}

export function warmKeys(prefix: string, model: string, prefixSha: string): { lock: string; done: string; slot: (i: number) => string } {
  const base = `${prefix}:claude-warm`;
  return { lock: `${base}:${model}:${prefixSha}:lock`, done: `${base}:${model}:${prefixSha}:done`, slot: (i) => `${base}:slot:${i}` };
}

/** Deletes `key` only while it still holds `token` (a lock that expired and was taken over stays with its new owner). */
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

export async function prewarm(target: WarmTarget, opts: PrewarmOptions): Promise<PrewarmOutcome> {
  const { redis, log, timeoutMs } = opts;
  const pollMs = opts.pollMs ?? 100;
  const keys = warmKeys(opts.prefix, target.model, target.prefixSha);
  const token = randomUUID();
  const t0 = Date.now();
  const deadline = t0 + timeoutMs;
  const elapsed = () => Date.now() - t0;
  if (!target.cacheable) return { status: 'skipped', detail: 'the prefix is under the model minimum cacheable length', ms: 0 };

  while (Date.now() < deadline) {
    if ((await redis.exists(keys.done)) === 1) return { status: 'warmed', by: 'another replica', ms: elapsed() };
    const locked = await redis.set(keys.lock, token, 'PX', Math.max(1, deadline - Date.now()), 'NX');
    if (locked !== 'OK') {
      // Another replica of this domain is warming it: wait for its mark (or for its lock to lapse, then try ourselves).
      await sleep(jitter(pollMs));
      continue;
    }
    let slot: string | undefined;
    try {
      slot = await takeSlot(redis, keys, opts.concurrency, token, deadline, pollMs);
      if (slot === undefined) break;
      const signal = AbortSignal.timeout(Math.max(1, deadline - Date.now()));
      const result = await target.warm(signal);
      await redis.set(keys.done, JSON.stringify({ at: Date.now(), domain: opts.domain }), 'PX', warmMarkMs(target.cacheTtl));
      log.info({ ...result, ms: elapsed() }, 'claude cache warmed: the cached prefix is written, first questions read it');
      return { status: 'warmed', by: 'this replica', ...result, ms: elapsed() };
    } catch (err) {
      const detail = err instanceof Error ? err.message : String(err);
      log.warn({ detail, ms: elapsed() }, 'claude cache warm-up failed: taking questions anyway, the first one writes the cache');
      return { status: 'failed', detail, ms: elapsed() };
    } finally {
      if (slot !== undefined) await redis.eval(RELEASE, 1, slot, token).catch(() => undefined);
      await redis.eval(RELEASE, 1, keys.lock, token).catch(() => undefined);
    }
  }
  log.warn({ timeoutMs }, `claude cache not warm after CLAUDE_WARMUP_TIMEOUT_MS=${timeoutMs}: taking questions anyway (the first ones may write the cache)`);
  return { status: 'timeout', ms: elapsed() };
}

/** One of `n` fleet-wide warm-up slots, or undefined at the deadline. */
async function takeSlot(redis: Redis, keys: ReturnType<typeof warmKeys>, n: number, token: string, deadline: number, pollMs: number): Promise<string | undefined> {
  // Start at a random slot so replicas do not all contend for slot 0 first.
  const first = Math.floor(Math.random() * n);
  while (Date.now() < deadline) {
    for (let k = 0; k < n; k++) {
      const slot = keys.slot((first + k) % n);
      if ((await redis.set(slot, token, 'PX', Math.max(1, deadline - Date.now()), 'NX')) === 'OK') return slot;
    }
    await sleep(jitter(pollMs));
  }
  return undefined;
}

function jitter(ms: number): number {
  return ms / 2 + Math.random() * ms;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
