/**
 * A real Redis Cluster for tests: `redis-server --cluster-enabled yes` on free
 * ports and `redis-cli --cluster create` to join them, masters and replicas.
 * Every node is a child process of the test; `stop()` kills them and removes their dir.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { freePort } from '../../services/cli/up/free-port.js';

const run = promisify(execFile);

export interface ClusterNode {
  port: number;
  proc: ChildProcess;
  /** SIGKILL: the node is gone, as in a crash. */
  kill(): Promise<void>;
}

export interface RedisClusterHandle {
  nodes: ClusterNode[];
  /** `127.0.0.1:p1,127.0.0.1:p2,…`: the value for REDIS_CLUSTER_NODES. */
  nodeList: string;
  /** The port of the master serving `slot` now, asked of any live node. */
  masterOf(slot: number): Promise<number>;
  /** The slot of `key`, as the cluster computes it (CLUSTER KEYSLOT). */
  keySlot(key: string): Promise<number>;
  /** Ports of the current masters. */
  masters(): Promise<number[]>;
  /** Resolves once every live node reports cluster_state:ok and `slot` has a live master. */
  waitHealthy(timeoutMs: number): Promise<void>;
  stop(): Promise<void>;
}

async function onNode<T>(port: number, fn: (r: Redis) => Promise<T>): Promise<T> {
  const r = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1000 });
  r.on('error', () => undefined);
  try {
    await r.connect();
    return await fn(r);
  } finally {
    r.disconnect();
  }
}

type SlotRange = [number, number, [string, number, ...unknown[]], ...unknown[]];

export async function startRedisCluster(masters = 3, replicasPerMaster = 1, nodeTimeoutMs = 2000): Promise<RedisClusterHandle> {
  const dir = await mkdtemp(join(tmpdir(), 'memfleet-cluster-'));
  const nodes: ClusterNode[] = [];
  const total = masters * (1 + replicasPerMaster);
  try {
    for (let i = 0; i < total; i++) {
      const port = await freePort();
      const proc = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--cluster-node-timeout', String(nodeTimeoutMs), '--cluster-replica-validity-factor', '0', '--dir', dir, '--save', '', '--appendonly', 'no', '--protected-mode', 'no'],
        { stdio: 'ignore' },
      );
      const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
      nodes.push({ port, proc, kill: async () => { if (proc.exitCode === null && proc.signalCode === null) { proc.kill('SIGKILL'); await exited; } } });
    }
    for (const n of nodes) await waitUntil(`redis-server on ${n.port}`, () => onNode(n.port, (r) => r.ping()).then(() => true, () => false), 10_000);
    await run('redis-cli', ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', String(replicasPerMaster), '--cluster-yes'], { timeout: 30_000 });
  } catch (err) {
    await Promise.all(nodes.map((n) => n.kill()));
    await rm(dir, { recursive: true, force: true });
    throw err;
  }

  const live = () => nodes.filter((n) => n.proc.exitCode === null && n.proc.signalCode === null);
  const slots = async (): Promise<SlotRange[]> => {
    for (const n of live()) {
      try {
        return (await onNode(n.port, (r) => r.call('CLUSTER', 'SLOTS'))) as SlotRange[];
      } catch {
        // try the next node
      }
    }
    throw new Error('no cluster node answers CLUSTER SLOTS');
  };
  const handle: RedisClusterHandle = {
    nodes,
    nodeList: nodes.map((n) => `127.0.0.1:${n.port}`).join(','),
    async masterOf(slot) {
      const range = (await slots()).find(([from, to]) => slot >= from && slot <= to);
      if (!range) throw new Error(`slot ${slot} has no master`);
      return range[2][1];
    },
    async keySlot(key) {
      for (const n of live()) {
        try {
          return Number(await onNode(n.port, (r) => r.call('CLUSTER', 'KEYSLOT', key)));
        } catch {
          // try the next node
        }
      }
      throw new Error('no cluster node answers CLUSTER KEYSLOT');
    },
    async masters() {
      return [...new Set((await slots()).map((r) => r[2][1]))].sort();
    },
    async waitHealthy(timeoutMs) {
      await waitUntil('cluster_state:ok on every live node', async () => {
        for (const n of live()) {
          const info = await onNode(n.port, (r) => r.call('CLUSTER', 'INFO') as Promise<string>).catch(() => '');
          if (!info.includes('cluster_state:ok')) return false;
        }
        const livePorts = new Set(live().map((n) => n.port));
        return (await slots()).every((r) => livePorts.has(r[2][1]));
      }, timeoutMs);
    },
    async stop() {
      await Promise.all(nodes.map((n) => n.kill()));
      await rm(dir, { recursive: true, force: true });
    },
  };
  await handle.waitHealthy(20_000);
  return handle;
}

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
