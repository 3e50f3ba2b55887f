/**
 * Redis connections. BullMQ workers and queue-event listeners block on Redis and
 * must retry forever (maxRetriesPerRequest: null); request-path clients must
 * fail fast during an outage so HTTP callers get a 503 instead of a hang.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { redactText } from '../log/redact.js';

export type ConnectionRole = 'blocking' | 'request';

export function createRedis(url: string, role: ConnectionRole, name: string): Redis {
  const options: RedisOptions =
    role === 'blocking'
      ? { maxRetriesPerRequest: null, enableReadyCheck: true, connectionName: name }
      : { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2000, connectionName: name };
  // Reconnect with a capped backoff forever: Redis restarts must heal by themselves.
  options.retryStrategy = (times: number) => Math.min(100 * times, 2000);
  return new Redis(url, options);
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
