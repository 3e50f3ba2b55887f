/**
 * Sends one signed query job to each chosen shard queue and collects what
 * comes back, each shard against the same deadline.
 */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { signEnvelope, verifyEnvelope, type Keyring, type NonceCache } from '../../../shared/envelope/index.js';
import type { FleetMetrics } from '../../../shared/metrics/registry.js';
import { shardQueueName } from '../../../shared/queues/names.js';
import { ShardResultSchema, type QueryJob } from '../../../shared/queues/schemas.js';
import type { ShardReply } from '../merge/merge.js';
import type { ResultWaiter } from './result-waiter.js';

export interface DispatcherDeps {
  connection: Redis;
  prefix: string;
  queryKeys: Keyring;
  resultKeys: Keyring;
  toleranceSec: number;
  resultNonces: NonceCache;
  waiter: ResultWaiter;
  metrics: FleetMetrics;
}

/** Finished jobs stay this long so a late look-up (missed event) still finds them. */
const KEEP_COMPLETED = { age: 300, count: 10_000 };
const KEEP_FAILED = { age: 3_600, count: 10_000 };

export class Dispatcher {
  private readonly queues = new Map<string, Queue>();

  constructor(private readonly deps: DispatcherDeps) {}

  queue(shard: string): Queue {
    let q = this.queues.get(shard);
    if (!q) {
      q = new Queue(shardQueueName(shard), { connection: this.deps.connection, prefix: this.deps.prefix });
      q.on('error', () => undefined);
      this.queues.set(shard, q);
    }
    return q;
  }

  knownQueues(): Queue[] {
    return [...this.queues.values()];
  }

  async ask(shard: string, job: QueryJob): Promise<ShardReply> {
    const { waiter, metrics } = this.deps;
    const queue = this.queue(shard);
    await waiter.listen(queue.name);
    const jobId = `${job.queryId}.${shard}`;
    const started = performance.now();
    const waiting = waiter.wait(queue, jobId, job.deadline - Date.now());
    const envelope = signEnvelope(JSON.stringify(job), this.deps.queryKeys);
    try {
      await queue.add('query', envelope, { jobId, removeOnComplete: KEEP_COMPLETED, removeOnFail: KEEP_FAILED });
    } catch (err) {
      waiter.cancel(jobId);
      throw err;
    }
    const outcome = await waiting;
    const latencyMs = performance.now() - started;
    const reply = await this.interpret(shard, job.queryId, outcome, latencyMs);
    metrics.shardRoundtrip.observe({ shard, outcome: reply.outcome.status }, latencyMs / 1000);
    return reply;
  }

  private async interpret(shard: string, queryId: string, outcome: Awaited<ReturnType<ResultWaiter['wait']>>, latencyMs: number): Promise<ShardReply> {
    const round = Math.round(latencyMs * 100) / 100;
    if (outcome.kind === 'timeout') {
      return { outcome: { shard, status: 'timeout', latencyMs: round, error: `no answer before the deadline (job ${outcome.state})` } };
    }
    if (outcome.kind === 'failed') {
      return { outcome: { shard, status: 'error', latencyMs: round, error: outcome.reason } };
    }
    const verified = await verifyEnvelope(outcome.value, {
      keyring: this.deps.resultKeys,
      toleranceSec: this.deps.toleranceSec,
      nonceCache: this.deps.resultNonces,
    });
    if (!verified.ok) {
      this.deps.metrics.envelopeRejected.inc({ reason: verified.reason });
      return { outcome: { shard, status: 'error', latencyMs: round, error: `result envelope rejected: ${verified.reason}` } };
    }
    const parsed = ShardResultSchema.safeParse(safeJson(verified.body));
    if (!parsed.success || parsed.data.queryId !== queryId || parsed.data.shard !== shard) {
      this.deps.metrics.envelopeRejected.inc({ reason: 'invalid_payload' });
      return { outcome: { shard, status: 'error', latencyMs: round, error: 'result payload invalid or for another query' } };
    }
    return { outcome: { shard, status: 'ok', latencyMs: round, replica: parsed.data.replica }, result: parsed.data };
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close().catch(() => undefined)));
    this.queues.clear();
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
