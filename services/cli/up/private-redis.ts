/**
 * For `memfleet up` on a laptop with no Redis running: start a private
 * redis-server on a free loopback port, for the life of the fleet, and not
 * longer even when `up` is killed. With a data folder it keeps an append-only
 * file there, which outlives it (written sources survive the next `memfleet
 * up`); without one it runs in a temp dir that is removed.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster, Redis } from 'ioredis';
import { isClusterUrl, parseClusterUrl } from '../../../shared/redis/cluster-url.js';
import { freePort } from './free-port.js';

export interface PrivateRedis {
  url: string;
  stop(): Promise<void>;
}

export function redisServerInstalled(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** True when a Redis (or, for a redis+cluster:// URL, a Redis Cluster in state ok) answers at url within timeoutMs. */
export async function redisAnswers(url: string, timeoutMs = 1500): Promise<boolean> {
  if (isClusterUrl(url)) return clusterAnswers(url, timeoutMs);
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: timeoutMs, retryStrategy: () => null, enableOfflineQueue: false });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

async function clusterAnswers(url: string, timeoutMs: number): Promise<boolean> {
  const address = parseClusterUrl(url);
  const redisOptions = { connectTimeout: timeoutMs, ...(address.username === undefined ? {} : { username: address.username }), ...(address.password === undefined ? {} : { password: address.password }), ...(address.tls ? { tls: {} } : {}) };
  const client = new Cluster(address.nodes, { lazyConnect: true, clusterRetryStrategy: () => null, enableOfflineQueue: false, redisOptions });
  client.on('error', () => undefined);
  const timer = new Promise<false>((resolve) => setTimeout(() => resolve(false), timeoutMs * 2).unref());
  try {
    const check = (async () => {
      await client.connect();
      const info = String(await client.cluster('INFO'));
      return /cluster_state:ok/.test(info);
    })().catch(() => false);
    return await Promise.race([check, timer]);
  } finally {
    client.disconnect();
  }
}

export async function startPrivateRedis(opts: { dataDir?: string | undefined } = {}): Promise<PrivateRedis> {
  const port = await freePort();
  const keep = opts.dataDir !== undefined;
  const dir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'memfleet-redis-'));
  if (keep) mkdirSync(dir, { recursive: true, mode: 0o700 });
  const child: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', keep ? 'yes' : 'no', '--dir', dir, '--maxmemory-policy', 'noeviction'],
    // Its own process group, like the fleet's children: a terminal's Ctrl-C must not stop Redis under shards still stopping.
    { stdio: ['ignore', 'ignore', 'pipe'], detached: true },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = `redis://127.0.0.1:${port}`;
  const until = Date.now() + 10_000;
  while (!(await redisAnswers(url, 500))) {
    if (child.exitCode !== null || Date.now() > until) {
      child.kill('SIGKILL');
      throw new Error(`redis-server did not start on port ${port}: ${stderr.trim() || 'no output'}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  // A guard that outlives a SIGKILLed `up` just long enough to stop this redis-server and remove its
  // folder: it waits for end-of-file on the pipe `up` holds, as the fleet's children do (lifeline.ts).
  // A kept data folder stays (the guard gets an empty path and removes nothing).
  const guard = spawn('sh', ['-c', 'read _ignored; kill "$1" 2>/dev/null; sleep 1; [ -n "$2" ] && rm -rf "$2"', 'memfleet-redis-guard', String(child.pid), keep ? '' : dir], {
    stdio: ['pipe', 'ignore', 'ignore'],
    detached: true,
  });
  guard.stdin?.on('error', () => undefined);
  return {
    url,
    stop: async () => {
      // Stopped here, not by the guard: a later end-of-file must not signal a pid the system has reused.
      guard.kill('SIGKILL');
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      if (!keep) rmSync(dir, { recursive: true, force: true });
    },
  };
}
