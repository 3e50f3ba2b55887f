/** What every shard engine (lexical, anthropic, noop) provides. */
import type { PrefixCost } from '../../../shared/api/shards.js';
import type { DomainTerms } from '../../../shared/fleet/manifest.js';
import type { Citation, EngineName, Turn, Usage } from '../../../shared/queues/schemas.js';
import type { SourceFile } from '../domain/domain-context.js';
import type { FleetTermStats } from '../../../shared/text/fleet-term-stats.js';

export interface EngineQuestion {
  question: string;
  topK: number;
  conversation: Turn[];
  /** Fleet-wide term statistics (the job's `termStats`): engines that weigh terms by IDF use them instead of their own. */
  termStats?: FleetTermStats;
}

export interface EngineAnswer {
  /** Extractive or generated answer; empty findings say so in words. */
  answer: string;
  /** Best first; every citation points at real lines of the domain. */
  citations: Citation[];
  usage: Usage;
}

/** What changed among the domain's written sources (services/shard/memory): replaced sources are in `upserted`. */
export interface WrittenChange {
  upserted: readonly SourceFile[];
  removed: readonly string[];
}

export interface Engine {
  readonly name: EngineName;
  answer(question: EngineQuestion, signal?: AbortSignal): Promise<EngineAnswer>;
  /** Most characteristic terms of the domain, for the manifest (routing). */
  topTerms(limit: number): string[];
  /** Per-term window counts for routed mode (services/coordinator/domain/routing); engines without an index leave it out. */
  domainTerms?(): DomainTerms;
  /** Takes in written sources as they change; the folder part of the engine stays as built. */
  updateWritten(change: WrittenChange): void;
  /** Engines with a cached prompt prefix (Claude): what warms it before questions (services/shard/worker/prewarm.ts). */
  warmTarget?(): WarmTarget;
  /** Engines with a priced prefix (Claude): its tokens and price band, for the manifest and /v1/shards. */
  prefixCost?(): PrefixCost;
}

/** A cached prefix to write before the first question. */
export interface WarmTarget {
  model: string;
  /** SHA-256 (hex prefix) of the cached prefix: the same on every replica of a domain. */
  prefixSha: string;
  cacheTtl: '5m' | '1h';
  /** Whether the prefix is long enough for the API to cache at all (else there is nothing to warm). */
  cacheable: boolean;
  /** The smallest call that writes the cache. */
  warm(signal: AbortSignal): Promise<{ cacheWriteTokens: number; cacheReadTokens: number; costUsd: number }>;
}
