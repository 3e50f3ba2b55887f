/** The coordinator's answer shapes (the HTTP API of docs/api.md). */
import type { Usage } from '../../../shared/queues/schemas.js';
import type { SynthesisInfo } from '../synthesis/synthesizer.js';

export type ShardStatus = 'ok' | 'timeout' | 'error';

export interface MergedCitation {
  shard: string;
  source: string;
  line: number;
  endLine: number;
  text: string;
  score: number;
}

export interface ShardOutcome {
  shard: string;
  status: ShardStatus;
  latencyMs: number;
  error?: string;
  replica?: string;
  /** The domain version the shard answered at (written sources; docs/architecture.md). */
  version?: number;
}

export interface QueryResponse {
  id: string;
  answer: string;
  citations: MergedCitation[];
  shards: ShardOutcome[];
  latencyMs: number;
  /** Shards' usage plus the synthesis call's, when there was one. */
  usage: Usage;
  /** Present when synthesis was asked for: whether the answer is the synthesis, and if not, why. */
  synthesis?: SynthesisInfo;
}

/** One row of GET /v1/shards. */
export interface ShardRow {
  shard: string;
  status: string;
  replicas: number;
  sources: number;
  lines: number;
  tokens: number;
  engine: string;
  lastSeen: string | null;
  /** The domain's version: bumped by every write to its memory; null when Redis did not answer. */
  version?: number | null;
  /** How many of `sources` are written sources (kept in Redis). */
  written?: number;
  /** Jobs waiting (incl. prioritized) and active in the shard's queue; null when Redis did not answer. */
  queue?: { waiting: number; active: number } | null;
  /** Median of the shard's recent query round trips on this coordinator, ms. */
  p50Ms?: number | null;
}
