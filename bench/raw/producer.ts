/**
 * The raw BullMQ baseline's producer: add one job to each of N queues and
 * await all N results. Two ways a competent user learns that a job finished,
 * both measured, and the better one is the baseline memfleet is held to:
 *
 * - `waitUntilFinished`: `queue.add()` then `job.waitUntilFinished(queueEvents)`
 *   with one QueueEvents per queue (BullMQ's documented way; it also asks Redis
 *   once whether the job already finished, to close the add/listen race).
 * - `dispatch`: one `completed`/`failed` listener per QueueEvents that resolves
 *   the waiting call by job id, registered before the add (what memfleet's
 *   result waiter does), so no extra Redis call per job.
 *
 * All queues share one Redis connection for adds (as memfleet's dispatcher
 * does); each QueueEvents has its own blocking connection.
 */
import { randomBytes } from 'node:crypto';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { EVENTS_BLOCKING_TIMEOUT_MS, KEEP_COMPLETED, KEEP_FAILED } from './settings.js';

export type CompletionMode = 'waitUntilFinished' | 'dispatch';

interface Pending {
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

export class RawFanout {
  private readonly connection: Redis;
  private readonly queues: Queue[];
  private readonly events: QueueEvents[];
  private readonly eventConnections: Redis[] = [];
  private readonly pending = new Map<string, Pending>();
  private seq = 0;
  private readonly runId = randomBytes(4).toString('hex');

  constructor(
    url: string,
    prefix: string,
    queueNames: readonly string[],
    private readonly timeoutMs = 10_000,
  ) {
    this.connection = new Redis(url, { maxRetriesPerRequest: null });
    this.queues = queueNames.map((name) => {
      const queue = new Queue(name, { connection: this.connection, prefix });
      // waitUntilFinished adds a 'closing' listener per waiting job: with more than 10 fan-outs in flight Node would warn.
      queue.setMaxListeners(0);
      return queue;
    });
    this.events = queueNames.map((name) => {
      const connection = new Redis(url, { maxRetriesPerRequest: null });
      this.eventConnections.push(connection);
      const events = new QueueEvents(name, { connection, prefix, blockingTimeout: EVENTS_BLOCKING_TIMEOUT_MS });
      events.on('completed', ({ jobId, returnvalue }) => this.settle(jobId, returnvalue));
      events.on('failed', ({ jobId, failedReason }) => this.settle(jobId, undefined, new Error(failedReason)));
      return events;
    });
  }

  async ready(): Promise<void> {
    await Promise.all([...this.queues.map((q) => q.waitUntilReady()), ...this.events.map((e) => e.waitUntilReady())]);
  }

  /** One fan-out: one job per queue, resolves when every result is back. */
  fanout(mode: CompletionMode, question: string): Promise<unknown[]> {
    return mode === 'dispatch' ? this.viaDispatch(question) : this.viaWaitUntilFinished(question);
  }

  private viaWaitUntilFinished(question: string): Promise<unknown[]> {
    return Promise.all(
      this.queues.map(async (queue, i) => {
        const job = await queue.add('q', { q: question }, { removeOnComplete: KEEP_COMPLETED, removeOnFail: KEEP_FAILED });
        return job.waitUntilFinished(this.events[i] as QueueEvents, this.timeoutMs);
      }),
    );
  }

  private viaDispatch(question: string): Promise<unknown[]> {
    const base = `${this.runId}-${++this.seq}`;
    return Promise.all(
      this.queues.map(async (queue) => {
        const jobId = `${base}.${queue.name}`;
        const result = new Promise<unknown>((resolve, reject) => {
          const timer = setTimeout(() => this.settle(jobId, undefined, new Error(`job ${jobId} timed out`)), this.timeoutMs);
          this.pending.set(jobId, { resolve, reject, timer });
        });
        await queue.add('q', { q: question }, { jobId, removeOnComplete: KEEP_COMPLETED, removeOnFail: KEEP_FAILED });
        return result;
      }),
    );
  }

  private settle(jobId: string, value: unknown, err?: Error): void {
    const p = this.pending.get(jobId);
    if (!p) return;
    this.pending.delete(jobId);
    clearTimeout(p.timer);
    if (err) p.reject(err);
    else p.resolve(value);
  }

  async close(): Promise<void> {
    await Promise.all([...this.events.map((e) => e.close().catch(() => undefined)), ...this.queues.map((q) => q.close().catch(() => undefined))]);
    this.connection.disconnect();
    for (const c of this.eventConnections) c.disconnect();
  }
}
