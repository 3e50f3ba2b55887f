/** Coordinator configuration: environment variables (CLI flags are mapped onto them). */
import { z } from 'zod';
import { parseCommonConfig, type CommonConfig } from '../../shared/config/common.js';
import { envField, parseEnv, type Env } from '../../shared/config/env.js';
import { ConfigError } from '../../shared/config/errors.js';
import { parseAllowedHosts, type AllowedHosts } from './http/allowed-hosts.js';
import { parseTrustProxy, type TrustProxy } from './http/trust-proxy.js';
import { DEFAULT_HIGH_SCORE, DEFAULT_MIN_SCORE } from './domain/merge.js';
import { DEFAULT_MAX_SOURCE_BYTES, MAX_SOURCE_BYTES_LIMIT } from '../../shared/memory/record.js';
import { parseSynthesisConfig, type SynthesisConfig } from './domain/synthesis/synthesis-config.js';
import { DEFAULT_EVENTS_MAX_LEN, DEFAULT_KEEP_COMPLETED_JOBS, queueRetention, type QueueRetention } from '../../shared/queues/queue-retention.js';

/**
 * Queries per minute per client address unless RATE_LIMIT_PER_MIN says otherwise: ten a second,
 * far above what a person or an agent asks, low enough that one client cannot monopolise the
 * shards' engines. Benchmarks and the evaluation set their own (0).
 */
export const DEFAULT_RATE_LIMIT_PER_MIN = 600;

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
  'MIN_SCORE',
  'HIGH_SCORE',
  'QUEUE_DASHBOARD',
  'RATE_LIMIT_PER_MIN',
  'ALLOWED_HOSTS',
  'TRUST_PROXY',
  'STALE_JOB_SEC',
  'QUEUE_SWEEP_INTERVAL_MS',
  'MAX_SOURCE_BYTES',
  'MEMORY_SWEEP_INTERVAL_MS',
  'QUEUE_EVENTS_MAX_LEN',
  'KEEP_COMPLETED_JOBS',
] as const;

