/**
 * The Docker CLI for the deploy test: `docker` and `docker compose` run as child
 * processes against the machine's real engine, nothing mocked.
 */
import { spawn } from 'node:child_process';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to the end; rejects with its output when it exits non-zero (unless `allowFail`). */
export function run(bin: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; allowFail?: boolean; input?: string } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 300_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`${bin} could not be started: ${err.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const result = { code: code ?? -1, stdout, stderr };
      if (code === 0 || opts.allowFail) resolve(result);
      else reject(new Error(`${bin} ${args.join(' ')} failed (${signal ?? `exit ${code}`}):\n${stderr.slice(-4000)}${stdout.slice(-2000)}`));
    });
    child.stdin.end(opts.input ?? '');
  });
}

export const HOW_TO_GET_AN_ENGINE = [
  'npm run test:deploy needs a running Docker engine with Docker Compose v2.24 or newer.',
  'On this project\'s CI machines: run `sudo ../shared/docker/engine.sh` from the repository root (it installs',
  'dockerd and Compose v2 and builds local stand-ins for the base images), as .ci/run does.',
  'Elsewhere: install Docker Engine (https://docs.docker.com/engine/install/) with the compose plugin,',
  'start it, and check that `docker info` and `docker compose version` work for this user.',
].join('\n');

/** Fails (never skips) with how to get an engine when `docker` or Compose v2.24+ is missing. */
export async function requireEngine(): Promise<{ engine: string; compose: string }> {
  const info = await run('docker', ['version', '--format', '{{.Server.Version}}'], { allowFail: true, timeoutMs: 30_000 }).catch((err: Error) => ({ code: -1, stdout: '', stderr: err.message }));
  if (info.code !== 0) throw new Error(`No Docker engine answers (${info.stderr.trim().split('\n').at(-1)}).\n${HOW_TO_GET_AN_ENGINE}`);
  const compose = await run('docker', ['compose', 'version', '--short'], { allowFail: true, timeoutMs: 30_000 });
  const [major, minor] = compose.stdout.trim().replace(/^v/, '').split(/[.-]/).map(Number);
  const ok = compose.code === 0 && major !== undefined && minor !== undefined && (major > 2 || (major === 2 && minor >= 24));
  if (!ok) throw new Error(`Docker Compose v2.24+ is missing (docker compose version: ${compose.stdout.trim() || compose.stderr.trim()}).\n${HOW_TO_GET_AN_ENGINE}`);
  return { engine: info.stdout.trim(), compose: compose.stdout.trim() };
}

/** `docker compose` bound to one project, its files and its env file. */
export class ComposeProject {
  constructor(
    readonly name: string,
    private readonly projectDir: string,
    private readonly files: string[],
    private readonly envFile: string,
  ) {}

  args(rest: string[]): string[] {
    return ['compose', '-p', this.name, '--project-directory', this.projectDir, ...this.files.flatMap((f) => ['-f', f]), '--env-file', this.envFile, ...rest];
  }

  run(rest: string[], opts: { timeoutMs?: number; allowFail?: boolean; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
    return run('docker', this.args(rest), { cwd: this.projectDir, ...opts });
  }

  /** Container ids of one service, running or not. */
  async containers(service: string): Promise<string[]> {
    const { stdout } = await this.run(['ps', '-a', '-q', service]);
    return stdout.split('\n').map((l) => l.trim()).filter(Boolean);
  }
}

export interface ContainerState {
  id: string;
  running: boolean;
  pid: number;
  restartCount: number;
  health: string | undefined;
  startedAt: string;
}

export async function inspect(id: string): Promise<ContainerState> {
  const { stdout } = await run('docker', ['inspect', '--format', '{{json .}}', id]);
  const c = JSON.parse(stdout) as { Id: string; RestartCount: number; State: { Running: boolean; Pid: number; StartedAt: string; Health?: { Status: string } } };
  return { id: c.Id, running: c.State.Running, pid: c.State.Pid, restartCount: c.RestartCount, health: c.State.Health?.Status, startedAt: c.State.StartedAt };
}

/** Docker objects (containers, networks, volumes) that still carry a compose project's label. */
export async function leftovers(project: string): Promise<string[]> {
  const filter = `label=com.docker.compose.project=${project}`;
  const out: string[] = [];
  for (const [kind, args] of [
    ['container', ['ps', '-a', '--filter', filter, '--format', '{{.ID}} {{.Names}} {{.Status}}']],
    ['network', ['network', 'ls', '--filter', filter, '--format', '{{.ID}} {{.Name}}']],
    ['volume', ['volume', 'ls', '--filter', filter, '--format', '{{.Name}}']],
  ] as const) {
    const { stdout } = await run('docker', [...args]);
    for (const id of stdout.split('\n').map((l) => l.trim()).filter(Boolean)) out.push(`${kind} ${id}`);
  }
  return out;
}
