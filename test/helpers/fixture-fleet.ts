/**
 * A whole fixture fleet for interface tests: a private Redis, a coordinator
 * and one shard process per fixture domain, all from dist/. `stop()` is safe
 * to call from `after()` whatever state `start` reached.
 */
import { startRedis, type RedisHandle } from './redis-server.js';
import {
  newKeys,
  startCoordinatorProcess,
  startShardProcess,
  waitForShards,
  type CoordinatorProcess,
  type FleetKeys,
  type ServiceProcess,
} from './fleet-processes.js';

export const FIXTURE_DOMAINS = ['harbor', 'kitchen', 'observatory'] as const;

export interface FixtureFleet {
  redis: RedisHandle;
  keys: FleetKeys;
  /** Environment every service of this fleet shares (Redis, prefix, keys, fast heartbeats). */
  env: NodeJS.ProcessEnv;
  coordinator: CoordinatorProcess;
  shards: Map<string, ServiceProcess>;
  /** Starts one more shard process and waits until the coordinator sees it. */
  addShard(domain: string): Promise<ServiceProcess>;
  stop(): Promise<void>;
}

export interface FixtureFleetOptions {
  domains?: readonly string[];
  /** Extra environment for the coordinator only (e.g. MEMFLEET_API_TOKEN). */
  coordinatorEnv?: NodeJS.ProcessEnv;
  /** The API token the helper needs to poll /v1/shards, when the coordinator has one. */
  token?: string;
}

export async function startFixtureFleet(opts: FixtureFleetOptions = {}): Promise<FixtureFleet> {
  const shards = new Map<string, ServiceProcess>();
  let redis: RedisHandle | undefined;
  let coordinator: CoordinatorProcess | undefined;
  const stop = async () => {
    await Promise.all([...shards.values()].map((s) => s.stop()));
    await coordinator?.stop();
    await redis?.stop();
  };
  try {
    redis = await startRedis();
    const keys = newKeys();
    const env: NodeJS.ProcessEnv = { REDIS_URL: redis.url, MEMFLEET_PREFIX: redis.prefix, ...keys, HEARTBEAT_INTERVAL_MS: '500', HEARTBEAT_TTL_MS: '3000' };
    coordinator = await startCoordinatorProcess({ ...env, QUERY_TIMEOUT_MS: '8000', ...opts.coordinatorEnv });
    const coord = coordinator;
    const addShard = async (domain: string) => {
      const proc = await startShardProcess(domain, env);
      shards.set(domain, proc);
      await waitForShards(coord.url, { [domain]: 1 }, opts.token);
      return proc;
    };
    for (const domain of opts.domains ?? FIXTURE_DOMAINS) shards.set(domain, await startShardProcess(domain, env));
    await waitForShards(coord.url, Object.fromEntries([...shards.keys()].map((d) => [d, 1])), opts.token);
    return { redis, keys, env, coordinator: coord, shards, addShard, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
