/**
 * `memfleet up` as a real process for tests: its output, its children (found
 * with `ps` by parent pid, shown by their process titles), and clean-up that
 * never leaves a child behind.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { CLI, freePort } from './fleet-processes.js';

export interface ProcRow {
  pid: number;
  ppid: number;
  pgid: number;
  /** What `ps` shows: the process title. */
  args: string;
}

/** Every process on the machine, from `ps` (a snapshot). */
export function processTable(): ProcRow[] {
  const out = execFileSync('ps', ['-eo', 'pid=,ppid=,pgid=,args='], { encoding: 'utf8' });
  return out
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), pgid: Number(m[3]), args: m[4] as string }));
}

export function childrenOf(ppid: number): ProcRow[] {
  return processTable().filter((p) => p.ppid === ppid);
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export interface UpProcess {
  proc: ChildProcess;
  port: number;
  url: string;
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The shard/coordinator processes `up` started, as `ps` sees them now. */
  children(): ProcRow[];
  /** Pids of every child ever seen, so clean-up can kill the ones `up` left. */
  seen: Set<number>;
  /** SIGTERM `up` and wait; then SIGKILL whatever it left behind (a test that failed half-way). */
  cleanup(): Promise<void>;
}

export interface SpawnUpOptions {
  args?: string[];
  env?: NodeJS.ProcessEnv;
  port?: number;
  /** Run `up` as the leader of its own process group, as a terminal runs a foreground job. */
  ownGroup?: boolean;
}

export async function spawnUp(contexts: string, opts: SpawnUpOptions = {}): Promise<UpProcess> {
  const port = opts.port ?? (await freePort());
  const proc = spawn(process.execPath, [CLI, 'up', '--contexts', contexts, '--port', String(port), ...(opts.args ?? [])], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: opts.ownGroup ?? false,
  });
  let stdout = '';
  let stderr = '';
  proc.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })));
  const seen = new Set<number>();
  const children = () => {
    const rows = childrenOf(proc.pid as number).filter((r) => r.args.startsWith('memfleet '));
    for (const r of rows) seen.add(r.pid);
    return rows;
  };
  return {
    proc,
    port,
    url: `http://127.0.0.1:${port}`,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    children,
    seen,
    cleanup: async () => {
      if (proc.exitCode === null && proc.signalCode === null) {
        children();
        proc.kill('SIGTERM');
        const timer = setTimeout(() => proc.kill('SIGKILL'), 30_000);
        await exited;
        clearTimeout(timer);
      }
      for (const pid of seen) if (alive(pid)) process.kill(pid, 'SIGKILL');
    },
  };
}

/** Starts `up` and waits for "memfleet is up" (fails with its output if it exits first). */
export async function startUp(contexts: string, opts: SpawnUpOptions = {}): Promise<UpProcess> {
  const up = await spawnUp(contexts, opts);
  const until = Date.now() + 90_000;
  while (!up.stdout().includes('memfleet is up')) {
    if (up.proc.exitCode !== null || Date.now() > until) {
      await up.cleanup();
      throw new Error(`memfleet up ${up.proc.exitCode !== null ? `exited with code ${up.proc.exitCode}` : 'did not come up within 90 s'}:\n${up.stderr().slice(-3000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  up.children();
  return up;
}
