/**
 * Redis Cluster addresses. A fleet on a Redis Cluster is configured with
 * `REDIS_CLUSTER_NODES=host:port,host:port,…` or a URL of the form
 * `redis+cluster://[user:password@]host:port,host:port[,…]` (`rediss+cluster://`
 * for TLS); both become that URL, so every service passes one string around as
 * it does REDIS_URL, and `createRedis` (connection.ts) picks the client from its scheme.
 */

export interface ClusterAddress {
  nodes: { host: string; port: number }[];
  username?: string;
  password?: string;
  tls: boolean;
}

const CLUSTER_URL = /^(rediss?)\+cluster:\/\/(?:([^:@/]*)(?::([^@/]*))?@)?([^/?#]+)\/?$/i;
const NODE = /^(\[[0-9a-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;

export function isClusterUrl(url: string): boolean {
  return /^rediss?\+cluster:\/\//i.test(url);
}

/**
 * @throws naming the bad part and the expected form, for anything that is not a cluster URL with at least one host:port
 */
export function parseClusterUrl(url: string): ClusterAddress {
  const m = CLUSTER_URL.exec(url);
  if (!m) throw new Error('expected redis+cluster://[user:password@]host:port,host:port (rediss+cluster:// for TLS)');
  const nodes = parseNodeList(m[4]!);
  const address: ClusterAddress = { nodes, tls: m[1]!.toLowerCase() === 'rediss' };
  if (m[2]) address.username = decodeURIComponent(m[2]);
  if (m[3] !== undefined) address.password = decodeURIComponent(m[3]);
  return address;
}

/** `host:port,host:port` → nodes; @throws naming the entry that is not host:port with a port in 1-65535 */
export function parseNodeList(list: string): { host: string; port: number }[] {
  const entries = list
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (entries.length === 0) throw new Error('no node given: list at least one host:port, e.g. 10.0.0.1:7000,10.0.0.2:7000');
  return entries.map((entry) => {
    const m = NODE.exec(entry);
    const port = m ? Number(m[2]) : 0;
    if (!m || port < 1 || port > 65_535) throw new Error(`"${entry}" is not host:port with a port in 1-65535`);
    return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
  });
}

/** The URL for REDIS_CLUSTER_NODES; credentials and TLS come from `base` (REDIS_URL) when it carries them. */
export function clusterUrlFromNodes(nodes: string, base?: string): string {
  parseNodeList(nodes);
  let scheme = 'redis';
  let auth = '';
  if (base) {
    const m = /^(rediss?):\/\/(?:([^@/]*)@)?/i.exec(base);
    if (m) {
      scheme = m[1]!.toLowerCase();
      auth = m[2] ? `${m[2]}@` : '';
    }
  }
  return `${scheme}+cluster://${auth}${nodes.replace(/\s+/g, '')}`;
}
