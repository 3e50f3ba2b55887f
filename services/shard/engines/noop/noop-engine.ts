/**
 * Benchmark-only engine: answers instantly with one fixed citation, so a
 * benchmark measures the bus (queues, envelopes, merge) and nothing else.
 */
import { EMPTY_USAGE } from '../../../../shared/queues/schemas.js';
import type { DomainContext } from '../../domain/domain-context.js';
import type { Engine, EngineAnswer } from '../engine.js';

export class NoopEngine implements Engine {
  readonly name = 'noop' as const;
  private readonly first: { source: string; text: string };

  constructor(ctx: DomainContext) {
    const source = ctx.sources[0];
    this.first = { source: source?.source ?? 'none', text: source?.lines[0] ?? '' };
  }

  async answer(): Promise<EngineAnswer> {
    return {
      answer: this.first.text,
      citations: [{ source: this.first.source, line: 1, endLine: 1, text: this.first.text, score: 0.5 }],
      usage: { ...EMPTY_USAGE },
    };
  }

  /** Benchmarks measure the bus: written sources are not cited. */
  updateWritten(): void {}

  topTerms(): string[] {
    return [];
  }
}
