/** Coordinator configuration: environment variables (CLI flags are mapped onto them). */
import { z } from 'zod';
import { parseCommonConfig, type CommonConfig } from '../../shared/config/common.js';
import { envField, parseEnv, type Env } from '../../shared/config/env.js';
import { ConfigError } from '../../shared/config/errors.js';

const COORDINATOR_VARS = [
  'PORT',
  'HOST',
  'MEMFLEET_API_TOKEN',
  'QUERY_TIMEOUT_MS',
  'MAX_QUERY_TIMEOUT_MS',
  'QUERY_TTL_SEC',
  'DEFAULT_TOP_K',
  'MAX_BODY_BYTES',
  'HEARTBEAT_TTL_MS',
] as const;

const CoordinatorSchema = z.object({
  PORT: envField.int(8080, 0, 65_535),
  HOST: envField.str('127.0.0.1'),
  MEMFLEET_API_TOKEN: envField.optionalStr(),
  QUERY_TIMEOUT_MS: envField.int(10_000, 50, 600_000),
  MAX_QUERY_TIMEOUT_MS: envField.int(60_000, 50, 3_600_000),
  QUERY_TTL_SEC: envField.int(86_400, 10, 30 * 86_400),
  DEFAULT_TOP_K: envField.int(5, 1, 50),
  MAX_BODY_BYTES: envField.int(65_536, 1_024, 10_485_760),
  HEARTBEAT_TTL_MS: envField.int(6_000, 300, 300_000),
});

export interface CoordinatorConfig extends CommonConfig {
  port: number;
  host: string;
  /** When set, every /v1 route needs `Authorization: Bearer <token>`. */
  apiToken: string | undefined;
  defaultTimeoutMs: number;
  maxTimeoutMs: number;
  queryTtlSec: number;
  defaultTopK: number;
  maxBodyBytes: number;
  heartbeatTtlMs: number;
}

export function parseCoordinatorConfig(env: Env): CoordinatorConfig {
  const common = parseCommonConfig(env);
  const raw = parseEnv(CoordinatorSchema, env, COORDINATOR_VARS);
  if (raw.MEMFLEET_API_TOKEN !== undefined && raw.MEMFLEET_API_TOKEN.length < 16) {
    throw new ConfigError('MEMFLEET_API_TOKEN is shorter than 16 characters: use a long random token, e.g. openssl rand -hex 32.');
  }
  if (raw.QUERY_TIMEOUT_MS > raw.MAX_QUERY_TIMEOUT_MS) {
    throw new ConfigError(`QUERY_TIMEOUT_MS (${raw.QUERY_TIMEOUT_MS}) is above MAX_QUERY_TIMEOUT_MS (${raw.MAX_QUERY_TIMEOUT_MS}): lower one or raise the other.`);
  }
  return {
    ...common,
    port: raw.PORT,
    host: raw.HOST,
    apiToken: raw.MEMFLEET_API_TOKEN,
    defaultTimeoutMs: raw.QUERY_TIMEOUT_MS,
    maxTimeoutMs: raw.MAX_QUERY_TIMEOUT_MS,
    queryTtlSec: raw.QUERY_TTL_SEC,
    defaultTopK: raw.DEFAULT_TOP_K,
    maxBodyBytes: raw.MAX_BODY_BYTES,
    heartbeatTtlMs: raw.HEARTBEAT_TTL_MS,
  };
}
