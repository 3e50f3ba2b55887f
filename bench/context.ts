/** What every scenario gets: where Redis is, the fleet's environment, the settings, and a place to say what it does. */
import type { BenchSettings } from './settings.js';

export interface BenchContext {
  settings: BenchSettings;
  redisUrl: string;
  redisPid: number;
  /** REDIS_URL, MEMFLEET_PREFIX (unique per run), both keyrings, LOG_LEVEL: the environment of every memfleet process. */
  fleetEnv: {
    REDIS_URL: string;
    MEMFLEET_PREFIX: string;
    MEMFLEET_HMAC_KEYS: string;
    MEMFLEET_SHARD_HMAC_KEYS: string;
    LOG_LEVEL: string;
  };
  demoContexts: string;
  /** Node flags for memfleet processes (e.g. --cpu-prof when profiling). */
  nodeFlags: string[];
  /** Progress lines (stderr), so stdout holds only the report. */
  say(line: string): void;
}
