/**
 * Redis connections. BullMQ workers and queue-event listeners block on Redis and
 * must retry forever (maxRetriesPerRequest: null); request-path clients must
 * fail fast during an outage so HTTP callers get a 503 instead of a hang.
 */
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import { redactText } from '../log/redact.js';
import { isClusterUrl, parseClusterUrl } from './cluster-url.js';

export type ConnectionRole = 'blocking' | 'request';

/**
 * A client for `url`: one Redis (`redis://`, `rediss://`) or a Redis Cluster
 * (`redis+cluster://host:port,…`, shared/redis/cluster-url.ts).
 *
 * A Cluster client is returned as the `Redis` type: it offers the same commands,
 * and memfleet sends it only commands whose keys share one slot (BullMQ's keys
 * of one queue share a hash tag, shared/queues/names.ts; every other command
 * names one key). BullMQ recognises the Cluster at run time.
 */
export function createRedis(url: string, role: ConnectionRole, name: string): Redis {
  const options: RedisOptions =
    role === 'blocking'
      ? { maxRetriesPerRequest: null, enableReadyCheck: true, connectionName: name }
      : { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2000, connectionName: name };
  // Reconnect with a capped backoff forever: Redis restarts must heal by themselves.
  options.retryStrategy = (times: number) => Math.min(100 * times, 2000);
  if (isClusterUrl(url)) return createCluster(url, role, options);
  return new Redis(url, options);
}

function createCluster(url: string, role: ConnectionRole, nodeOptions: RedisOptions): Redis {
  const address = parseClusterUrl(url);
  const { enableOfflineQueue, ...redisOptions } = nodeOptions;
  if (address.username !== undefined) redisOptions.username = address.username;
  if (address.password !== undefined) redisOptions.password = address.password;
  if (address.tls) redisOptions.tls = {};
  const options: ClusterOptions = {
    redisOptions,
    // A failover takes the cluster-node-timeout plus an election: keep looking for the new master.
    clusterRetryStrategy: (times: number) => Math.min(100 * times, 2000),
    retryDelayOnFailover: 200,
    retryDelayOnClusterDown: 300,
    retryDelayOnTryAgain: 100,
    slotsRefreshTimeout: 2000,
    // Request-path clients fail fast while the cluster is unreachable (503), like a single Redis.
    enableOfflineQueue: role === 'blocking' ? true : (enableOfflineQueue ?? true),
    scaleReads: 'master',
  };
  return new Cluster(address.nodes, options) as unknown as Redis;
}

/** True for a client made by `createRedis` from a cluster URL. */
export function isClusterClient(client: Redis): boolean {
  return (client as { isCluster?: boolean }).isCluster === true;
}

/** Waits until a client is connected (or throws after timeoutMs with a message saying where it looked). */
export async function waitForRedis(client: Redis, redactedUrl: string, timeoutMs = 10_000): Promise<void> {
  if (client.status === 'ready') return;
  let lastError = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      // The last error tells a refused password (WRONGPASS, NOAUTH) from a Redis that is not there (ECONNREFUSED).
      const why = lastError ? ` (last error: ${redactText(lastError).slice(0, 200)})` : '';
      reject(new Error(`Redis at ${redactedUrl} did not answer within ${timeoutMs} ms${why}: start Redis, or fix REDIS_URL (host, port, password).`));
    }, timeoutMs);
    const onReady = () => {
      cleanup();
      resolve();
    };
    const onError = (err: Error) => {
      lastError = err.message;
    };
    const cleanup = () => {
      clearTimeout(timer);
      client.off('ready', onReady);
      client.off('error', onError);
    };
    client.on('ready', onReady);
    client.on('error', onError);
  });
}
