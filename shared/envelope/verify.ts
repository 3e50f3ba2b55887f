/**
 * Envelope verification. The checks run cheapest-first and the nonce is claimed
 * last, so nothing an unauthenticated sender can produce costs an HMAC over a
 * huge body or burns a nonce that a genuine envelope will need.
 */
import { timingSafeEqual } from 'node:crypto';
import type { z } from 'zod';
import { EnvelopeSchema, envelopeMac } from './envelope.js';
import type { Keyring } from './keyring.js';
import type { NonceCache } from './nonce-cache.js';

/**
 * The label values of `memfleet_envelope_rejected_total{reason}`. The last four
 * come from checks on the signed body (`checkBody`, and the shard's own checks):
 * a body that is not the expected payload, a job addressed to another shard or
 * carried under another job id, and a job id that was already answered.
 */
export type RejectReason =
  | 'malformed'
  | 'too_large'
  | 'unknown_kid'
  | 'bad_signature'
  | 'stale'
  | 'future'
  | 'replay'
  | 'invalid_payload'
  | 'wrong_shard'
  | 'wrong_job_id'
  | 'already_answered';

export type VerifyResult =
  /** `ts`: the envelope's signing time (epoch seconds); it stays acceptable until `ts + toleranceSec`. */
  | { ok: true; body: string; kid: string; ts: number }
  /** `detail` is safe to log: it never holds a secret or the body. */
  | { ok: false; reason: RejectReason; detail: string };

/** A rejection from `checkBody`, or undefined to accept. `detail` must not quote the body. */
export type BodyCheck = (body: string) => { reason: RejectReason; detail: string } | undefined;

export const DEFAULT_MAX_BODY_BYTES = 256 * 1024;

export interface VerifyOptions {
  /** Keys this verifier accepts. Holding the sender's keys only (not one's own) is what stops a peer forging traffic. */
  keyring: Keyring;
  /** Largest accepted `|now − ts|`, in seconds (DESIGN.md default: 300). */
  toleranceSec: number;
  /** Where nonces are remembered; share it between replicas of one consumer. */
  nonceCache: NonceCache;
  /**
   * Largest accepted body, in UTF-8 bytes.
   * @defaultValue 262144 (256 KiB)
   */
  maxBodyBytes?: number;
  /**
   * Clock in epoch milliseconds.
   * @defaultValue Date.now
   */
  now?: () => number;
  /**
   * Checks on the authenticated body that run before the nonce is claimed, e.g.
   * that a job is addressed to this shard under this job id. Running them first
   * means a genuine envelope an attacker moved elsewhere is refused without
   * burning the nonce its real delivery still needs.
   */
  checkBody?: BodyCheck;
}

const MAX_DETAIL_CHARS = 200;

/**
 * Checks an envelope received from the wire.
 *
 * Resolves to a rejection for anything a sender controls; rejects (throws) only
 * on a programming error in `opts` or when the nonce cache itself fails (e.g.
 * Redis is down), which a caller should treat as retryable rather than forged.
 *
 * @returns on success the body exactly as signed: parse it, never re-serialise it
 */
export async function verifyEnvelope(input: unknown, opts: VerifyOptions): Promise<VerifyResult> {
  const { keyring, toleranceSec, nonceCache, maxBodyBytes = DEFAULT_MAX_BODY_BYTES, now = Date.now, checkBody } = opts;
  if (!Number.isFinite(toleranceSec) || toleranceSec < 0) {
    throw new RangeError(`verifyEnvelope: toleranceSec must be a number ≥ 0, got ${toleranceSec}`);
  }

  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return reject('malformed', `envelope is ${input === null ? 'null' : Array.isArray(input) ? 'an array' : `a ${typeof input}`}, not an object`);
  }

  // Before the schema: its surrogate check would otherwise scan an arbitrarily large body.
  const rawBody: unknown = (input as { body?: unknown }).body;
  if (typeof rawBody === 'string') {
    const bytes = Buffer.byteLength(rawBody, 'utf8');
    if (bytes > maxBodyBytes) return reject('too_large', `body is ${bytes} bytes; the limit is ${maxBodyBytes}`);
  }

  const parsed = EnvelopeSchema.safeParse(input);
  if (!parsed.success) return reject('malformed', describeIssues(parsed.error.issues));
  const envelope = parsed.data;

  const key = keyring.keys.get(envelope.kid);
  if (!key) return reject('unknown_kid', `kid ${envelope.kid} not in keyring`);

  if (!digestsEqual(envelopeMac(key, envelope), Buffer.from(envelope.sig, 'base64url'))) {
    return reject('bad_signature', `signature does not match key ${envelope.kid}`);
  }

  const nowSec = Math.floor(now() / 1000);
  const age = nowSec - envelope.ts;
  if (age > toleranceSec) return reject('stale', `ts ${age} s old (tolerance ${toleranceSec} s)`);
  if (-age > toleranceSec) return reject('future', `ts ${-age} s in the future (tolerance ${toleranceSec} s)`);

  const bodyProblem = checkBody?.(envelope.body);
  if (bodyProblem) return reject(bodyProblem.reason, bodyProblem.detail);

  // Remember the nonce until the envelope itself expires (ts + tolerance), not just for
  // `tolerance` from now: a future-dated envelope stays acceptable for up to twice that.
  const ttlSec = envelope.ts + toleranceSec - nowSec + 1;
  if (!(await nonceCache.claim(envelope.nonce, ttlSec))) {
    return reject('replay', `nonce ${envelope.nonce} already seen`);
  }

  return { ok: true, body: envelope.body, kid: envelope.kid, ts: envelope.ts };
}

function reject(reason: RejectReason, detail: string): VerifyResult {
  return { ok: false, reason, detail: detail.length > MAX_DETAIL_CHARS ? `${detail.slice(0, MAX_DETAIL_CHARS - 1)}…` : detail };
}

/** timingSafeEqual throws on unequal lengths; a wrong-length signature is simply wrong. */
function digestsEqual(expected: Buffer, actual: Buffer): boolean {
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** Zod's messages name fields and expectations, never the received values, so they are safe to log. */
function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .slice(0, 3)
    .map((issue) => `${issue.path.length > 0 ? issue.path.map(String).join('.') : 'envelope'}: ${issue.message}`)
    .join('; ');
}
