/**
 * Sends one signed query job to each chosen shard queue and collects what
 * comes back, each shard against the same deadline.
 */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { signEnvelope, verifyEnvelope, type DomainKeyCache, type NonceCache } from '../../../shared/envelope/index.js';
import type { FleetMetrics } from '../../../shared/metrics/registry.js';
import { shardQueueName, shardQueuePrefix } from '../../../shared/queues/names.js';
import { isClusterClient } from '../../../shared/redis/connection.js';
import { addressedJobId } from '../../../shared/queues/reply-address.js';
import { JobFailureSchema, ShardResultSchema, type JobAddress, type QueryJob, type Unaddressed } from '../../../shared/queues/schemas.js';
import type { ShardReply } from '../domain/merge.js';
import type { ResultWaiter } from './result-waiter.js';
import { LatencyWindow } from './latency-window.js';
import { batchWrites } from '../../../shared/redis/write-batching.js';
import { queueRetention, type KeepFinished, type QueueRetention } from '../../../shared/queues/queue-retention.js';

export interface DispatcherDeps {
  connection: Redis;
  prefix: string;
  /** Each domain's keys, derived from the masters: jobs for a domain are signed with its query key, its results verified with its result key. */
  keys: DomainKeyCache;
  toleranceSec: number;
  resultNonces: NonceCache;
  waiter: ResultWaiter;
  metrics: FleetMetrics;
  /** The domain version a job must be answered at (written sources); absent: jobs carry none. */
  versionOf?: (shard: string) => Promise<number>;
  /** What Redis keeps of finished jobs and their events (shared/queues/queue-retention.ts). @defaultValue queueRetention for a 60 s deadline */
  retention?: QueueRetention;
}

/** What came back for one job: its verified body (still to be parsed), or why there is none. */
export type SendOutcome =
  | { kind: 'ok'; body: string; latencyMs: number }
  | { kind: 'timeout'; state: string; latencyMs: number }
  | { kind: 'failed'; reason: string; latencyMs: number }
  | { kind: 'rejected'; reason: string; latencyMs: number };

/** How long finished jobs stay in Redis (BullMQ's removeOnComplete/removeOnFail), when a caller needs other than the queue's retention. */
export interface JobRetention {
  completed?: KeepFinished;
  failed?: KeepFinished;
}

export class Dispatcher {
  private readonly queues = new Map<string, Queue>();
  /** Recent successful query round trips per shard (the p50 of /v1/shards). */
  readonly latencies = new LatencyWindow(100);
  private readonly retention: QueueRetention;

  constructor(private readonly deps: DispatcherDeps) {
    this.retention = deps.retention ?? queueRetention({ maxTimeoutMs: 60_000 });
  }

  queue(shard: string): Queue {
    let q = this.queues.get(shard);
    if (!q) {
      // The events stream's cap lives in the queue's meta hash: writing it here makes every worker script trim to it.
      q = new Queue(shardQueueName(shard), {
        connection: this.deps.connection,
        prefix: shardQueuePrefix(this.deps.prefix, shard, isClusterClient(this.deps.connection)),
        streams: { events: { maxLen: this.retention.eventsMaxLen } },
      });
      q.on('error', () => undefined);
      this.queues.set(shard, q);
    }
    return q;
  }

  knownQueues(): Queue[] {
    return [...this.queues.values()];
  }

  /** The version a job to `shard` must be answered at: read now, so it covers every write that has returned. */
  async versionOf(shard: string): Promise<number | undefined> {
    return this.deps.versionOf?.(shard);
  }

  async ask(shard: string, job: Unaddressed<QueryJob>): Promise<ShardReply> {
    const version = await this.versionOf(shard);
    const body = version === undefined ? job : { ...job, version };
    const sent = await this.send(shard, 'query', `${job.queryId}.${shard}`, body, job.deadline);
    const reply = this.interpret(shard, job.queryId, sent);
    this.deps.metrics.shardRoundtrip.observe({ shard, outcome: reply.outcome.status }, sent.latencyMs / 1000);
    if (reply.outcome.status === 'ok') this.latencies.record(shard, sent.latencyMs);
    return reply;
  }

