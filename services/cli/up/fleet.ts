/**
 * `memfleet up`: the whole fleet on one machine as separate OS processes —
 * one coordinator and one shard process per domain × replicas — the same
 * topology as the compose stack, without containers. Once the fleet is up,
 * every process is supervised (supervised-child.ts): one that exits is
 * restarted, and the others keep serving meanwhile.
 */
import { join, resolve } from 'node:path';
import { readVar } from '../../../shared/config/env.js';
import { generateKeyring } from '../../../shared/envelope/index.js';
import { redactUrl } from '../../../shared/log/redact.js';
import { clusterUrlFromNodes, isClusterUrl } from '../../../shared/redis/cluster-url.js';
import { CoordinatorClient } from '../../../shared/api/client.js';
import { shardNodeArgs } from '../../shard/heap-limit.js';
import { renderChildLine } from './child-log-line.js';
import { discoverDomains, type SkippedEntry } from './discover-domains.js';
import { shardEnv } from './service-env.js';
import { assertPortFree } from './port-check.js';
import { redisAnswers, redisServerInstalled, startPrivateRedis, type PrivateRedis } from './private-redis.js';
import { loadOrCreateKeys, stateDir } from './state-dir.js';
import { StatusPublisher } from './status-publisher.js';
import { SupervisedChild, type ChildSpec } from './supervised-child.js';

export interface UpOptions {
  contexts: string;
  port: number;
  host: string;
  replicas: number;
  /** From REDIS_URL, or a redis+cluster:// URL built from REDIS_CLUSTER_NODES (redisUrlFromEnv); undefined: local or private Redis. */
  redisUrl: string | undefined;
  engine: string | undefined;
  /** Where progress lines go (stderr by default). */
  say: (line: string) => void;
}

export interface Fleet {
  url: string;
  domains: string[];
  /** Entries of the contexts folder that are not domains, with the reason. */
  skipped: SkippedEntry[];
  children: readonly SupervisedChild[];
  stop(): Promise<void>;
  /** Resolves if the supervisor has given up on every process: nothing is left running. */
  allGaveUp: Promise<void>;
}

/** Lines a shard logs once per replica that `up` shows once per domain. */
const ONCE_PER_DOMAIN = /"msg":"source (skipped|read as Latin-1)"/;

