/**
 * Write notifications: after each write the coordinator publishes a signed
 * `{domain, version, writtenAt}` on the domain's channel so idle replicas catch
 * up at once. Only a hint for promptness: correctness comes from the version
 * each query job carries. Verified like a job (signature, freshness, nonce)
 * before a replica acts on it; a forged or replayed one is counted and dropped.
 */
import { z } from 'zod';
import { signEnvelope, verifyEnvelope, type Keyring, type NonceCache, type RejectReason } from '../envelope/index.js';

export const WriteNotificationSchema = z
  .object({
    kind: z.literal('memfleet.write'),
    domain: z.string().min(1),
    version: z.number().int().min(1),
    writtenAt: z.number().int().min(0),
  })
  .strict();
export type WriteNotification = z.infer<typeof WriteNotificationSchema>;

export function sealNotification(n: WriteNotification, keyring: Keyring): string {
  return JSON.stringify(signEnvelope(JSON.stringify(n), keyring));
}

export type OpenedNotification = { ok: true; notification: WriteNotification } | { ok: false; reason: RejectReason | 'invalid_payload'; detail: string };

export async function openNotification(
  message: string,
  domain: string,
  opts: { keyring: Keyring; toleranceSec: number; nonceCache: NonceCache },
): Promise<OpenedNotification> {
  let raw: unknown;
  try {
    raw = JSON.parse(message);
  } catch {
    return { ok: false, reason: 'malformed', detail: 'notification is not JSON' };
  }
  const verified = await verifyEnvelope(raw, { ...opts, maxBodyBytes: 4096 });
  if (!verified.ok) return verified;
  let body: unknown;
  try {
    body = JSON.parse(verified.body);
  } catch {
    body = undefined;
  }
  const parsed = WriteNotificationSchema.safeParse(body);
  if (!parsed.success) return { ok: false, reason: 'invalid_payload', detail: 'not a write notification' };
  if (parsed.data.domain !== domain) return { ok: false, reason: 'invalid_payload', detail: `notification for ${parsed.data.domain} on ${domain}'s channel` };
  return { ok: true, notification: parsed.data };
}