  /**
   * One signed job to one shard and its verified reply, whatever the job kind
   * (queries, reads). The job's address (`shard`, `jobId`) is signed into its
   * body, so the shard refuses the envelope in any other queue or job.
   * Rejects only when the job could not be added (Redis).
   */
  async send(shard: string, name: string, jobId: string, payload: object, deadline: number, keep: JobRetention = {}): Promise<SendOutcome> {
    const { waiter } = this.deps;
    const keys = this.deps.keys.forDomain(shard);
    // The job names the coordinator that waits for it, so only this one hears its outcome.
    if (waiter.coordinatorId) jobId = addressedJobId(jobId, waiter.coordinatorId);
    const queue = this.queue(shard);
    await waiter.listen(queue.name);
    const started = performance.now();
    const waiting = waiter.wait(queue, jobId, deadline - Date.now());
    const address: JobAddress = { shard, jobId };
    const envelope = signEnvelope(JSON.stringify({ ...payload, ...address }), keys.query);
    // The jobs of one fan-out (and the query record before them) leave in one socket write.
    batchWrites(this.deps.connection);
    try {
      await queue.add(name, envelope, { jobId, removeOnComplete: keep.completed ?? this.retention.completed, removeOnFail: keep.failed ?? this.retention.failed });
    } catch (err) {
      waiter.cancel(jobId);
      throw err;
    }
    const outcome = await waiting;
    const latencyMs = Math.round((performance.now() - started) * 100) / 100;
    if (outcome.kind === 'timeout') return { kind: 'timeout', state: outcome.state, latencyMs };
    if (outcome.kind === 'failed') return { kind: 'failed', reason: await this.failureReason(shard, jobId, outcome.failure), latencyMs };
    const verified = await verifyEnvelope(outcome.value, {
      keyring: keys.result,
      toleranceSec: this.deps.toleranceSec,
      nonceCache: this.deps.resultNonces,
    });
    if (!verified.ok) {
      this.deps.metrics.envelopeRejected.inc({ reason: verified.reason });
      return { kind: 'rejected', reason: verified.reason, latencyMs };
    }
    return { kind: 'ok', body: verified.body, latencyMs };
  }

  /**
   * The shard's reason for a failed job, when it comes signed with the domain's
   * result key for this job; otherwise a fixed text, so that nothing written
   * into Redis by anyone else reaches an answer (shards[].error, MCP).
   */
  private async failureReason(shard: string, jobId: string, failure: unknown): Promise<string> {
    if (failure === undefined) return `the job failed; its reason was not received signed (see the shard's log for job ${jobId})`;
    const verified = await verifyEnvelope(failure, {
      keyring: this.deps.keys.forDomain(shard).result,
      toleranceSec: this.deps.toleranceSec,
      nonceCache: this.deps.resultNonces,
    });
    if (!verified.ok) {
      this.deps.metrics.envelopeRejected.inc({ reason: verified.reason });
      return `the job failed, but its failure report did not verify (${verified.reason})`;
    }
    const parsed = JobFailureSchema.safeParse(safeJson(verified.body));
    if (!parsed.success || parsed.data.jobId !== jobId || parsed.data.shard !== shard) {
      this.deps.metrics.envelopeRejected.inc({ reason: 'invalid_payload' });
      return 'the job failed, but its failure report was invalid or for another job';
    }
    return parsed.data.reason;
  }

  private interpret(shard: string, queryId: string, sent: SendOutcome): ShardReply {
    const round = sent.latencyMs;
    if (sent.kind === 'timeout') {
      return { outcome: { shard, status: 'timeout', latencyMs: round, error: `no answer before the deadline (job ${sent.state})` } };
    }
    if (sent.kind === 'failed') {
      return { outcome: { shard, status: 'error', latencyMs: round, error: sent.reason } };
    }
    if (sent.kind === 'rejected') {
      return { outcome: { shard, status: 'error', latencyMs: round, error: `result envelope rejected: ${sent.reason}` } };
    }
    const parsed = ShardResultSchema.safeParse(safeJson(sent.body));
    if (!parsed.success || parsed.data.queryId !== queryId || parsed.data.shard !== shard) {
      this.deps.metrics.envelopeRejected.inc({ reason: 'invalid_payload' });
      return { outcome: { shard, status: 'error', latencyMs: round, error: 'result payload invalid or for another query' } };
    }
    const version = parsed.data.version;
    return { outcome: { shard, status: 'ok', latencyMs: round, replica: parsed.data.replica, ...(version !== undefined ? { version } : {}) }, result: parsed.data };
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