export async function startFleet(opts: UpOptions): Promise<Fleet> {
  const contexts = resolve(opts.contexts);
  const { domains, skipped } = discoverDomains(contexts);
  for (const s of skipped) opts.say(`skipped ${resolve(contexts, s.name)}: ${s.reason}`);
  await assertPortFree(opts.host, opts.port);
  // Written sources (memory that grows) must outlive this run: Redis data and keys are kept here.
  const state = stateDir(contexts);
  if (state === undefined) opts.say(`${contexts} is not writable: notes written to this fleet will not survive a restart`);

  let privateRedis: PrivateRedis | undefined;
  let redisUrl = opts.redisUrl ?? 'redis://127.0.0.1:6379';
  if (!(await redisAnswers(redisUrl))) {
    if (opts.redisUrl && isClusterUrl(opts.redisUrl)) {
      throw new Error(`No Redis Cluster in state ok answers at ${redactUrl(redisUrl)} (REDIS_CLUSTER_NODES or REDIS_URL): check the nodes (redis-cli -c -p PORT cluster info), or unset both to let memfleet start a private Redis.`);
    }
    if (opts.redisUrl) throw new Error(`No Redis answers at ${redactUrl(redisUrl)} (REDIS_URL): start it, or unset REDIS_URL to let memfleet start a private one.`);
    if (!redisServerInstalled()) {
      throw new Error(
        'No Redis at redis://127.0.0.1:6379 and redis-server is not installed: install it (sudo apt-get install redis-server, or brew install redis) or set REDIS_URL to a Redis you can use.',
      );
    }
    privateRedis = await startPrivateRedis({ dataDir: state === undefined ? undefined : join(state, 'redis') });
    redisUrl = privateRedis.url;
    opts.say(`started a private redis-server at ${redisUrl}${state === undefined ? '' : ` (data kept in ${join(state, 'redis')})`}`);
  }

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    // The resolved URL (a redis+cluster:// one for a cluster): every child and the status record use the same Redis.
    REDIS_URL: redisUrl,
    REDIS_CLUSTER_NODES: undefined,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    CONTEXTS_DIR: contexts,
  };
  if (!env.MEMFLEET_HMAC_KEYS && !env.MEMFLEET_HMAC_KEYS_FILE) {
    // A laptop demo needs no key management: keys generated once and kept in the state folder
    // (written sources are signed with them), never printed; fresh ones when there is no state folder.
    const keys = state === undefined ? { MEMFLEET_HMAC_KEYS: generateKeyring('coord1'), MEMFLEET_SHARD_HMAC_KEYS: generateKeyring('shard1') } : loadOrCreateKeys(state);
    env.MEMFLEET_HMAC_KEYS = keys.MEMFLEET_HMAC_KEYS;
    env.MEMFLEET_SHARD_HMAC_KEYS = keys.MEMFLEET_SHARD_HMAC_KEYS;
  }
  if (opts.engine) env.ENGINE = opts.engine;
  // Each shard gets its domain's derived keys, never the masters or the API token (docs/reliability.md, "Keys and the threat model").
  const shardEnvs = new Map(domains.map((domain) => [domain, shardEnv(env, domain)]));

  const entry = process.argv[1] as string;
  const children: SupervisedChild[] = [];
  let publisher: StatusPublisher | undefined;
  const shown = new Set<string>();
  let resolveAllGaveUp!: () => void;
  const allGaveUp = new Promise<void>((r) => (resolveAllGaveUp = r));
  const hooks = {
    output: (child: SupervisedChild, line: string) => {
      const text = renderChildLine(line);
      if (ONCE_PER_DOMAIN.test(line)) {
        const key = `${child.spec.domain}\0${text}`;
        if (shown.has(key)) return;
        shown.add(key);
      }
      opts.say(`[${child.name}] ${text}`);
    },
    notice: (line: string) => opts.say(line),
    changed: () => {
      publisher?.publish();
      if (children.every((c) => c.state === 'gave-up')) resolveAllGaveUp();
    },
  };
  const launch = (spec: Omit<ChildSpec, 'env' | 'argv'>, args: string[], serviceEnv: NodeJS.ProcessEnv, nodeArgs: string[] = []) => {
    children.push(new SupervisedChild({ ...spec, argv: [...process.execArgv, ...nodeArgs, entry, ...args], env: serviceEnv }, hooks));
  };

  launch({ name: 'coordinator', role: 'coordinator' }, ['coordinator'], { ...env, PORT: String(opts.port), HOST: opts.host });
  for (const domain of domains) {
    for (let r = 1; r <= opts.replicas; r++) {
      launch({ name: `${domain}#${r}`, role: 'shard', domain }, ['shard'], { ...shardEnvs.get(domain), SHARD_DOMAIN: domain, METRICS_PORT: '0', HOST: '127.0.0.1' }, shardNodeArgs());
    }
  }

  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      await publisher?.stop();
      await Promise.all(children.map((c) => c.stop()));
      await privateRedis?.stop();
    })();
    return stopped;
  };

  const host = opts.host === '0.0.0.0' ? '127.0.0.1' : opts.host;
  const url = `http://${host}:${opts.port}`;
  const early = Promise.race(children.map((c) => c.startupExit.then((e) => ({ name: c.name, ...e })))).then((e) => {
    const how = e.signal ? `killed by ${e.signal}` : `code ${e.code}`;
    throw new Error(`${e.name} exited during start-up (${how}):\n${e.tail.slice(-10).join('\n')}`);
  });
  try {
    await Promise.race([waitForFleet(url, domains, opts.replicas, readVar(env, 'MEMFLEET_API_TOKEN')), early]);
  } catch (err) {
    await stop();
    throw err;
  }
  early.catch(() => undefined);

  for (const c of children) c.supervise();
  publisher = new StatusPublisher(redisUrl, env.MEMFLEET_PREFIX ?? 'memfleet', () => children);
  publisher.start();

  return { url, domains, skipped, children, stop, allGaveUp };
}

/**
 * The Redis `up` was pointed at: REDIS_CLUSTER_NODES (which wins, as in every service's
 * config; a REDIS_URL beside it lends credentials and TLS), else REDIS_URL, else undefined.
 */
export function redisUrlFromEnv(env: NodeJS.ProcessEnv): string | undefined {
  const nodes = env.REDIS_CLUSTER_NODES?.trim();
  if (nodes) {
    try {
      return clusterUrlFromNodes(nodes, env.REDIS_URL);
    } catch (err) {
      throw new Error(`REDIS_CLUSTER_NODES: ${err instanceof Error ? err.message : String(err)}; expected host:port,host:port (the cluster's nodes, any subset)`);
    }
  }
  return env.REDIS_URL || undefined;
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
