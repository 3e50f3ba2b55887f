/**
 * Values a service stores in Redis and reads back later (query records), sealed
 * with an HMAC so that a value written by anyone else is never served as ours.
 *
 * Unlike an envelope, a sealed record has no timestamp window and no nonce: it
 * is meant to be read many times for as long as it lives (its Redis TTL). The
 * MAC binds the record to its `context` (e.g. `query:q_abc…`), so a genuine
 * record copied under another key does not open either.
 *
 * Stored form: `{"v":1,"kid":…,"mac":base64url,"body":string}`.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { KID_PATTERN, type Keyring } from './keyring.js';

const SEALED_VERSION = 1;

const SealedSchema = z
  .object({
    v: z.literal(SEALED_VERSION),
    kid: z.string().regex(KID_PATTERN),
    mac: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
    body: z.string(),
  })
  .strict();

/** Why a stored value did not open; safe to log (never the value). */
export type UnsealFailure = 'malformed' | 'unknown_kid' | 'bad_signature';

export type UnsealResult = { ok: true; body: string } | { ok: false; reason: UnsealFailure };

// Newlines separate the fields; a context may not contain one, and the body comes last.
function recordMac(key: Buffer, kid: string, context: string, body: string): Buffer {
  return createHmac('sha256', key).update(`memfleet-sealed/v${SEALED_VERSION}\n${kid}\n${context}\n${body}`, 'utf8').digest();
}

function assertContext(context: string): void {
  if (context.includes('\n')) throw new Error('sealed record: the context must not contain a newline');
}

/** Seals `body` (usually JSON) for `context` with the keyring's signing key; returns the string to store. */
export function sealRecord(keyring: Keyring, context: string, body: string): string {
  assertContext(context);
  const kid = keyring.signingKid;
  const key = keyring.keys.get(kid);
  if (!key) throw new Error(`sealRecord: keyring has no key for its signing kid ${kid}`);
  return JSON.stringify({ v: SEALED_VERSION, kid, mac: recordMac(key, kid, context, body).toString('base64url'), body });
}

/** Opens a stored value: the body when it was sealed for `context` with a key of `keyring`. */
export function unsealRecord(keyring: Keyring, context: string, stored: string): UnsealResult {
  assertContext(context);
  let raw: unknown;
  try {
    raw = JSON.parse(stored);
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  const parsed = SealedSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, reason: 'malformed' };
  const { kid, mac, body } = parsed.data;
  const key = keyring.keys.get(kid);
  if (!key) return { ok: false, reason: 'unknown_kid' };
  const expected = recordMac(key, kid, context, body);
  const actual = Buffer.from(mac, 'base64url');
  if (actual.length !== expected.length || !timingSafeEqual(expected, actual)) return { ok: false, reason: 'bad_signature' };
  return { ok: true, body };
}
