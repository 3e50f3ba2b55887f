/**
 * Verification of an envelope kept at rest (written sources in Redis,
 * shared/memory/record.ts). A stored record is read again by every replica
 * and after every restart, long after `ts + tolerance`, so the freshness and
 * nonce checks of verifyEnvelope cannot apply; what stands in for them is the
 * record's own version, which the reader checks against what it already holds.
 * Key id, size and signature are checked exactly as for traffic.
 */
import { timingSafeEqual } from 'node:crypto';
import { EnvelopeSchema, envelopeMac } from './envelope.js';
import type { Keyring } from './keyring.js';
import type { RejectReason } from './verify.js';

export type StoredVerifyResult = { ok: true; body: string; kid: string } | { ok: false; reason: RejectReason; detail: string };

/** @param maxBodyBytes - largest accepted body in UTF-8 bytes */
export function verifyStoredEnvelope(input: unknown, keyring: Keyring, maxBodyBytes: number): StoredVerifyResult {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, reason: 'malformed', detail: 'stored envelope is not an object' };
  }
  const rawBody: unknown = (input as { body?: unknown }).body;
  if (typeof rawBody === 'string' && Buffer.byteLength(rawBody, 'utf8') > maxBodyBytes) {
    return { ok: false, reason: 'too_large', detail: `body is over ${maxBodyBytes} bytes` };
  }
  const parsed = EnvelopeSchema.safeParse(input);
  if (!parsed.success) return { ok: false, reason: 'malformed', detail: parsed.error.issues[0]?.message ?? 'not an envelope' };
  const envelope = parsed.data;
  const key = keyring.keys.get(envelope.kid);
  if (!key) return { ok: false, reason: 'unknown_kid', detail: `kid ${envelope.kid} not in keyring` };
  const expected = envelopeMac(key, envelope);
  const actual = Buffer.from(envelope.sig, 'base64url');
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) {
    return { ok: false, reason: 'bad_signature', detail: `signature does not match key ${envelope.kid}` };
  }
  return { ok: true, body: envelope.body, kid: envelope.kid };
}
