/**
 * Learns when shard jobs finish. Shards publish each job's outcome on one
 * pub/sub channel (shared/queues/result-channel.ts); this waiter holds one
 * subscriber connection per coordinator process and resolves the waiting
 * query by job id. Every wait has a deadline; when it passes, the job is
 * looked up once directly, so a message missed while the subscriber was
 * (re)connecting never turns a finished job into a timeout. After a
 * reconnect, every pending job is looked up at once for the same reason.
 *
 * (It used one BullMQ QueueEvents listener per queue until the benchmark
 * showed the coordinator spending its time waking for every event of every
 * job: see docs/performance.md.)
 */
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { createRedis } from '../../../shared/redis/connection.js';
import type { Logger } from '../../../shared/log/logger.js';
import { keys } from '../../../shared/queues/names.js';
import { decodeOutcome } from '../../../shared/queues/result-channel.js';

/**
 * `failure`: the signed failure from the result channel, still to be verified;
 * undefined when the failure was only found in BullMQ, whose `failedReason`
 * is unsigned text anyone with Redis access could have written.
 */
export type WaitOutcome = { kind: 'completed'; value: unknown } | { kind: 'failed'; failure: unknown } | { kind: 'timeout'; state: string };

interface Pending {
  queue: Queue;
  resolve: (outcome: WaitOutcome) => void;
  timer: NodeJS.Timeout;
}

export class ResultWaiter {
  private subscriber: { connection: Redis; ready: Promise<void> } | undefined;
  private readonly pending = new Map<string, Pending>();
  private readonly channel: string;

  /**
   * @param coordinatorId this coordinator's id: the waiter hears only the outcomes of jobs addressed to it
   *   (shared/queues/reply-address.ts); without one, the fleet-wide channel (unaddressed jobs).
   */
  constructor(
    private readonly redisUrl: string,
    prefix: string,
    private readonly log: Logger,
    readonly coordinatorId?: string,
  ) {
    this.channel = coordinatorId ? keys.resultsFor(prefix, coordinatorId) : keys.results(prefix);
  }

  /**
   * Starts (once) the subscription and resolves when Redis confirmed it, so
   * no result published after this can be missed. The queue name is kept in
   * the signature for callers: one channel serves every queue.
   */
  listen(_queueName?: string): Promise<void> {
    if (this.subscriber) return this.subscriber.ready;
    const connection = createRedis(this.redisUrl, 'blocking', 'memfleet-results');
    connection.on('error', (err) => this.log.debug({ err }, 'result subscriber error (reconnecting)'));
    connection.on('message', (_channel: string, text: string) => this.onMessage(text));
    let subscribedOnce = false;
    // ioredis re-subscribes by itself after a reconnect; what was published in between is looked up.
    connection.on('ready', () => {
      if (subscribedOnce) void this.reconcile();
    });
    const ready = connection.subscribe(this.channel).then(() => {
      subscribedOnce = true;
    });
    ready.catch(() => undefined);
    this.subscriber = { connection, ready };
    return ready;
  }

  /**
   * Registers interest in a job before it is added. Resolves with its result,
   * its failure, or a timeout after `timeoutMs`.
   */
  wait(queue: Queue, jobId: string, timeoutMs: number): Promise<WaitOutcome> {
    return new Promise<WaitOutcome>((resolve) => {
      const timer = setTimeout(() => void this.expire(jobId), Math.max(0, timeoutMs));
      this.pending.set(jobId, { queue, resolve, timer });
    });
  }

  /** Forgets a job whose add failed. */
  cancel(jobId: string): void {
    const p = this.pending.get(jobId);
    if (!p) return;
    clearTimeout(p.timer);
    this.pending.delete(jobId);
  }

  private onMessage(text: string): void {
    const message = decodeOutcome(text);
    if (!message) {
      this.log.debug({ channel: this.channel }, 'ignored a malformed message on the result channel');
      return;
    }
    // Results of other coordinators' jobs arrive too; they are simply not pending here.
    if (message.kind === 'completed') this.settle(message.jobId, { kind: 'completed', value: parseMaybe(message.value) });
    else this.settle(message.jobId, { kind: 'failed', failure: message.failure });
  }

  private settle(jobId: string, outcome: WaitOutcome): void {
    const p = this.pending.get(jobId);
    if (!p) return;
    clearTimeout(p.timer);
    this.pending.delete(jobId);
    p.resolve(outcome);
  }

  /** The job's own record in BullMQ: its result or failure if it finished, else its state. */
  private async lookUp(queue: Queue, jobId: string): Promise<WaitOutcome> {
    const job = await queue.getJob(jobId);
    const state = job ? await job.getState() : 'missing';
    if (job && state === 'completed') return { kind: 'completed', value: parseMaybe(job.returnvalue) };
    if (job && state === 'failed') return { kind: 'failed', failure: undefined };
    return { kind: 'timeout', state };
  }

  private async reconcile(): Promise<void> {
    this.log.info({ pending: this.pending.size }, 'result subscriber reconnected: looking up pending jobs');
    await Promise.all(
      [...this.pending].map(async ([jobId, p]) => {
        const outcome = await this.lookUp(p.queue, jobId).catch(() => undefined);
        if (outcome && outcome.kind !== 'timeout') this.settle(jobId, outcome);
      }),
    );
  }

  private async expire(jobId: string): Promise<void> {
    const p = this.pending.get(jobId);
    if (!p) return;
    let outcome: WaitOutcome = { kind: 'timeout', state: 'unknown' };
    try {
      outcome = await this.lookUp(p.queue, jobId);
      // A job nobody picked up is useless now: drop it so a dead domain's queue does not pile up.
      if (outcome.kind === 'timeout' && ['waiting', 'prioritized', 'delayed'].includes(outcome.state)) await p.queue.remove(jobId).catch(() => 0);
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
    const sub = this.subscriber;
    this.subscriber = undefined;
    if (sub) {
      await sub.connection.quit().catch(() => undefined);
      sub.connection.disconnect();
    }
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
