/**
 * `memfleet up`: the whole fleet on one machine as separate OS processes —
 * one coordinator and one shard process per domain × replicas — the same
 * topology as the compose stack, without containers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { generateKeyring } from '../../../shared/envelope/index.js';
import { redactUrl } from '../../../shared/log/redact.js';
import { CoordinatorClient } from '../../../shared/api/client.js';
import { shardNodeArgs } from '../../shard/heap-limit.js';
import { discoverDomains } from './discover-domains.js';
import { shardEnv } from './service-env.js';
import { redisAnswers, redisServerInstalled, startPrivateRedis, type PrivateRedis } from './private-redis.js';

export interface UpOptions {
  contexts: string;
  port: number;
  host: string;
  replicas: number;
  redisUrl: string | undefined;
  engine: string | undefined;
  /** Where progress lines go (stderr by default). */
  say: (line: string) => void;
}

interface Child {
  name: string;
  proc: ChildProcess;
  tail: string[];
}

export interface Fleet {
  url: string;
  domains: string[];
  stop(): Promise<void>;
  /** Resolves when any child exits on its own (the fleet is then incomplete). */
  exited: Promise<{ name: string; code: number | null; tail: string[] }>;
}

export async function startFleet(opts: UpOptions): Promise<Fleet> {
  const contexts = resolve(opts.contexts);
  const domains = discoverDomains(contexts);

  let privateRedis: PrivateRedis | undefined;
  let redisUrl = opts.redisUrl ?? 'redis://127.0.0.1:6379';
  if (!(await redisAnswers(redisUrl))) {
    if (opts.redisUrl) throw new Error(`No Redis answers at ${redactUrl(redisUrl)} (REDIS_URL): start it, or unset REDIS_URL to let memfleet start a private one.`);
    if (!redisServerInstalled()) {
      throw new Error(
        'No Redis at redis://127.0.0.1:6379 and redis-server is not installed: install it (sudo apt-get install redis-server, or brew install redis) or set REDIS_URL to a Redis you can use.',
      );
    }
    privateRedis = await startPrivateRedis();
    redisUrl = privateRedis.url;
    opts.say(`started a private redis-server at ${redisUrl}`);
  }

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    REDIS_URL: redisUrl,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    CONTEXTS_DIR: contexts,
  };
  if (!env.MEMFLEET_HMAC_KEYS && !env.MEMFLEET_HMAC_KEYS_FILE) {
    // A laptop demo needs no key management: fresh keys for this run only, never printed.
    env.MEMFLEET_HMAC_KEYS = generateKeyring('coord1');
    env.MEMFLEET_SHARD_HMAC_KEYS = generateKeyring('shard1');
  }
  if (opts.engine) env.ENGINE = opts.engine;
  // Each shard gets its domain's derived keys, never the masters or the API token (docs/reliability.md, "Keys").
  const shardEnvs = new Map(domains.map((domain) => [domain, shardEnv(env, domain)]));

  const entry = process.argv[1] as string;
  const children: Child[] = [];
  const launch = (name: string, args: string[], serviceEnv: NodeJS.ProcessEnv, nodeArgs: string[] = []): Child => {
    const proc = spawn(process.execPath, [...process.execArgv, ...nodeArgs, entry, ...args], { env: serviceEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    const child: Child = { name, proc, tail: [] };
    const onData = (d: Buffer) => {
      for (const line of d.toString().split('\n')) {
        if (!line.trim()) continue;
        child.tail.push(line);
        if (child.tail.length > 30) child.tail.shift();
        opts.say(`[${name}] ${line}`);
      }
    };
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', onData);
    children.push(child);
    return child;
  };

  launch('coordinator', ['coordinator'], { ...env, PORT: String(opts.port), HOST: opts.host });
  for (const domain of domains) {
    for (let r = 1; r <= opts.replicas; r++) {
      launch(`${domain}#${r}`, ['shard'], { ...shardEnvs.get(domain), SHARD_DOMAIN: domain, METRICS_PORT: '0', HOST: '127.0.0.1' }, shardNodeArgs());
    }
  }

  const exited = new Promise<{ name: string; code: number | null; tail: string[] }>((resolveExit) => {
    for (const c of children) c.proc.once('exit', (code) => resolveExit({ name: c.name, code, tail: c.tail }));
  });

  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      await Promise.all(
        children.map(async (c) => {
          if (c.proc.exitCode !== null || c.proc.signalCode !== null) return;
          const gone = new Promise((r) => c.proc.once('exit', r));
          c.proc.kill('SIGTERM');
          const timer = setTimeout(() => c.proc.kill('SIGKILL'), 10_000);
          await gone;
          clearTimeout(timer);
        }),
      );
      await privateRedis?.stop();
    })();
    return stopped;
  };

  const host = opts.host === '0.0.0.0' ? '127.0.0.1' : opts.host;
  const url = `http://${host}:${opts.port}`;
  const early = exited.then((e) => {
    throw new Error(`${e.name} exited during start-up (code ${e.code}):\n${e.tail.slice(-10).join('\n')}`);
  });
  try {
    await Promise.race([waitForFleet(url, domains, opts.replicas, env.MEMFLEET_API_TOKEN), early]);
  } catch (err) {
    await stop();
    throw err;
  }
  early.catch(() => undefined);
  return { url, domains, stop, exited };
}

async function waitForFleet(url: string, domains: string[], replicas: number, token: string | undefined): Promise<void> {
  const until = Date.now() + 120_000;
  let last = 'coordinator not answering yet';
  while (Date.now() < until) {
    try {
      const rows = await new CoordinatorClient({ url, token, timeoutMs: 2000 }).shards();
      const missing = domains.filter((d) => (rows.find((r) => r.shard === d)?.replicas ?? 0) < replicas);
      if (missing.length === 0) return;
      last = `waiting for shards: ${missing.join(', ')}`;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`The fleet did not become ready within 120 s (${last}).`);
}
