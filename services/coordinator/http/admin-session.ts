/**
 * Who may open the queue dashboard (/admin/*). A browser cannot attach a
 * bearer header to a link, so the console trades the API token for a
 * short-lived HttpOnly cookie (POST /admin/session). The cookie holds an
 * expiry and an HMAC keyed by the token, never the token itself: stateless,
 * and every cookie dies when the token is rotated.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const ADMIN_COOKIE = 'memfleet_admin';
/** Session length: a working day. */
export const ADMIN_SESSION_SEC = 8 * 3600;

function mac(token: string, expSec: number): Buffer {
  const key = createHash('sha256').update(`memfleet-admin-key:${token}`).digest();
  return createHmac('sha256', key).update(`memfleet-admin-session.v1.${expSec}`).digest();
}

export function issueSessionValue(token: string, nowMs = Date.now()): string {
  const exp = Math.floor(nowMs / 1000) + ADMIN_SESSION_SEC;
  return `v1.${exp}.${mac(token, exp).toString('base64url')}`;
}

export function sessionValueValid(value: string | undefined, token: string, nowMs = Date.now()): boolean {
  if (!value) return false;
  const m = /^v1\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(value);
  if (!m) return false;
  const exp = Number(m[1]);
  if (exp * 1000 <= nowMs) return false;
  const got = Buffer.from(m[2] as string, 'base64url');
  const want = mac(token, exp);
  return got.length === want.length && timingSafeEqual(got, want);
}

/** The value of one cookie from a Cookie header. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export function sessionCookie(value: string, secure: boolean): string {
  return `${ADMIN_COOKIE}=${value}; Path=/admin; Max-Age=${ADMIN_SESSION_SEC}; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

export function clearedSessionCookie(): string {
  return `${ADMIN_COOKIE}=; Path=/admin; Max-Age=0; HttpOnly; SameSite=Strict`;
}

/** 127.0.0.0/8 and ::1, also in their IPv4-mapped IPv6 form. */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return v4.startsWith('127.') || address === '::1';
}
