/**
 * The raw BullMQ baseline's worker: what a competent user writes for "one
 * queue, a trivial job" — a Worker with the same concurrency and lock settings
 * as a memfleet shard, returning a small object. No signing, no schemas, no
 * engine. Run as its own process, one per queue, like memfleet's shards.
 *
 * Usage: node --import tsx bench/raw/worker.ts <queue>   (env REDIS_URL, RAW_PREFIX)
 */
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { LOCK_DURATION_MS, MAX_STALLED_COUNT, STALLED_INTERVAL_MS, WORKER_CONCURRENCY } from './settings.js';

const queue = process.argv[2];
const url = process.env.REDIS_URL;
const prefix = process.env.RAW_PREFIX;
if (!queue || !url || !prefix) {
  process.stderr.write('usage: REDIS_URL=… RAW_PREFIX=… node --import tsx bench/raw/worker.ts <queue>\n');
  process.exit(2);
}

const connection = new Redis(url, { maxRetriesPerRequest: null });
const worker = new Worker<{ q: string }, { answer: string; q: string }>(queue, async (job) => ({ answer: 'ok', q: job.data.q }), {
  connection,
  prefix,
  concurrency: WORKER_CONCURRENCY,
  lockDuration: LOCK_DURATION_MS,
  stalledInterval: STALLED_INTERVAL_MS,
  maxStalledCount: MAX_STALLED_COUNT,
});
worker.on('error', (err) => process.stderr.write(`worker error: ${err.message}\n`));
await worker.waitUntilReady();
process.stdout.write('ready\n');

const stop = async () => {
  await worker.close();
  connection.disconnect();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
