/**
 * The DNS-rebinding guard's list of names. A web page at
 * `http://attacker.example:8080` whose name the attacker re-points at
 * 127.0.0.1 may call the coordinator from the victim's browser as its own
 * origin, but the browser still sends `Host: attacker.example:8080`. Without
 * an API token to stop it, the guarded routes answer only Host values that
 * name this machine's loopback (any port) or are listed in ALLOWED_HOSTS.
 */
import { isIP } from 'node:net';

export interface AllowedHosts {
  /** `*`: every Host is accepted (the check is off). */
  any: boolean;
  /** Lower-case host names and addresses (IPv6 in brackets), without port. */
  names: ReadonlySet<string>;
}

const HOST_NAME = /^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?)*$/;

/** Lower case, no trailing dot, IPv6 in brackets; undefined when `entry` is no host name or address. */
function normalise(entry: string): string | undefined {
  const host = entry.trim().toLowerCase().replace(/\.$/, '');
  if (host.startsWith('[') && host.endsWith(']')) return isIP(host.slice(1, -1)) === 6 ? host : undefined;
  if (isIP(host) === 6) return `[${host}]`;
  return HOST_NAME.test(host) ? host : undefined;
}

/**
 * Parses ALLOWED_HOSTS: comma-separated host names or addresses, no scheme,
 * no port (every port of a listed name is accepted), or `*` for any Host.
 * Returns the problem as a message naming the bad entry when there is one.
 */
export function parseAllowedHosts(value: string | undefined): AllowedHosts | undefined | { error: string } {
  if (value === undefined || value.trim() === '') return undefined;
  const entries = value.split(',').map((e) => e.trim()).filter((e) => e !== '');
  if (entries.length === 0) return { error: 'lists no host: give comma-separated names, e.g. ALLOWED_HOSTS=memfleet.internal' };
  if (entries.includes('*')) {
    return entries.length === 1 ? { any: true, names: new Set() } : { error: '"*" accepts every host, so it must be the only entry' };
  }
  const names = new Set<string>();
  for (const entry of entries) {
    const name = normalise(entry);
    if (name === undefined) {
      return {
        error: `"${entry.slice(0, 80)}" is not a host name or IP address: list names without scheme or port, comma-separated, e.g. ALLOWED_HOSTS=memfleet.internal,10.0.0.5`,
      };
    }
    names.add(name);
  }
  return { any: false, names };
}

/** localhost, 127.0.0.0/8 and ::1 (also IPv4-mapped): names only this machine can answer to. */
export function isLoopbackHost(hostname: string): boolean {
  if (hostname === 'localhost') return true;
  const bare = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  if (bare === '::1') return true;
  const v4 = bare.startsWith('::ffff:') ? bare.slice(7) : bare;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

/**
 * `hostname` is the Host header without its port (Fastify's `req.hostname`); an empty one is refused.
 * `bindHost` is the address the coordinator listens on (HOST): a specific one is a name clients are
 * meant to use (`memfleet up --host 192.168.1.5`); the wildcards 0.0.0.0 and :: name nothing.
 */
export function hostAllowed(hostname: string, allowed: AllowedHosts | undefined, bindHost?: string): boolean {
  if (allowed?.any) return true;
  const name = normalise(hostname);
  if (name === undefined) return false;
  if (isLoopbackHost(name) || (allowed?.names.has(name) ?? false)) return true;
  const bind = bindHost === undefined ? undefined : normalise(bindHost);
  return bind !== undefined && bind !== '0.0.0.0' && bind !== '[::]' && bind === name;
}
