/**
 * TRUST_PROXY: which peers may speak for the client through X-Forwarded-For,
 * -Proto and -Host (Fastify's `trustProxy`). Behind a TLS-terminating proxy
 * this is what makes the admin cookie `Secure` (the request reads as https),
 * the rate limit count real client addresses instead of the proxy's, and the
 * Host check see the name the browser asked for. Trusting a peer that is not
 * your proxy lets any client pick its own address, so it is off by default.
 */
import { isIP } from 'node:net';

/** Fastify's `trustProxy` option, in the forms memfleet accepts. */
export type TrustProxy = false | true | number | string[];

/** Names proxy-addr understands for address ranges. */
const RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function validAddressOrRange(entry: string): boolean {
  if (RANGE_NAMES.has(entry)) return true;
  const [address = '', bits, extra] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined) return false;
  if (bits === undefined) return true;
  const n = Number(bits);
  return /^\d{1,3}$/.test(bits) && n <= (family === 4 ? 32 : 128);
}

/**
 * `false` (default) | `true` (every peer: only when nothing but the proxy can reach the port) |
 * a hop count 1-10 | comma-separated addresses, CIDR ranges, or loopback / linklocal / uniquelocal.
 */
export function parseTrustProxy(value: string | undefined): TrustProxy | { error: string } {
  const v = value?.trim().toLowerCase() ?? '';
  if (v === '' || v === 'false') return false;
  if (v === 'true') return true;
  if (/^\d+$/.test(v)) {
    const hops = Number(v);
    return hops >= 1 && hops <= 10 ? hops : { error: `expected a hop count between 1 and 10, got "${v}"` };
  }
  const entries = v.split(',').map((e) => e.trim()).filter((e) => e !== '');
  const bad = entries.find((e) => !validAddressOrRange(e));
  if (bad !== undefined || entries.length === 0) {
    return {
      error: `"${(bad ?? v).slice(0, 80)}" is not an address or range: expected false, true, a hop count (1-10), or comma-separated proxy addresses/CIDR ranges, e.g. TRUST_PROXY=10.0.0.0/8 or TRUST_PROXY=loopback`,
    };
  }
  return entries;
}

/** Fastify's option: its types leave out the hop count it accepts, so that becomes the equivalent function. */
export function fastifyTrustProxy(trust: TrustProxy): boolean | string[] | ((address: string, hop: number) => boolean) {
  return typeof trust === 'number' ? (_address, hop) => hop < trust : trust;
}
