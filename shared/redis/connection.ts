/**
 * Redis connections. BullMQ workers and queue-event listeners block on Redis and
 * must retry forever (maxRetriesPerRequest: null); request-path clients must
 * fail fast during an outage so HTTP callers get a 503 instead of a hang.
 */
import { Redis, type RedisOptions } from 'ioredis';

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
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`Redis at ${redactedUrl} did not answer within ${timeoutMs} ms: start Redis or set REDIS_URL to one that runs.`));
    }, timeoutMs);
    const onReady = () => {
      cleanup();
      resolve();
    };
    const cleanup = () => {
      clearTimeout(timer);
      client.off('ready', onReady);
    };
    client.on('ready', onReady);
  });
}