/** A citation-score threshold (0–1) from the environment. */
function scoreField(fallback: number) {
  return z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined) return fallback;
      const n = Number(v);
      if (v.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) {
        ctx.addIssue({ code: 'custom', message: `expected a number between 0 and 1 (a citation score), got "${v}"` });
        return z.NEVER;
      }
      return n;
    });
}

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
  MIN_SCORE: scoreField(DEFAULT_MIN_SCORE),
  HIGH_SCORE: scoreField(DEFAULT_HIGH_SCORE),
  QUEUE_DASHBOARD: z
    .enum(['readonly', 'readwrite', 'off'], { error: 'expected "readonly" (default), "readwrite" or "off"' })
    .optional()
    .transform((v) => v ?? 'readonly'),
  RATE_LIMIT_PER_MIN: envField.int(DEFAULT_RATE_LIMIT_PER_MIN, 0, 1_000_000),
  ALLOWED_HOSTS: z
    .string()
    .optional()
    .transform((v, ctx) => {
      const parsed = parseAllowedHosts(v);
      if (parsed !== undefined && 'error' in parsed) {
        ctx.addIssue({ code: 'custom', message: parsed.error });
        return z.NEVER;
      }
      return parsed;
    }),
  TRUST_PROXY: z
    .string()
    .optional()
    .transform((v, ctx) => {
      const parsed = parseTrustProxy(v);
      if (typeof parsed === 'object' && !Array.isArray(parsed)) {
        ctx.addIssue({ code: 'custom', message: parsed.error });
        return z.NEVER;
      }
      return parsed;
    }),
  STALE_JOB_SEC: envField.int(-1, 0, 30 * 86_400),
  QUEUE_SWEEP_INTERVAL_MS: envField.int(30_000, 100, 3_600_000),
  MAX_SOURCE_BYTES: envField.int(DEFAULT_MAX_SOURCE_BYTES, 1_024, MAX_SOURCE_BYTES_LIMIT),
  MEMORY_SWEEP_INTERVAL_MS: envField.int(1_000, 100, 3_600_000),
  QUEUE_EVENTS_MAX_LEN: envField.int(DEFAULT_EVENTS_MAX_LEN, 0, 1_000_000),
  KEEP_COMPLETED_JOBS: envField.int(DEFAULT_KEEP_COMPLETED_JOBS, 1, 1_000_000),
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
  /** When no citation scores this much the answer is "nothing found", confidence none (calibrated in docs/quality.md). */
  minScore: number;
  /** Answers and citations scoring at least this are confidence `high`, the others `low` (calibrated in docs/quality.md). */
  highScore: number;
  /** bull-board at /admin/queues: read-only by default; see docs/interfaces.md. */
  queueDashboard: 'readonly' | 'readwrite' | 'off';
  /** Queries per minute one client address may send to /v1/query; 0 = no limit. See docs/reliability.md. */
  rateLimitPerMin: number;
  /**
   * Host names the guarded routes (/v1, /admin) answer to besides loopback (ALLOWED_HOSTS). Checked when
   * no API token is set (it stands in for the token against DNS rebinding), and with a token when set.
   */
  allowedHosts: AllowedHosts | undefined;
  /** Fastify's trustProxy: which peers' X-Forwarded-* headers count (TRUST_PROXY). */
  trustProxy: TrustProxy;
  /** Unfinished shard jobs older than this are removed from the queues (a domain that never comes back); 0 = never. */
  staleJobSec: number;
  /** How often the queues are swept for stale jobs. */
  queueSweepIntervalMs: number;
  /** Largest written source in UTF-8 bytes (PUT /v1/shards/{shard}/sources/{source}); larger bodies get 413. */
  maxSourceBytes: number;
  /** How often expired written sources are swept (a signed tombstone each, so the version says they are gone). */
  memorySweepIntervalMs: number;
  /** What Redis keeps of finished shard jobs and their events (QUEUE_EVENTS_MAX_LEN, KEEP_COMPLETED_JOBS; docs/reliability.md). */
  retention: QueueRetention;
  /** Claude synthesis of the merged answer (SYNTHESIS, SYNTH_MODEL; see docs/claude.md). */
  synthesis?: SynthesisConfig;
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
  // Unset: twice the longest deadline, at least 2 minutes. A sweep must never remove a job a query still waits for.
  const staleJobSec = raw.STALE_JOB_SEC === -1 ? Math.max(120, Math.ceil((2 * raw.MAX_QUERY_TIMEOUT_MS) / 1000)) : raw.STALE_JOB_SEC;
  if (raw.STALE_JOB_SEC > 0 && raw.STALE_JOB_SEC * 1000 < raw.MAX_QUERY_TIMEOUT_MS) {
    throw new ConfigError(
      `STALE_JOB_SEC (${raw.STALE_JOB_SEC}) is shorter than MAX_QUERY_TIMEOUT_MS (${raw.MAX_QUERY_TIMEOUT_MS} ms): jobs still awaited would be removed; raise STALE_JOB_SEC or set it to 0 to never sweep.`,
    );
  }
  if (raw.HIGH_SCORE < raw.MIN_SCORE) {
    throw new ConfigError(`HIGH_SCORE (${raw.HIGH_SCORE}) is below MIN_SCORE (${raw.MIN_SCORE}): an answer cannot be high confidence and "nothing found" at once; raise HIGH_SCORE or lower MIN_SCORE.`);
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
    minScore: raw.MIN_SCORE,
    highScore: raw.HIGH_SCORE,
    queueDashboard: raw.QUEUE_DASHBOARD,
    rateLimitPerMin: raw.RATE_LIMIT_PER_MIN,
    allowedHosts: raw.ALLOWED_HOSTS,
    trustProxy: raw.TRUST_PROXY,
    staleJobSec,
    queueSweepIntervalMs: raw.QUEUE_SWEEP_INTERVAL_MS,
    maxSourceBytes: raw.MAX_SOURCE_BYTES,
    memorySweepIntervalMs: raw.MEMORY_SWEEP_INTERVAL_MS,
    retention: queueRetention({ maxTimeoutMs: raw.MAX_QUERY_TIMEOUT_MS, eventsMaxLen: raw.QUEUE_EVENTS_MAX_LEN, keepCompletedJobs: raw.KEEP_COMPLETED_JOBS }),
    synthesis: parseSynthesisConfig(env),
  };
}
