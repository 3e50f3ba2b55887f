/** Picks the engine named by ENGINE and builds it over the loaded domain. */
import { ConfigError } from '../../../shared/config/errors.js';
import type { DomainContext } from '../context/domain-context.js';
import type { Engine } from './engine.js';
import { LexicalEngine } from './lexical/lexical-engine.js';
import { NoopEngine } from './noop/noop-engine.js';

export async function createEngine(name: 'lexical' | 'anthropic' | 'noop', ctx: DomainContext): Promise<Engine> {
  switch (name) {
    case 'lexical':
      return LexicalEngine.build(ctx);
    case 'noop':
      return new NoopEngine(ctx);
    case 'anthropic':
      throw new ConfigError('ENGINE=anthropic is not available in this build yet: use ENGINE=lexical.');
  }
}
