/**
 * Keeps the shard queues from filling up with jobs nobody will ever answer.
 *
 * The result waiter already removes a job still waiting at its query's
 * deadline, but three kinds of job escape it: jobs whose coordinator died
 * before the deadline, jobs a crashed replica held when its whole domain went
 * down (they stay "active" because no live worker runs the stalled check), and
 * jobs added by anyone else. Every unfinished job older than `staleJobSec` is
 * past any deadline (config guarantees staleJobSec ≥ MAX_QUERY_TIMEOUT_MS), so
 * removing it loses nothing. Active jobs are removed only once their lock has
 * expired (BullMQ's clean checks it), so a replica still working is never
 * robbed of its job.
 */
import type { Logger } from '../../../shared/log/logger.js';
import type { Dispatcher } from './dispatcher.js';
import type { ShardDirectory } from './shard-directory.js';

/** The unfinished states BullMQ can clean. */
const UNFINISHED = ['wait', 'prioritized', 'delayed', 'active'] as const;
/** Per state and sweep: a backlog larger than this is worked off over several sweeps. */
const BATCH = 1_000;

export interface SweepResult {
  /** Jobs removed, by shard. */
  removed: Record<string, number>;
}

export class StaleJobSweeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    private readonly directory: ShardDirectory,
    private readonly dispatcher: Dispatcher,
    private readonly staleJobSec: number,
    private readonly intervalMs: number,
    private readonly log: Logger,
  ) {}

  start(): void {
    if (this.staleJobSec <= 0 || this.timer) return;
    this.timer = setInterval(() => {
      // One sweep at a time: a slow Redis must not stack sweeps up.
      this.running ??= this.sweep()
        .catch((err: unknown) => this.log.debug({ err }, 'stale job sweep failed (Redis unreachable?); will retry'))
        .finally(() => (this.running = undefined));
    }, this.intervalMs);
    this.timer.unref();
  }

  /** One pass over every queue this coordinator knows. Exposed for tests and for stop(). */
  async sweep(): Promise<SweepResult> {
    const { live, known } = await this.directory.snapshot();
    const shards = new Set([...known, ...live.map((s) => s.shard), ...this.dispatcher.knownQueues().map((q) => q.name.replace(/^shard\./, ''))]);
    const cutoffAgeMs = this.staleJobSec * 1000;
    const removed: Record<string, number> = {};
    for (const shard of shards) {
      const queue = this.dispatcher.queue(shard);
      let count = 0;
      for (const state of UNFINISHED) count += (await queue.clean(cutoffAgeMs, BATCH, state)).length;
      if (count > 0) {
        removed[shard] = count;
        this.log.info({ shard, removed: count, olderThanSec: this.staleJobSec }, 'removed stale shard jobs nobody answered');
      }
    }
    return { removed };
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
