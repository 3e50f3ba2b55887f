/**
 * Real fleet processes for end-to-end tests: the coordinator and shards run
 * from the built CLI (dist/), each as its own OS process, like containers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateKeyring } from '../../shared/envelope/index.js';
import { freePort } from '../../services/cli/up/free-port.js';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI = join(REPO_ROOT, 'dist', 'services', 'cli', 'main.js');
export const FIXTURE_CONTEXTS = join(REPO_ROOT, 'test', 'fixtures', 'contexts');

export { freePort };

export interface FleetKeys {
  MEMFLEET_HMAC_KEYS: string;
  MEMFLEET_SHARD_HMAC_KEYS: string;
}

export function newKeys(): FleetKeys {
  return { MEMFLEET_HMAC_KEYS: generateKeyring('coord1'), MEMFLEET_SHARD_HMAC_KEYS: generateKeyring('shard1') };
}

export interface ServiceProcess {
  name: string;
  proc: ChildProcess;
  /** Everything the process printed so far (stdout and stderr). */
  output(): string;
  /** SIGTERM and wait for exit (SIGKILL after graceMs). Resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>;
  /** SIGKILL: a crash, no clean-up. */
  kill(): Promise<void>;
  exited: Promise<number | null>;
}

function assertBuilt(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" first (npm test does it in pretest).`);
}

export function startProcess(name: string, args: string[], env: NodeJS.ProcessEnv): ServiceProcess {
  assertBuilt();
  const proc = spawn(process.execPath, [CLI, ...args], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const done = () => proc.exitCode !== null || proc.signalCode !== null;
  return {
    name,
    proc,
    output: () => out,
    exited,
    stop: async (graceMs = 15_000) => {
      if (!done()) {
        proc.kill('SIGTERM');
        const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }
      return proc.exitCode;
    },
    kill: async () => {
      if (!done()) {
        proc.kill('SIGKILL');
        await exited;
      }
    },
  };
}

export interface CoordinatorProcess extends ServiceProcess {
  url: string;
  port: number;
}

export async function startCoordinatorProcess(env: NodeJS.ProcessEnv, port?: number): Promise<CoordinatorProcess> {
  const p = port ?? (await freePort());
  const svc = startProcess('coordinator', ['coordinator'], { ...env, PORT: String(p), HOST: '127.0.0.1' });
  const url = `http://127.0.0.1:${p}`;
  await waitFor(`coordinator on ${url}`, async () => (await fetch(`${url}/healthz`)).ok, 20_000, svc);
  return { ...svc, url, port: p };
}

export async function startShardProcess(domain: string, env: NodeJS.ProcessEnv, contexts = FIXTURE_CONTEXTS, metricsPort = 0): Promise<ServiceProcess> {
  return startProcess(`shard ${domain}`, ['shard', '--domain', domain, '--contexts', contexts], { ...env, METRICS_PORT: String(metricsPort), HOST: '127.0.0.1' });
}

/** Waits until the coordinator counts at least `replicas` live replicas of each domain. */
export async function waitForShards(url: string, want: Record<string, number>, token?: string, timeoutMs = 30_000): Promise<void> {
  await waitFor(`shards ${JSON.stringify(want)}`, async () => {
    const res = await fetch(`${url}/v1/shards`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
    if (!res.ok) return false;
    const rows = (await res.json()) as { shard: string; replicas: number }[];
    return Object.entries(want).every(([shard, n]) => (rows.find((r) => r.shard === shard)?.replicas ?? 0) >= n);
  }, timeoutMs);
}

export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, proc?: ServiceProcess): Promise<void> {
  const until = Date.now() + timeoutMs;
  let lastError = '';
  while (Date.now() < until) {
    if (proc && (proc.proc.exitCode !== null || proc.proc.signalCode !== null)) {
      throw new Error(`${proc.name} exited while waiting for ${what}:\n${proc.output().slice(-3000)}`);
    }
    try {
      if (await check()) return;
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${lastError})` : ''}${proc ? `\n${proc.output().slice(-3000)}` : ''}`);
}

export async function postQuery(url: string, body: unknown, token?: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${url}/v1/query`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/** The lines of a fixture source file, as a shard numbers them (index 0 is line 1). */
export function fileLines(domain: string, source: string): string[] {
  return readFileSync(join(FIXTURE_CONTEXTS, domain, source), 'utf8').split('\n');
}

/** The 1-based line of a fixture source that contains `needle`; fails the test if none does. */
export function lineOf(domain: string, source: string, needle: string): number {
  const idx = fileLines(domain, source).findIndex((l) => l.includes(needle));
  if (idx < 0) throw new Error(`fixture ${domain}/${source} should contain "${needle}"`);
  return idx + 1;
}
