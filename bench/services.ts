/**
 * The processes a benchmark run starts: memfleet's coordinator and shards from
 * the built CLI (dist/, like production and the end-to-end tests) and the raw
 * BullMQ workers of the baseline. Each is its own OS process; all are stopped
 * when the run ends, however it ends.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../services/cli/up/free-port.js';
import { shardNodeArgs } from '../services/shard/heap-limit.js';
import { shardEnv } from '../services/cli/up/service-env.js';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const CLI = join(REPO_ROOT, 'dist', 'services', 'cli', 'main.js');

export interface BenchProcess {
  name: string;
  pid: number;
  /** Spawn → ready (coordinator: /healthz answers; shard: /readyz says ready; raw worker: prints "ready"), ms. */
  startupMs: number;
  output(): string;
  stop(): Promise<void>;
}

/** Every process this run started, so a failure anywhere still stops them all. */
const running = new Set<BenchProcess>();

export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((p) => p.stop()));
}

interface SpawnOptions {
  env: NodeJS.ProcessEnv;
  /** Extra flags for node itself (e.g. --cpu-prof). */
  nodeFlags?: string[];
}

function spawnNode(name: string, args: string[], opts: SpawnOptions): { proc: ChildProcess; output: () => string; exited: Promise<void> } {
  const proc = spawn(process.execPath, [...(opts.nodeFlags ?? []), ...args], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  // Keep only the tail: a long run must not grow the benchmark's own memory.
  const keep = (d: Buffer) => {
    out = (out + d.toString()).slice(-20_000);
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  return { proc, output: () => out, exited };
}

function track(name: string, proc: ChildProcess, output: () => string, exited: Promise<void>, startupMs: number): BenchProcess {
  const handle: BenchProcess = {
    name,
    pid: proc.pid ?? -1,
    startupMs,
    output,
    stop: async () => {
      running.delete(handle);
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
  running.add(handle);
  return handle;
}

async function until(what: string, check: () => Promise<boolean>, proc: ChildProcess, output: () => string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`${what}: the process exited:\n${output().slice(-3000)}`);
    try {
      if (await check()) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  proc.kill('SIGKILL');
  throw new Error(`${what}: not ready after ${timeoutMs} ms:\n${output().slice(-3000)}`);
}

export interface Coordinator extends BenchProcess {
  url: string;
}

export async function startCoordinator(env: NodeJS.ProcessEnv, nodeFlags: string[] = []): Promise<Coordinator> {
  const port = await freePort();
  const t0 = performance.now();
  // Saturating load from one address is the point of a benchmark: no rate limit (the default is 600 a minute).
  const { proc, output, exited } = spawnNode('coordinator', [CLI, 'coordinator'], {
    env: { RATE_LIMIT_PER_MIN: '0', ...env, PORT: String(port), HOST: '127.0.0.1' },
    nodeFlags,
  });
  const url = `http://127.0.0.1:${port}`;
  await until('coordinator', async () => (await fetch(`${url}/healthz`)).ok, proc, output);
  return { ...track('coordinator', proc, output, exited, performance.now() - t0), url };
}

export interface ShardSpec {
  domain: string;
  contexts: string;
  engine: 'lexical' | 'noop';
}

export async function startShard(spec: ShardSpec, env: NodeJS.ProcessEnv, nodeFlags: string[] = []): Promise<BenchProcess & { metricsPort: number }> {
  const metricsPort = await freePort();
  const t0 = performance.now();
  const name = `shard ${spec.domain} (${spec.engine})`;
  const { proc, output, exited } = spawnNode(name, [CLI, 'shard', '--domain', spec.domain, '--contexts', spec.contexts, '--engine', spec.engine], {
    env: { ...shardEnv({ ...env, ENGINE: spec.engine }, spec.domain), METRICS_PORT: String(metricsPort), HOST: '127.0.0.1' },
    // Shards run as deployed: with the heap cap of memfleet up and the compose file.
    nodeFlags: [...shardNodeArgs(), ...nodeFlags],
  });
  await until(name, async () => (await fetch(`http://127.0.0.1:${metricsPort}/readyz`)).ok, proc, output);
  return { ...track(name, proc, output, exited, performance.now() - t0), metricsPort };
}

/**
 * Several real shards in one process (bench/shard-host.ts), for scenarios with
 * more domains than the machine holds Node processes. Each shard gets the
 * environment `startShard` above gives its process; metrics on free ports.
 */
export async function startShardHost(specs: ShardSpec[], env: NodeJS.ProcessEnv, nodeFlags: string[] = []): Promise<BenchProcess> {
  const t0 = performance.now();
  const name = `shard host (${specs.map((s) => s.domain).join(', ')})`;
  const payload = specs.map((spec) => ({
    domain: spec.domain,
    env: Object.fromEntries(
      Object.entries({ ...shardEnv({ ...env, ENGINE: spec.engine }, spec.domain), CONTEXTS_DIR: spec.contexts, METRICS_PORT: '0', HOST: '127.0.0.1' }).filter(
        (e): e is [string, string] => typeof e[1] === 'string',
      ),
    ),
  }));
  const { proc, output, exited } = spawnNode(name, ['--import', 'tsx', join(REPO_ROOT, 'bench', 'shard-host.ts')], {
    env: { BENCH_SHARD_SPECS: JSON.stringify(payload) },
    nodeFlags: [...shardNodeArgs(), ...nodeFlags],
  });
  await until(name, async () => output().includes('shard-host ready'), proc, output, 60_000 + 5_000 * specs.length);
  return track(name, proc, output, exited, performance.now() - t0);
}

/** One raw BullMQ worker process (bench/raw/worker.ts) consuming `queue`. */
export async function startRawWorker(queue: string, env: NodeJS.ProcessEnv): Promise<BenchProcess> {
  const t0 = performance.now();
  const name = `raw worker ${queue}`;
  const { proc, output, exited } = spawnNode(name, ['--import', 'tsx', join(REPO_ROOT, 'bench', 'raw', 'worker.ts'), queue], { env });
  await until(name, async () => output().includes('ready'), proc, output);
  return track(name, proc, output, exited, performance.now() - t0);
}

export function assertBuilt(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" first (npm run bench does it for you).`);
}
