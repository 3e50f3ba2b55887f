/**
 * Values a service stores in Redis and reads back later (query records), sealed
 * with an HMAC so that a value written by anyone else is never served as ours.
 *
 * Unlike an envelope, a sealed record has no timestamp window and no nonce: it
 * is meant to be read many times for as long as it lives (its Redis TTL). The
 * MAC binds the record to its `context` (e.g. `query:q_abc…`), so a genuine
 * record copied under another key does not open either.
 *
 * Two stored forms, both opened by `unsealRecord`:
 * - v1 (`sealRecord`): the JSON text `{"v":1,"kid":…,"mac":base64url,"body":string}`;
 * - v2 (`sealRecordCompressed`, what query records use): the bytes
 *   `2.<kid>.<mac>.` followed by the body compressed with raw DEFLATE
 *   (node:zlib, level 1). The MAC covers the compressed bytes, so a value is
 *   authenticated before anything inflates it, and inflating stops at
 *   `MAX_SEALED_BODY_BYTES`. A query record shrinks to about a third
 *   (docs/performance.md, Redis memory).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
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

const COMPRESSED_VERSION = 2;
/** Largest body a v2 record inflates to; a sealed record over it does not open. */
export const MAX_SEALED_BODY_BYTES = 4 * 1024 * 1024;
/** Level 1: on a 4 KB query record it keeps 96 % of level 6's saving for about half its CPU. */
const DEFLATE_LEVEL = 1;
const COMPRESSED_MAC = /^[A-Za-z0-9_-]{43}$/;

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

function compressedMac(key: Buffer, kid: string, context: string, compressed: Buffer): Buffer {
  return createHmac('sha256', key).update(`memfleet-sealed/v${COMPRESSED_VERSION}\n${kid}\n${context}\n`, 'utf8').update(compressed).digest();
}

/** Seals `body` for `context` like `sealRecord`, stored compressed (v2); returns the bytes to store. */
export function sealRecordCompressed(keyring: Keyring, context: string, body: string): Buffer {
  assertContext(context);
  const kid = keyring.signingKid;
  const key = keyring.keys.get(kid);
  if (!key) throw new Error(`sealRecordCompressed: keyring has no key for its signing kid ${kid}`);
  const compressed = deflateRawSync(body, { level: DEFLATE_LEVEL });
  const head = `${COMPRESSED_VERSION}.${kid}.${compressedMac(key, kid, context, compressed).toString('base64url')}.`;
  return Buffer.concat([Buffer.from(head, 'latin1'), compressed]);
}

function unsealCompressed(keyring: Keyring, context: string, stored: Buffer): UnsealResult {
  // "2." kid (1-32) "." mac (43) ".": the head is at most 80 bytes, all ASCII.
  const head = stored.subarray(0, 80).toString('latin1');
  const kidEnd = head.indexOf('.', 2);
  const macEnd = kidEnd < 0 ? -1 : head.indexOf('.', kidEnd + 1);
  if (macEnd < 0) return { ok: false, reason: 'malformed' };
  const kid = head.slice(2, kidEnd);
  const mac = head.slice(kidEnd + 1, macEnd);
  if (!KID_PATTERN.test(kid) || !COMPRESSED_MAC.test(mac)) return { ok: false, reason: 'malformed' };
  const key = keyring.keys.get(kid);
  if (!key) return { ok: false, reason: 'unknown_kid' };
  const compressed = stored.subarray(macEnd + 1);
  const expected = compressedMac(key, kid, context, compressed);
  const actual = Buffer.from(mac, 'base64url');
  if (actual.length !== expected.length || !timingSafeEqual(expected, actual)) return { ok: false, reason: 'bad_signature' };
  try {
    return { ok: true, body: inflateRawSync(compressed, { maxOutputLength: MAX_SEALED_BODY_BYTES }).toString('utf8') };
  } catch {
    // Only a bug of ours (or a larger record than we ever write) gets here: the MAC held.
    return { ok: false, reason: 'malformed' };
  }
}

/**
 * Opens a stored value, either form: the body when it was sealed for `context`
 * with a key of `keyring`. Pass what Redis holds as bytes (GETBUFFER): a v2
 * value is not text.
 */
export function unsealRecord(keyring: Keyring, context: string, stored: string | Buffer): UnsealResult {
  assertContext(context);
  if (Buffer.isBuffer(stored)) {
    if (stored.length > 1 && stored[0] === 0x32 && stored[1] === 0x2e) return unsealCompressed(keyring, context, stored);
    stored = stored.toString('utf8');
  }
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
