/**
 * Who may open the queue dashboard (/admin/*). A browser cannot attach a
 * bearer header to a link, so the console trades the API token for a
 * short-lived HttpOnly cookie (POST /admin/session).
 *
 * Sessions live in Redis, so logging out (DELETE /admin/session) ends one for
 * good on every coordinator — a stateless cookie would keep working until it
 * expired. The cookie holds a random session id, never the token. Redis holds
 * the id's SHA-256 as the key (a Redis reader cannot lift a live cookie) and,
 * as the value, an HMAC of the id keyed by the token: a Redis writer without
 * the token cannot mint a session, and rotating the token ends every session.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Redis } from 'ioredis';
import { keys } from '../../../shared/queues/names.js';

export const ADMIN_COOKIE = 'memfleet_admin';
/** Session length: a working day. */
export const ADMIN_SESSION_SEC = 8 * 3600;

const COOKIE_VALUE = /^v2\.([A-Za-z0-9_-]{43})$/;

export class AdminSessions {
  private readonly macKey: Buffer;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    token: string,
  ) {
    this.macKey = createHash('sha256').update(`memfleet-admin-key:${token}`).digest();
  }

  /** Opens a session; returns the cookie value. */
  async open(): Promise<string> {
    const id = randomBytes(32).toString('base64url');
    await this.redis.set(this.key(id), this.mac(id), 'EX', ADMIN_SESSION_SEC);
    return `v2.${id}`;
  }

  /** True while the session named by this cookie value is open. Throws when Redis cannot be asked. */
  async valid(value: string | undefined): Promise<boolean> {
    const id = value === undefined ? undefined : COOKIE_VALUE.exec(value)?.[1];
    if (id === undefined) return false;
    const stored = await this.redis.get(this.key(id));
    if (stored === null) return false;
    const got = Buffer.from(stored);
    const want = Buffer.from(this.mac(id));
    return got.length === want.length && timingSafeEqual(got, want);
  }

  /** Ends the session named by this cookie value, if it is one. */
  async close(value: string | undefined): Promise<void> {
    const id = value === undefined ? undefined : COOKIE_VALUE.exec(value)?.[1];
    if (id !== undefined) await this.redis.del(this.key(id));
  }

  private key(id: string): string {
    return keys.adminSession(this.prefix, createHash('sha256').update(id).digest('base64url'));
  }

  private mac(id: string): string {
    return createHmac('sha256', this.macKey).update(`memfleet-admin-session.v2.${id}`).digest('base64url');
  }
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

/** `secure`: the request came over https (behind a proxy, only with TRUST_PROXY; docs/operations.md). */
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
