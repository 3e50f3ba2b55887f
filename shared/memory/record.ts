/**
 * The signed record of one written source, as kept in Redis: the content (or
 * a tombstone after a delete or expiry) with the domain, source and version it
 * was written at, signed by the coordinator. A replica loads only records that
 * verify and name its own domain and source, and never moves a source back to
 * an older version, so content put straight into Redis, or an old record
 * copied over a newer one, changes nothing (docs/architecture.md).
 */
import { z } from 'zod';
import { signEnvelope, verifyStoredEnvelope, type Keyring, type RejectReason } from '../envelope/index.js';

/**
 * The keyring that signs and verifies a domain's written sources and write
 * notifications. The one place to change when keys become per domain.
 */
export function memoryKeyring(fleetKeys: Keyring, _domain: string): Keyring {
  return fleetKeys;
}

/** Largest written source, in UTF-8 bytes (per-source cap; MAX_SOURCE_BYTES). */
export const DEFAULT_MAX_SOURCE_BYTES = 512 * 1024;
/** The highest MAX_SOURCE_BYTES a coordinator accepts, and so what a replica accepts when it verifies a record. */
export const MAX_SOURCE_BYTES_LIMIT = 8 * 1024 * 1024;

const common = {
  kind: z.literal('memfleet.written-source'),
  domain: z.string().min(1),
  source: z.string().min(1).max(1024),
  /** The domain version this write created. */
  version: z.number().int().min(1),
  /** Coordinator clock at commit (epoch ms): the start of "write to visible". */
  writtenAt: z.number().int().min(0),
};

export const WrittenRecordSchema = z.discriminatedUnion('op', [
  z.object({ ...common, op: z.literal('put'), text: z.string(), expiresAt: z.number().int().positive().nullable() }).strict(),
  z.object({ ...common, op: z.literal('delete'), reason: z.enum(['deleted', 'expired']) }).strict(),
]);
export type WrittenRecord = z.infer<typeof WrittenRecordSchema>;

export function sealRecord(record: WrittenRecord, keyring: Keyring): string {
  return JSON.stringify(signEnvelope(JSON.stringify(record), keyring));
}

export type OpenedRecord = { ok: true; record: WrittenRecord } | { ok: false; reason: RejectReason | 'invalid_payload'; detail: string };

/**
 * Verifies and parses a stored record found under `domain`/`source`.
 * @param maxSourceBytes - the per-source cap; the envelope may hold its JSON-escaped form
 */
export function openRecord(stored: string, expected: { domain: string; source: string }, keyring: Keyring, maxSourceBytes: number): OpenedRecord {
  let raw: unknown;
  try {
    raw = JSON.parse(stored);
  } catch {
    return { ok: false, reason: 'malformed', detail: 'stored record is not JSON' };
  }
  // JSON escaping can make text up to 6 times longer (\u0000); the rest of the record is small.
  const verified = verifyStoredEnvelope(raw, keyring, maxSourceBytes * 6 + 4096);
  if (!verified.ok) return verified;
  let body: unknown;
  try {
    body = JSON.parse(verified.body);
  } catch {
    return { ok: false, reason: 'invalid_payload', detail: 'record body is not JSON' };
  }
  const parsed = WrittenRecordSchema.safeParse(body);
  if (!parsed.success) return { ok: false, reason: 'invalid_payload', detail: parsed.error.issues[0]?.message ?? 'not a written-source record' };
  // A genuine record moved to another domain's or source's key is not that source's content.
  if (parsed.data.domain !== expected.domain || parsed.data.source !== expected.source) {
    return { ok: false, reason: 'invalid_payload', detail: `record of ${parsed.data.domain}/${parsed.data.source} stored under ${expected.domain}/${expected.source}` };
  }
  return { ok: true, record: parsed.data };
}
