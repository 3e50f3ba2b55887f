/**
 * Settings every memfleet service shares: Redis, key prefix, envelope tolerance,
 * logging. Keys are per service (shared/config/keys.ts): the coordinator reads
 * the masters, a shard only its domain's derived keys.
 */
import { z } from 'zod';
import { envField, parseEnv, type Env } from './env.js';

export const COMMON_VARS = [
  'REDIS_URL',
  'MEMFLEET_PREFIX',
  'ENVELOPE_TOLERANCE_SEC',
  'LOG_LEVEL',
] as const;

const CommonSchema = z.object({
  REDIS_URL: envField.str('redis://127.0.0.1:6379').pipe(
    z.string().regex(/^rediss?:\/\//, 'expected a redis:// or rediss:// URL, e.g. redis://:password@host:6379/0'),
  ),
  MEMFLEET_PREFIX: envField
    .str('memfleet')
    .pipe(z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, 'expected 1-40 letters, digits, "_" or "-"')),
  ENVELOPE_TOLERANCE_SEC: envField.int(300, 1, 3600),
  LOG_LEVEL: envField.logLevel(),
});

export interface CommonConfig {
  redisUrl: string;
  /** Prefix of every Redis key memfleet writes (BullMQ queues included). */
  prefix: string;
  envelopeToleranceSec: number;
  logLevel: string;
}

export function parseCommonConfig(env: Env): CommonConfig {
  const raw = parseEnv(CommonSchema, env, COMMON_VARS);
  return {
    redisUrl: raw.REDIS_URL,
    prefix: raw.MEMFLEET_PREFIX,
    envelopeToleranceSec: raw.ENVELOPE_TOLERANCE_SEC,
    logLevel: raw.LOG_LEVEL,
  };
}
