/**
 * A real Redis for tests: the one in REDIS_URL when the test can share it, or a
 * private `redis-server` child process when it cannot (a password, persistence
 * or restarts would disturb, or be disturbed by, whoever else uses that Redis).
 *
 * Every handle carries a fresh key prefix, so tests never read or delete keys
 * that belong to another program or another test.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { constants, rmSync } from 'node:fs';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';

export interface StartRedisOptions {
  /** Start a private server that requires this password (`--requirepass`); the url carries it. */
  password?: string;
  /**
   * Start a private server with `--appendonly yes`, so data survives `restart()`.
   * @defaultValue false
   */
  appendOnly?: boolean;
  /** Data directory for a private server; kept on `stop()` because the caller owns it. @defaultValue a fresh temp dir, removed on `stop()` */
  dir?: string;
  /** Port for a private server. @defaultValue a free port chosen by the OS */
  port?: number;
}

export interface RedisHandle {
  /** Connection URL, password included when one was asked for. */
  url: string;
  port: number;
  /** `mft-<random hex>`: put every key a test writes under it. */
  prefix: string;
  /** Kills a private server and removes the temp dir it created; does nothing for an external one. */
  stop(): Promise<void>;
  /**
   * Stops and starts a private server on the same port and dir (a fault; with appendOnly, data survives).
   * `whileDown` runs between the stop and the start, to observe the outage.
   */
  restart(whileDown?: () => Promise<void>): Promise<void>;
  /** True when this is the Redis from REDIS_URL, which the helper must never stop, flush or restart. */
  external: boolean;
}

const READY_TIMEOUT_MS = 10_000;
const STOP_GRACE_MS = 3_000;
const PING_TIMEOUT_MS = 1_500;
const OUTPUT_TAIL_CHARS = 4_000;
const NOT_FOUND =
  'redis-server not found: install it (sudo apt-get install redis-server) or set REDIS_URL to a Redis you own';

/**
 * Starts (or borrows) a Redis for one test file.
 *
 * REDIS_URL is used only when no option is given, because every option asks
 * for something only a private server can honour.
 */
export async function startRedis(opts: StartRedisOptions = {}): Promise<RedisHandle> {
  const prefix = `mft-${randomBytes(6).toString('hex')}`;
  const externalUrl = process.env.REDIS_URL;
  const needsPrivate = opts.password !== undefined || opts.appendOnly === true || opts.dir !== undefined || opts.port !== undefined;
  if (externalUrl && !needsPrivate) return borrowExternal(externalUrl, prefix);
  return startPrivate(opts, prefix);
}

/**
 * Deletes the keys under `prefix` (SCAN + UNLINK, never FLUSH), for cleaning up after
 * tests on a shared Redis.
 * @returns how many keys were deleted
 */
export async function deleteKeysWithPrefix(url: string, prefix: string): Promise<number> {
  // An empty or tiny prefix would match other programs' keys.
  if (prefix.length < 3) throw new Error(`deleteKeysWithPrefix: refusing the too-broad prefix "${prefix}"`);
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  client.on('error', () => {}); // failures surface through the awaited commands
  try {
    await client.connect();
    let cursor = '0';
    let deleted = 0;
    do {
      const [next, batch] = await client.scan(cursor, 'MATCH', `${escapeGlob(prefix)}*`, 'COUNT', 500);
      cursor = next;
      if (batch.length > 0) deleted += await client.unlink(...batch);
    } while (cursor !== '0');
    return deleted;
  } finally {
    client.disconnect();
  }
}

async function borrowExternal(url: string, prefix: string): Promise<RedisHandle> {
  try {
    await pingOnce({ url });
  } catch (error) {
    throw new Error(`REDIS_URL (${redactUrl(url)}) does not answer PING: ${messageOf(error)}`);
  }
  const parsed = new URL(url);
  return {
    url,
    port: parsed.port === '' ? 6379 : Number(parsed.port),
    prefix,
    external: true,
    stop: async () => {},
    restart: async () => {
      throw new Error('restart() needs a private Redis: pass { appendOnly: true } to startRedis instead of relying on REDIS_URL');
    },
  };
}

async function startPrivate(opts: StartRedisOptions, prefix: string): Promise<RedisHandle> {
  const binary = await ensureRedisServer();
  const ownsDir = opts.dir === undefined;
  const dir = opts.dir ?? (await mkdtemp(join(tmpdir(), 'memfleet-redis-')));
  if (ownsDir) createdDirs.add(dir);
  const settings = { binary, dir, password: opts.password, appendOnly: opts.appendOnly === true };

  let server: RunningServer | undefined;
  try {
    // A port found free can be taken before redis binds it; only then is another one worth trying.
    for (let attempt = 1; server === undefined; attempt += 1) {
      const port = opts.port ?? (await freePort());
      try {
        server = await launch({ ...settings, port });
      } catch (error) {
        const retry = opts.port === undefined && attempt < 3 && error instanceof PortInUseError;
        if (!retry) throw error;
      }
    }
  } catch (error) {
    if (ownsDir) await removeDir(dir);
    throw error;
  }

  let current: RunningServer = server;
  let stopped = false;
  const port = current.port;
  const auth = opts.password === undefined ? '' : `:${encodeURIComponent(opts.password)}@`;

  return {
    url: `redis://${auth}127.0.0.1:${port}`,
    port,
    prefix,
    external: false,
    async stop() {
      if (stopped) return;
      stopped = true;
      await terminate(current);
      if (ownsDir) await removeDir(dir);
    },
    async restart(whileDown?: () => Promise<void>) {
      if (stopped) throw new Error('restart() after stop(): start a new Redis instead');
      await terminate(current);
      try {
        await whileDown?.();
      } finally {
        current = await launch({ ...settings, port });
      }
    },
  };
}

