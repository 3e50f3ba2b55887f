/** Settings every memfleet service shares: Redis, key prefix, envelope keys, logging. */
import { z } from 'zod';
import { parseKeyring, type Keyring } from '../envelope/keyring.js';
import { envField, parseEnv, type Env } from './env.js';
import { ConfigError } from './errors.js';
import { clusterUrlFromNodes, isClusterUrl, parseClusterUrl, parseNodeList } from '../redis/cluster-url.js';

function clusterUrlIssue(url: string, ctx: z.RefinementCtx): void {
  if (!isClusterUrl(url)) return;
  try {
    parseClusterUrl(url);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: err instanceof Error ? err.message : String(err) });
  }
}

function nodeListIssue(list: string | undefined, ctx: z.RefinementCtx): void {
  if (list === undefined) return;
  try {
    parseNodeList(list);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: `${err instanceof Error ? err.message : String(err)}; expected host:port,host:port (the cluster's nodes, any subset)` });
  }
}

export const COMMON_VARS = [
  'REDIS_URL',
  'REDIS_CLUSTER_NODES',
  'MEMFLEET_PREFIX',
  'MEMFLEET_HMAC_KEYS',
  'MEMFLEET_SHARD_HMAC_KEYS',
  'ENVELOPE_TOLERANCE_SEC',
  'LOG_LEVEL',
] as const;

const CommonSchema = z.object({
  REDIS_URL: envField.str('redis://127.0.0.1:6379').pipe(
    z
      .string()
      .regex(
        /^rediss?(\+cluster)?:\/\//,
        'expected a redis:// or rediss:// URL, e.g. redis://:password@host:6379/0, or redis+cluster://host:port,host:port for a Redis Cluster',
      )
      .superRefine(clusterUrlIssue),
  ),
  REDIS_CLUSTER_NODES: z.string().optional().superRefine(nodeListIssue),
  MEMFLEET_PREFIX: envField
    .str('memfleet')
    .pipe(z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, 'expected 1-40 letters, digits, "_" or "-"')),
  MEMFLEET_HMAC_KEYS: z.string().optional(),
  MEMFLEET_SHARD_HMAC_KEYS: z.string().optional(),
  ENVELOPE_TOLERANCE_SEC: envField.int(300, 1, 3600),
  LOG_LEVEL: envField.logLevel(),
});

export interface CommonConfig {
  /** One Redis (redis://, rediss://) or a Redis Cluster (redis+cluster://host:port,…; from REDIS_CLUSTER_NODES too). */
  redisUrl: string;
  /** Prefix of every Redis key memfleet writes (BullMQ queues included). */
  prefix: string;
  /** Signs queries (coordinator) / verifies them (shards). */
  queryKeys: Keyring;
  /** Signs results (shards) / verifies them (coordinator). */
  resultKeys: Keyring;
  envelopeToleranceSec: number;
  logLevel: string;
}

const KEY_HINT = 'set it to "kid:secret" with a secret of at least 32 bytes (e.g. k1:$(openssl rand -base64 48)), or point MEMFLEET_HMAC_KEYS_FILE at a file holding it';

export function parseCommonConfig(env: Env): CommonConfig {
  const raw = parseEnv(CommonSchema, env, COMMON_VARS);
  if (!raw.MEMFLEET_HMAC_KEYS) {
    throw new ConfigError(`MEMFLEET_HMAC_KEYS is not set: the coordinator signs queries with it and shards verify them; ${KEY_HINT}.`);
  }
  if (!raw.MEMFLEET_SHARD_HMAC_KEYS) {
    throw new ConfigError(
      `MEMFLEET_SHARD_HMAC_KEYS is not set: shards sign results with it and the coordinator verifies them; ${KEY_HINT.replace('MEMFLEET_HMAC_KEYS_FILE', 'MEMFLEET_SHARD_HMAC_KEYS_FILE')}.`,
    );
  }
  const queryKeys = keyringOrConfigError(raw.MEMFLEET_HMAC_KEYS, 'MEMFLEET_HMAC_KEYS');
  const resultKeys = keyringOrConfigError(raw.MEMFLEET_SHARD_HMAC_KEYS, 'MEMFLEET_SHARD_HMAC_KEYS');
  for (const [queryKid, querySecret] of queryKeys.keys) {
    for (const [resultKid, resultSecret] of resultKeys.keys) {
      if (querySecret.equals(resultSecret)) {
        throw new ConfigError(
          `MEMFLEET_HMAC_KEYS key "${queryKid}" and MEMFLEET_SHARD_HMAC_KEYS key "${resultKid}" hold the same secret: use different secrets for the two directions, so a shard's result key can never sign a query.`,
        );
      }
    }
  }
  return {
    // REDIS_CLUSTER_NODES wins; a REDIS_URL set beside it lends its credentials and TLS.
    redisUrl: raw.REDIS_CLUSTER_NODES ? clusterUrlFromNodes(raw.REDIS_CLUSTER_NODES, env.REDIS_URL) : raw.REDIS_URL,
    prefix: raw.MEMFLEET_PREFIX,
    queryKeys,
    resultKeys,
    envelopeToleranceSec: raw.ENVELOPE_TOLERANCE_SEC,
    logLevel: raw.LOG_LEVEL,
  };
}

/** Keyring syntax errors are configuration errors: the operator fixes them, not the code. */
function keyringOrConfigError(spec: string, varName: string): Keyring {
  try {
    return parseKeyring(spec, varName);
  } catch (err) {
    throw new ConfigError(err instanceof Error ? err.message : String(err));
  }
}
