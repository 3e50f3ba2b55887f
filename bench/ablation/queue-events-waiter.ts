/**
 * Benchmark-only: the coordinator's result waiter as it was before the
 * benchmark (one BullMQ QueueEvents listener per queue), kept unchanged but
 * for its name and import paths so `npm run bench` can show, in the same run,
 * what replacing it with the pub/sub result channel bought
 * (docs/performance.md). memfleet itself does not use it.
 *
 * Its original comment: learns when shard jobs finish. One QueueEvents
 * listener per queue per process (never one per query: BullMQ's
 * many-listeners pitfall), dispatching completions to the waiting query by
 * job id. Every wait has a deadline; when it passes, the job is looked up once
 * directly, so an event missed while a listener was (re)connecting never turns
 * a finished job into a timeout.
 */
import { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { createRedis } from '../../shared/redis/connection.js';
import type { Logger } from '../../shared/log/logger.js';

export type WaitOutcome = { kind: 'completed'; value: unknown } | { kind: 'failed'; reason: string } | { kind: 'timeout'; state: string };

interface Pending {
  resolve: (outcome: WaitOutcome) => void;
  timer: NodeJS.Timeout;
}

export class QueueEventsWaiter {
  private readonly listeners = new Map<string, { events: QueueEvents; connection: Redis; ready: Promise<void> }>();
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly redisUrl: string,
    private readonly prefix: string,
    private readonly log: Logger,
  ) {}

  /** Starts (once) the listener for a queue and resolves when it is connected. */
  listen(queueName: string): Promise<void> {
    const existing = this.listeners.get(queueName);
    if (existing) return existing.ready;
    const connection = createRedis(this.redisUrl, 'blocking', `memfleet-events-${queueName}`);
    connection.on('error', () => undefined);
    const events = new QueueEvents(queueName, { connection, prefix: this.prefix, blockingTimeout: 5_000 });
    events.on('completed', ({ jobId, returnvalue }) => this.settle(jobId, { kind: 'completed', value: parseMaybe(returnvalue) }));
    events.on('failed', ({ jobId, failedReason }) => this.settle(jobId, { kind: 'failed', reason: failedReason }));
    events.on('error', (err) => this.log.debug({ err, queue: queueName }, 'queue events error (reconnecting)'));
    const ready = events.waitUntilReady().then(() => undefined);
    this.listeners.set(queueName, { events, connection, ready });
    return ready;
  }

  /**
   * Registers interest in a job before it is added. Resolves with its result,
   * its failure, or a timeout after `timeoutMs`.
   */
  wait(queue: Queue, jobId: string, timeoutMs: number): Promise<WaitOutcome> {
    return new Promise<WaitOutcome>((resolve) => {
      const timer = setTimeout(() => void this.expire(queue, jobId), Math.max(0, timeoutMs));
      this.pending.set(jobId, { resolve, timer });
    });
  }

  /** Forgets a job whose add failed. */
  cancel(jobId: string): void {
    const p = this.pending.get(jobId);
    if (!p) return;
    clearTimeout(p.timer);
    this.pending.delete(jobId);
  }

  private settle(jobId: string, outcome: WaitOutcome): void {
    const p = this.pending.get(jobId);
    if (!p) return;
    clearTimeout(p.timer);
    this.pending.delete(jobId);
    p.resolve(outcome);
  }

  private async expire(queue: Queue, jobId: string): Promise<void> {
    if (!this.pending.has(jobId)) return;
    let outcome: WaitOutcome = { kind: 'timeout', state: 'unknown' };
    try {
      const job = await queue.getJob(jobId);
      const state = job ? await job.getState() : 'missing';
      if (job && state === 'completed') outcome = { kind: 'completed', value: parseMaybe(job.returnvalue) };
      else if (job && state === 'failed') outcome = { kind: 'failed', reason: job.failedReason };
      else {
        outcome = { kind: 'timeout', state };
        // A job nobody picked up is useless now: drop it so a dead domain's queue does not pile up.
        if (state === 'waiting' || state === 'prioritized' || state === 'delayed') await queue.remove(jobId).catch(() => 0);
      }
    } catch {
      // Redis unreachable: report the timeout we already have.
    }
    this.settle(jobId, outcome);
  }

  async close(): Promise<void> {
    for (const [jobId, p] of this.pending) {
      clearTimeout(p.timer);
      p.resolve({ kind: 'timeout', state: 'coordinator stopping' });
      this.pending.delete(jobId);
    }
    await Promise.all(
      [...this.listeners.values()].map(async ({ events, connection }) => {
        await events.close().catch(() => undefined);
        connection.disconnect();
      }),
    );
    this.listeners.clear();
  }
}

function parseMaybe(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}
