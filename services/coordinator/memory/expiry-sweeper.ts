/**
 * Forgets written sources whose ttl has passed: a signed tombstone for each,
 * so the domain's version moves on and every replica drops the source as
 * after a DELETE. Replicas already stop citing an expired source at answer
 * time (services/shard/memory/written-state.ts); the sweep makes it final in
 * Redis (budget, listings, versions). Several coordinators may sweep at once:
 * each tombstone is conditional on the expired version, so one wins and the
 * others change nothing.
 */
import type { Logger } from '../../../shared/log/logger.js';
import type { ShardDirectory } from '../fanout/shard-directory.js';
import type { SourceWriter } from './source-writer.js';

export class ExpirySweeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    private readonly directory: ShardDirectory,
    private readonly writer: SourceWriter,
    private readonly intervalMs: number,
    private readonly log: Logger,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.running ??= this.sweep()
        .catch((err: unknown) => this.log.debug({ err }, 'expiry sweep failed (Redis unreachable?); will retry'))
        .finally(() => (this.running = undefined));
    }, this.intervalMs);
    this.timer.unref();
  }

  /** One pass over every domain seen recently; returns how many sources were forgotten. */
  async sweep(): Promise<number> {
    const { live, known } = await this.directory.snapshot();
    let n = 0;
    for (const shard of new Set([...known, ...live.map((s) => s.shard)])) n += await this.writer.expire(shard);
    if (n > 0) this.log.info({ expired: n }, 'expired written sources forgotten');
    return n;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