interface LaunchSettings {
  binary: string;
  port: number;
  dir: string;
  password: string | undefined;
  appendOnly: boolean;
}

interface RunningServer {
  port: number;
  child: ChildProcess;
  exited: Promise<void>;
}

class PortInUseError extends Error {}

async function launch(settings: LaunchSettings): Promise<RunningServer> {
  const { binary, port, dir, password, appendOnly } = settings;
  const args = [
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--save', '',
    '--appendonly', appendOnly ? 'yes' : 'no',
    '--dir', dir,
    '--daemonize', 'no',
    ...(password === undefined ? [] : ['--requirepass', password]),
  ];
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  liveChildren.add(child);

  let output = '';
  const collect = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);

  let exitNote: string | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('error', (error) => {
      exitNote = `could not be spawned: ${error.message}`;
      liveChildren.delete(child);
      resolve();
    });
    child.once('exit', (code, signal) => {
      exitNote = `exited with ${signal ?? `code ${code}`}`;
      liveChildren.delete(child);
      resolve();
    });
  });

  const server: RunningServer = { port, child, exited };
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let lastError: unknown;
  for (;;) {
    if (exitNote !== undefined) {
      const message = `redis-server on port ${port} ${exitNote} before answering PING. Its output:\n${output.trim()}`;
      throw /Address already in use/i.test(output) ? new PortInUseError(message) : new Error(message);
    }
    try {
      await pingOnce({ port, password });
      return server;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      await terminate(server);
      throw new Error(
        `redis-server on port ${port} did not answer PING within ${READY_TIMEOUT_MS / 1000} s (last error: ${messageOf(lastError)}). Its output:\n${output.trim()}`,
      );
    }
    await sleep(50);
  }
}

/**
 * One connection, one PING. ioredis's ready check waits out AOF loading, so a
 * restarted server counts as ready only once its data is back.
 */
async function pingOnce(target: { url: string } | { port: number; password: string | undefined }): Promise<void> {
  const options = { lazyConnect: true, connectTimeout: 1_000, disconnectTimeout: 100, maxRetriesPerRequest: 0, retryStrategy: () => null };
  const client =
    'url' in target
      ? new Redis(target.url, options)
      : new Redis({ ...options, host: '127.0.0.1', port: target.port, ...(target.password === undefined ? {} : { password: target.password }) });
  client.on('error', () => {}); // connection errors are expected while the server boots
  // Something that accepts connections but never answers (another program on the port) must not hang us.
  let timer: NodeJS.Timeout | undefined;
  const silence = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${PING_TIMEOUT_MS} ms`)), PING_TIMEOUT_MS);
  });
  try {
    const reply = await Promise.race([client.connect().then(() => client.ping()), silence]);
    if (reply !== 'PONG') throw new Error(`PING answered ${reply}`);
  } finally {
    clearTimeout(timer);
    client.disconnect();
  }
}

async function terminate(server: RunningServer): Promise<void> {
  const { child, exited } = server;
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  }
  await exited;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('could not find a free port');
  return address.port;
}

let installing: Promise<void> | undefined;

async function ensureRedisServer(): Promise<string> {
  const found = await findOnPath('redis-server');
  if (found) return found;

  const canInstall = process.getuid?.() === 0 && (await findOnPath('apt-get')) !== undefined;
  if (!canInstall) throw new Error(NOT_FOUND);

  // Several test files may start at once; one apt-get run is enough.
  installing ??= installWithApt();
  try {
    await installing;
  } catch (error) {
    throw new Error(`${NOT_FOUND}\n(apt-get install failed: ${messageOf(error)})`);
  }
  const installed = await findOnPath('redis-server');
  if (!installed) throw new Error(NOT_FOUND);
  return installed;
}

async function installWithApt(): Promise<void> {
  const run = promisify(execFile);
  const options = { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, timeout: 300_000 };
  process.stderr.write('redis-server not found; installing it with apt-get\n');
  try {
    await run('apt-get', ['install', '-y', 'redis-server'], options);
  } catch {
    // Usually a container whose package lists were never fetched.
    await run('apt-get', ['update'], options);
    await run('apt-get', ['install', '-y', 'redis-server'], options);
  }
}

async function findOnPath(name: string): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  createdDirs.delete(dir);
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<unparseable url>';
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/*
 * A test that crashes, is interrupted or forgets stop() must not leave redis-server
 * processes or temp dirs behind. This runs from 'exit', which must be synchronous,
 * hence SIGKILL and rmSync.
 */
const liveChildren = new Set<ChildProcess>();
const createdDirs = new Set<string>();

function cleanUpNow(): void {
  for (const child of liveChildren) child.kill('SIGKILL');
  for (const dir of createdDirs) rmSync(dir, { recursive: true, force: true });
}

process.once('exit', cleanUpNow);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    cleanUpNow();
    // Die as the signal intended, unless someone else handles it (then it is theirs to decide).
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  });
}
