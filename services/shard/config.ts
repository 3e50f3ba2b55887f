/** Shard configuration: environment variables (CLI flags are mapped onto them). */
import { hostname } from 'node:os';
import { z } from 'zod';
import { parseCommonConfig, type CommonConfig } from '../../shared/config/common.js';
import { envField, parseEnv, type Env } from '../../shared/config/env.js';
import { DOMAIN_PATTERN } from '../../shared/queues/names.js';
import { ConfigError } from '../../shared/config/errors.js';
import { modelIdField, parseLlmSettings, withApiKey, type LlmSettings } from '../../shared/llm/llm-settings.js';

const SHARD_VARS = [
  'SHARD_DOMAIN',
  'CONTEXTS_DIR',
  'ENGINE',
  'MAX_DOMAIN_TOKENS',
  'METRICS_PORT',
  'HOST',
  'SHARD_CONCURRENCY',
  'HEARTBEAT_INTERVAL_MS',
  'HEARTBEAT_TTL_MS',
  'LOCK_DURATION_MS',
  'STALLED_INTERVAL_MS',
  'MAX_STALLED_COUNT',
  'REPLICA_ID',
  'SHARD_MODEL',
  'CLAUDE_WARMUP',
  'CLAUDE_WARMUP_TIMEOUT_MS',
  'CLAUDE_WARMUP_CONCURRENCY',
  'FOLLOW_EXTERNAL_SYMLINKS',
] as const;

const ShardSchema = z.object({
  SHARD_DOMAIN: envField
    .required('the domain this shard serves, e.g. SHARD_DOMAIN=moby-dick-1 (or --domain)')
    .pipe(z.string().regex(DOMAIN_PATTERN, 'expected lowercase letters, digits and dashes, e.g. "moby-dick-1"')),
  CONTEXTS_DIR: envField.required('the folder that holds one sub-folder per domain (or --contexts)'),
  ENGINE: z
    .enum(['lexical', 'anthropic', 'noop'], { error: 'expected "lexical" (offline), "anthropic" (Claude) or "noop" (benchmarks only)' })
    .optional()
    .transform((v) => v ?? 'lexical'),
  MAX_DOMAIN_TOKENS: envField.int(200_000, 1_000, 10_000_000),
  METRICS_PORT: envField.int(9464, 0, 65_535),
  HOST: envField.str('127.0.0.1'),
  SHARD_CONCURRENCY: envField.int(8, 1, 256),
  HEARTBEAT_INTERVAL_MS: envField.int(2_000, 100, 60_000),
  HEARTBEAT_TTL_MS: envField.int(6_000, 300, 300_000),
  LOCK_DURATION_MS: envField.int(5_000, 1_000, 600_000),
  STALLED_INTERVAL_MS: envField.int(2_000, 500, 600_000),
  MAX_STALLED_COUNT: envField.int(2, 0, 100),
  REPLICA_ID: envField.optionalStr(),
  SHARD_MODEL: modelIdField('claude-haiku-5-5'),
  CLAUDE_WARMUP: z
    .enum(['on', 'off'], { error: 'expected "on" (default: write the cached prefix before taking questions) or "off"' })
    .optional()
    .transform((v) => v ?? 'on'),
  CLAUDE_WARMUP_TIMEOUT_MS: envField.int(60_000, 1_000, 600_000),
  CLAUDE_WARMUP_CONCURRENCY: envField.int(2, 1, 64),
  FOLLOW_EXTERNAL_SYMLINKS: z
    .enum(['true', 'false'], { error: 'expected "true" (serve files that links in the domain folder point at outside it) or "false" (skip them, the default)' })
    .optional()
    .transform((v) => v === 'true'),
});

export interface ShardConfig extends CommonConfig {
  domain: string;
  contextsDir: string;
  engine: 'lexical' | 'anthropic' | 'noop';
  maxDomainTokens: number;
  /** 0 picks a free port (local fleets with several replicas on one host). */
  metricsPort: number;
  host: string;
  concurrency: number;
  heartbeatIntervalMs: number;
  heartbeatTtlMs: number;
  /** How long a replica owns an active job without renewing its lock (see docs/reliability.md). */
  lockDurationMs: number;
  stalledIntervalMs: number;
  maxStalledCount: number;
  /** Serve files that symbolic links in the domain folder point at outside it (FOLLOW_EXTERNAL_SYMLINKS; off by default). */
  followExternalSymlinks: boolean;
  replica: string;
  /** Claude settings, present only with ENGINE=anthropic (see docs/claude.md). */
  anthropic?: { settings: LlmSettings & { apiKey: string }; model: string; warmup: WarmupConfig } | undefined;
}

/** Cache warm-up of a Claude shard (services/shard/worker/prewarm.ts). */
export interface WarmupConfig {
  /** CLAUDE_WARMUP=on: write the cached prefix before taking questions. @defaultValue true */
  enabled: boolean;
  /** CLAUDE_WARMUP_TIMEOUT_MS: take questions anyway (with a warning) after this long. @defaultValue 60000 */
  timeoutMs: number;
  /** CLAUDE_WARMUP_CONCURRENCY: warm-up calls in flight across the whole fleet (one Redis prefix). @defaultValue 2 */
  concurrency: number;
}

export function parseShardConfig(env: Env): ShardConfig {
  const common = parseCommonConfig(env);
  const raw = parseEnv(ShardSchema, env, SHARD_VARS);
  return {
    ...common,
    domain: raw.SHARD_DOMAIN,
    contextsDir: raw.CONTEXTS_DIR,
    engine: raw.ENGINE,
    maxDomainTokens: raw.MAX_DOMAIN_TOKENS,
    metricsPort: raw.METRICS_PORT,
    host: raw.HOST,
    concurrency: raw.SHARD_CONCURRENCY,
    heartbeatIntervalMs: raw.HEARTBEAT_INTERVAL_MS,
    heartbeatTtlMs: raw.HEARTBEAT_TTL_MS,
    lockDurationMs: raw.LOCK_DURATION_MS,
    stalledIntervalMs: raw.STALLED_INTERVAL_MS,
    maxStalledCount: raw.MAX_STALLED_COUNT,
    followExternalSymlinks: raw.FOLLOW_EXTERNAL_SYMLINKS,
    replica: raw.REPLICA_ID ?? `${hostname()}-${process.pid}`,
    anthropic:
      raw.ENGINE === 'anthropic'
        ? {
            ...anthropicSettings(env, raw.SHARD_MODEL),
            warmup: { enabled: raw.CLAUDE_WARMUP === 'on', timeoutMs: raw.CLAUDE_WARMUP_TIMEOUT_MS, concurrency: raw.CLAUDE_WARMUP_CONCURRENCY },
          }
        : undefined,
  };
}

/** ENGINE=anthropic without a key is a start-up error, not a failure on the first question. */
function anthropicSettings(env: Env, model: string): Omit<NonNullable<ShardConfig['anthropic']>, 'warmup'> {
  const settings = parseLlmSettings(env);
  if (settings.apiKey === undefined) {
    throw new ConfigError(
      'ENGINE=anthropic needs ANTHROPIC_API_KEY (or ANTHROPIC_API_KEY_FILE pointing at a file that holds it): set it, or run ENGINE=lexical for the offline engine.',
    );
  }
  return { settings: withApiKey(settings, settings.apiKey), model };
}
