/** Picks the engine named by ENGINE and builds it over the loaded domain. */
import { ConfigError } from '../../../shared/config/errors.js';
import type { Logger } from '../../../shared/log/logger.js';
import type { FleetMetrics } from '../../../shared/metrics/registry.js';
import type { ShardConfig } from '../config.js';
import type { DomainContext } from '../domain/domain-context.js';
import type { Engine } from './engine.js';
import { LexicalEngine } from './lexical/lexical-engine.js';
import { NoopEngine } from './noop/noop-engine.js';

/** What engines beyond the offline ones need: settings, counters, a logger. */
export interface EngineDeps {
  anthropic?: ShardConfig['anthropic'];
  metrics: FleetMetrics;
  log: Logger;
}

const TOP_TERMS_KEPT = 1_000;

export async function createEngine(name: 'lexical' | 'anthropic' | 'noop', ctx: DomainContext, deps?: EngineDeps): Promise<Engine> {
  switch (name) {
    case 'lexical':
      return LexicalEngine.build(ctx);
    case 'noop':
      return new NoopEngine(ctx);
    case 'anthropic': {
      if (!deps?.anthropic) {
        throw new ConfigError('ENGINE=anthropic needs ANTHROPIC_API_KEY (or ANTHROPIC_API_KEY_FILE): set it, or run ENGINE=lexical for the offline engine.');
      }
      // The manifest's top terms (used for routing) come from the vocabulary the lexical
      // engine builds; only the ranked terms are kept, not the index.
      const terms = LexicalEngine.build(ctx).topTerms(TOP_TERMS_KEPT);
      // Loaded only when asked for: the SDK would add ~0.2 s to every offline shard's start-up (docs/performance.md).
      const { AnthropicEngine } = await import('./anthropic/anthropic-engine.js');
      return AnthropicEngine.create({
        ctx,
        settings: deps.anthropic.settings,
        model: deps.anthropic.model,
        metrics: deps.metrics,
        log: deps.log,
        topTerms: (limit) => terms.slice(0, limit),
      });
    }
  }
}
