/**
 * Settings every memfleet service shares: Redis, key prefix, envelope tolerance,
 * logging. Keys are per service (shared/config/keys.ts): the coordinator reads
 * the masters, a shard only its domain's derived keys.
 */
import { z } from 'zod';
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
  ENVELOPE_TOLERANCE_SEC: envField.int(300, 1, 3600),
  LOG_LEVEL: envField.logLevel(),
});

export interface CommonConfig {
  /** One Redis (redis://, rediss://) or a Redis Cluster (redis+cluster://host:port,…; from REDIS_CLUSTER_NODES too). */
  redisUrl: string;
  /** Prefix of every Redis key memfleet writes (BullMQ queues included). */
  prefix: string;
  envelopeToleranceSec: number;
  logLevel: string;
}

export function parseCommonConfig(env: Env): CommonConfig {
  const raw = parseEnv(CommonSchema, env, COMMON_VARS);
  return {
    // REDIS_CLUSTER_NODES wins; a REDIS_URL set beside it lends its credentials and TLS.
    redisUrl: raw.REDIS_CLUSTER_NODES ? clusterUrlFromNodes(raw.REDIS_CLUSTER_NODES, env.REDIS_URL) : raw.REDIS_URL,
    prefix: raw.MEMFLEET_PREFIX,
    envelopeToleranceSec: raw.ENVELOPE_TOLERANCE_SEC,
    logLevel: raw.LOG_LEVEL,
  };
}
