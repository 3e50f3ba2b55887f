/**
 * Tools for the fault suite (test/faults): inject a fault at a known moment,
 * drive bounded load, and read what the services said (JSON log lines,
 * Prometheus metrics, BullMQ job records).
 */
import { Queue, QueueEvents, type Job } from 'bullmq';
import { shardQueueName } from '../../shared/queues/names.js';
import type { ServiceProcess } from './fleet-processes.js';

export interface LogLine {
  level?: string;
  msg?: string;
  jobId?: string;
  reason?: string;
  replica?: string;
  [field: string]: unknown;
}

/** The JSON log lines a service printed so far (non-JSON lines are skipped). */
export function logLines(proc: ServiceProcess): LogLine[] {
  const lines: LogLine[] = [];
  for (const raw of proc.output().split('\n')) {
    if (!raw.startsWith('{')) continue;
    try {
      lines.push(JSON.parse(raw) as LogLine);
    } catch {
      // a line cut by a SIGKILL
    }
  }
  return lines;
}

/** Waits for a log line matching `msg` and returns it (the shard's metrics port comes from 'shard ready'). */
export async function waitForLog(proc: ServiceProcess, msg: string, timeoutMs = 30_000): Promise<LogLine> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const line = logLines(proc).find((l) => l.msg === msg);
    if (line) return line;
    if (proc.proc.exitCode !== null || proc.proc.signalCode !== null) break;
    await sleep(50);
  }
  throw new Error(`${proc.name} did not log "${msg}" within ${timeoutMs} ms:\n${proc.output().slice(-3000)}`);
}

/** Sum of a Prometheus sample's values whose labels include `labels` (0 when absent). */
export function metricValue(exposition: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of exposition.split('\n')) {
    if (!line.startsWith(name)) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})?\s+(\S+)/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = new Map<string, string>();
    for (const pair of (match[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) have.set(pair[1]!, pair[2]!);
    if (Object.entries(labels).every(([k, v]) => have.get(k) === v)) total += Number(match[4]);
  }
  return total;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A BullMQ handle on a shard queue, for inspecting (and, in hostile tests, feeding) it directly. */
export function shardQueue(redisUrl: string, prefix: string, domain: string): Queue {
  const queue = new Queue(shardQueueName(domain), { connection: { url: redisUrl }, prefix });
  queue.on('error', () => undefined);
  return queue;
}

/** Every completion and stall BullMQ reports on one queue, with when it was seen. */
export class QueueRecorder {
  readonly completed = new Map<string, number[]>();
  readonly stalled = new Map<string, number[]>();
  readonly failed = new Map<string, string>();
  private constructor(private readonly events: QueueEvents) {}

  static async start(redisUrl: string, prefix: string, domain: string): Promise<QueueRecorder> {
    const events = new QueueEvents(shardQueueName(domain), { connection: { url: redisUrl }, prefix });
    events.on('error', () => undefined);
    const recorder = new QueueRecorder(events);
    events.on('completed', ({ jobId }) => push(recorder.completed, jobId, Date.now()));
    events.on('stalled', ({ jobId }) => push(recorder.stalled, jobId, Date.now()));
    events.on('failed', ({ jobId, failedReason }) => recorder.failed.set(jobId, failedReason));
    await events.waitUntilReady();
    return recorder;
  }

  close(): Promise<void> {
    return this.events.close();
  }
}

function push(map: Map<string, number[]>, key: string, value: number): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Ids of the jobs `replica` (its BullMQ worker name, REPLICA_ID) holds right now. */
export async function activeJobsOf(queue: Queue, replica: string): Promise<string[]> {
  const active: Job[] = await queue.getActive(0, -1);
  return active.filter((j) => j.processedBy === replica).map((j) => String(j.id));
}

/**
 * Freezes the process (SIGSTOP) at a moment when it holds active jobs, so the
 * fault that follows provably hits jobs in progress. Returns those job ids with
 * the process still frozen; the caller sends the fault (SIGKILL, or SIGTERM then SIGCONT).
 */
export async function freezeWithActiveJobs(proc: ServiceProcess, queue: Queue, replica: string, attempts = 400): Promise<string[]> {
  for (let i = 0; i < attempts; i++) {
    proc.proc.kill('SIGSTOP');
    const held = await activeJobsOf(queue, replica).catch(() => []);
    if (held.length > 0) return held;
    proc.proc.kill('SIGCONT');
    await sleep(5 + (i % 7) * 3);
  }
  throw new Error(`${proc.name} never held an active job in ${attempts} looks: is the load running?`);
}

export interface LoadResult<T> {
  results: T[];
  /** Epoch ms when each request was sent and answered, by index. */
  sentAt: number[];
  doneAt: number[];
}

/**
 * Sends `count` requests with `concurrency` in flight, calling `onProgress`
 * after each one so a test can inject its fault mid-load. Bounded in count and
 * in time (each request carries its own timeout).
 */
export async function runLoad<T>(
  count: number,
  concurrency: number,
  send: (i: number) => Promise<T>,
  onProgress?: (done: number) => void,
): Promise<LoadResult<T>> {
  const results = new Array<T>(count);
  const sentAt = new Array<number>(count);
  const doneAt = new Array<number>(count);
  let next = 0;
  let done = 0;
  const lane = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      sentAt[i] = Date.now();
      results[i] = await send(i);
      doneAt[i] = Date.now();
      done += 1;
      onProgress?.(done);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return { results, sentAt, doneAt };
}

export interface QueryOutcome {
  status: number;
  json: Record<string, unknown>;
  /** Set when the request itself failed (refused, reset, aborted). */
  networkError?: string;
  ms: number;
}

/** POST /v1/query that never throws and never hangs longer than `timeoutMs`. */
export async function ask(url: string, body: unknown, opts: { token?: string; timeoutMs?: number } = {}): Promise<QueryOutcome> {
  const started = Date.now();
  try {
    const res = await fetch(`${url}/v1/query`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}) },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(opts.timeoutMs ?? 60_000),
    });
    const text = await res.text();
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      json = { raw: text };
    }
    return { status: res.status, json, ms: Date.now() - started };
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    return { status: 0, json: {}, networkError: cause ?? (err instanceof Error ? err.name : String(err)), ms: Date.now() - started };
  }
}

export interface ShardOutcome {
  shard: string;
  status: string;
  latencyMs: number;
  error?: string;
  replica?: string;
}

export function shardsOf(outcome: QueryOutcome): ShardOutcome[] {
  return (outcome.json.shards as ShardOutcome[] | undefined) ?? [];
}

/** Percentile of a list of numbers (nearest rank). */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Questions the fixture corpus answers in every domain's own words. */
export const QUESTIONS = [
  'Who is the captain of the schooner Albatross?',
  'What does grandmother put in plum jam?',
  'How many degrees did the tail of comet Halvorsen stretch?',
  'How often does the ferry to Gull Island run in winter?',
  'How long should the bread dough rise?',
];
