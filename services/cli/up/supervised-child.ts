/**
 * One child process of `memfleet up` (the coordinator, or one shard replica),
 * kept running: when it exits on its own it is started again after a backoff,
 * until it crashes too often in a short window (restart-policy.ts).
 *
 * Each child runs in its own process group (`detached`), so a terminal's
 * Ctrl-C, which signals the whole foreground group, reaches `up` alone and
 * every child gets exactly one SIGTERM from `up`: one graceful stop. Its stdin
 * is a pipe from `up` that is never written: when `up` dies, even by SIGKILL,
 * the child reads end-of-file and stops itself (services/cli/lifeline.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { decideRestart, DEFAULT_RESTART_POLICY, type RestartPolicy } from './restart-policy.js';

export interface ChildSpec {
  /** What logs and `memfleet status` call it: "coordinator", "harbor#2". */
  name: string;
  role: 'coordinator' | 'shard';
  domain?: string;
  /** Arguments after the node binary (node flags, script, command). */
  argv: string[];
  env: NodeJS.ProcessEnv;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  at: number;
  /** The child's last output lines, newest last. */
  tail: string[];
}

/** running: a process is up; restarting: waiting out the backoff; gave-up: crashed too often; stopped: `up` stopped it. */
export type ChildState = 'running' | 'restarting' | 'gave-up' | 'stopped';

export interface ChildHooks {
  /** One line of the child's output (already split), or a supervisor message about it. */
  output(child: SupervisedChild, line: string): void;
  notice(line: string): void;
  /** Called on every state change (for the status record in Redis). */
  changed(): void;
}

const TAIL_LINES = 30;
const STOP_GRACE_MS = 15_000;

export function describeExit(e: Pick<ExitInfo, 'code' | 'signal'>): string {
  return e.signal ? `was killed by ${e.signal}` : `exited with code ${e.code}`;
}

export class SupervisedChild {
  state: ChildState = 'running';
  restarts = 0;
  lastExit: ExitInfo | undefined;
  /** Why the supervisor gave up, once it has. */
  gaveUpReason: string | undefined;
  private proc: ChildProcess;
  private readonly crashes: number[] = [];
  private tail: string[] = [];
  private supervising = false;
  private stopping: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private resolveFirstExit!: (e: ExitInfo) => void;
  /** Resolves on the first exit that happens before `supervise()`: a start-up failure. */
  readonly startupExit = new Promise<ExitInfo>((resolve) => (this.resolveFirstExit = resolve));

  constructor(
    readonly spec: ChildSpec,
    private readonly hooks: ChildHooks,
    private readonly policy: RestartPolicy = DEFAULT_RESTART_POLICY,
  ) {
    this.proc = this.spawn();
  }

  get name(): string {
    return this.spec.name;
  }

  get pid(): number | undefined {
    return this.state === 'running' ? this.proc.pid : undefined;
  }

  /** From now on an exit is restarted instead of failing the start. */
  supervise(): void {
    this.supervising = true;
  }

  private spawn(): ChildProcess {
    const proc = spawn(process.execPath, this.spec.argv, {
      env: { ...this.spec.env, MEMFLEET_SUPERVISED: '1', MEMFLEET_PROCESS_NAME: this.spec.name },
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    this.tail = [];
    // The lifeline is never written to; an error on it only means the child is gone.
    proc.stdin?.on('error', () => undefined);
    for (const stream of [proc.stdout, proc.stderr]) {
      if (!stream) continue;
      createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
        if (!line.trim()) return;
        this.tail.push(line);
        if (this.tail.length > TAIL_LINES) this.tail.shift();
        this.hooks.output(this, line);
      });
    }
    proc.once('exit', (code, signal) => this.onExit(proc, { code, signal, at: Date.now(), tail: [...this.tail] }));
    proc.once('error', (err) => this.hooks.notice(`[up] ${this.name}: could not start: ${err.message}`));
    return proc;
  }

  private onExit(proc: ChildProcess, exit: ExitInfo): void {
    if (proc !== this.proc) return;
    this.lastExit = exit;
    if (this.stopping) return;
    if (!this.supervising) {
      this.state = 'stopped';
      this.resolveFirstExit(exit);
      this.hooks.changed();
      return;
    }
    this.crashes.push(exit.at);
    const decision = decideRestart(this.crashes, exit.at, this.policy);
    if (decision.action === 'give-up') {
      this.state = 'gave-up';
      const last = exit.tail.slice(-8);
      this.gaveUpReason = `${describeExit(exit)}, its ${decision.recentCrashes}th exit within ${Math.round(decision.windowMs / 1000)} s`;
      this.hooks.notice(
        `[up] giving up on ${this.name}: it ${this.gaveUpReason}. The other processes keep running; ` +
          `fix the cause and restart memfleet up.${last.length ? `\n[up] last output of ${this.name}:\n${last.map((l) => `    ${l}`).join('\n')}` : ''}`,
      );
      this.hooks.changed();
      return;
    }
    this.state = 'restarting';
    this.hooks.notice(
      `[up] ${this.name} (pid ${proc.pid}) ${describeExit(exit)}; restarting it in ${(decision.delayMs / 1000).toFixed(1)} s ` +
        `(restart ${this.restarts + 1}; ${decision.recentCrashes} exit(s) in the last ${Math.round(this.policy.windowMs / 1000)} s)`,
    );
    this.hooks.changed();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.stopping) return;
      this.restarts += 1;
      this.state = 'running';
      this.proc = this.spawn();
      this.hooks.notice(`[up] ${this.name} restarted (pid ${this.proc.pid}, restart ${this.restarts})`);
      this.hooks.changed();
    }, decision.delayMs);
  }

  /** SIGTERM (one graceful stop), SIGKILL after the grace period; cancels a pending restart. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      if (this.timer) clearTimeout(this.timer);
      const proc = this.proc;
      if (proc.exitCode === null && proc.signalCode === null) {
        const gone = new Promise((resolve) => proc.once('exit', resolve));
        proc.kill('SIGTERM');
        const force = setTimeout(() => proc.kill('SIGKILL'), STOP_GRACE_MS);
        await gone;
        clearTimeout(force);
      }
      if (this.state !== 'gave-up') this.state = 'stopped';
    })();
    return this.stopping;
  }
}
