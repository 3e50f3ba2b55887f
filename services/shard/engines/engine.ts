/** What every shard engine (lexical, anthropic, noop) provides. */
import type { DomainTerms } from '../../../shared/fleet/manifest.js';
import type { Citation, EngineName, Turn, Usage } from '../../../shared/queues/schemas.js';

export interface EngineQuestion {
  question: string;
  topK: number;
  conversation: Turn[];
}

export interface EngineAnswer {
  /** Extractive or generated answer; empty findings say so in words. */
  answer: string;
  /** Best first; every citation points at real lines of the domain. */
  citations: Citation[];
  usage: Usage;
}

export interface Engine {
  readonly name: EngineName;
  answer(question: EngineQuestion, signal?: AbortSignal): Promise<EngineAnswer>;
  /** Most characteristic terms of the domain, for the manifest (routing). */
  topTerms(limit: number): string[];
  /** Per-term window counts for routed mode (services/coordinator/domain/routing); engines without an index leave it out. */
  domainTerms?(): DomainTerms;
}
