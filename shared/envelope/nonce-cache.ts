/**
 * Replay protection: remembers each envelope nonce for as long as its envelope
 * could still pass the timestamp check.
 */
import type { Redis } from 'ioredis';
import { keys } from '../queues/names.js';

export interface NonceCache {
  /**
   * Records `nonce` for `ttlSec` seconds.
   * @returns true the first time a nonce is seen, false while it is remembered
   */
  claim(nonce: string, ttlSec: number): Promise<boolean>;
}

/** Redis's EX wants a positive integer; rounding up never shortens the replay window. */
function wholeSeconds(ttlSec: number): number {
  if (!Number.isFinite(ttlSec)) throw new RangeError(`nonce ttl must be a finite number of seconds, got ${ttlSec}`);
  return Math.max(1, Math.ceil(ttlSec));
}

export interface RedisNonceCacheOptions {
  /** The fleet's key prefix; keys are `${prefix}:nonce:${scope}:${nonce}`. */
  prefix: string;
  /**
   * Who is verifying, e.g. `coordinator` or `shard.literature`. Replicas that
   * consume the same queue must share a scope, or a job replayed to a sibling
   * replica would look new.
   */
  scope: string;
}

/**
 * The production cache: shared by every replica through Redis, so a replay is
 * caught whichever replica it reaches.
 */
export class RedisNonceCache implements NonceCache {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #scope: string;

  constructor(redis: Redis, options: RedisNonceCacheOptions) {
    this.#redis = redis;
    this.#prefix = options.prefix;
    this.#scope = options.scope;
  }

  async claim(nonce: string, ttlSec: number): Promise<boolean> {
    // One atomic SET NX: a check-then-set would let two replicas both accept the same replay.
    const reply = await this.#redis.set(keys.nonce(this.#prefix, this.#scope, nonce), '1', 'EX', wholeSeconds(ttlSec), 'NX');
    return reply === 'OK';
  }
}

/** For unit tests and single-process tools: same semantics, no Redis. */
export class MemoryNonceCache implements NonceCache {
  readonly #expiresAt = new Map<string, number>();
  readonly #now: () => number;
  #claimsSinceSweep = 0;

  /** @param now - clock in epoch milliseconds; defaults to `Date.now` */
  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  async claim(nonce: string, ttlSec: number): Promise<boolean> {
    const now = this.#now();
    this.#sweepOccasionally(now);
    const expiresAt = this.#expiresAt.get(nonce);
    if (expiresAt !== undefined && expiresAt > now) return false;
    this.#expiresAt.set(nonce, now + wholeSeconds(ttlSec) * 1000);
    return true;
  }

  /** Number of remembered nonces, expired ones included until the next sweep. */
  get size(): number {
    return this.#expiresAt.size;
  }

  // A full sweep now and then keeps memory bounded without a timer that would hold the process open.
  #sweepOccasionally(now: number): void {
    if (++this.#claimsSinceSweep < 1024) return;
    this.#claimsSinceSweep = 0;
    for (const [nonce, expiresAt] of this.#expiresAt) {
      if (expiresAt <= now) this.#expiresAt.delete(nonce);
    }
  }
}
