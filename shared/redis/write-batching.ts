/**
 * Coalesces the Redis commands a process issues in one go (one callback and
 * the promise continuations it starts) into a single socket write.
 *
 * ioredis writes every command to the socket as it is issued: one system call
 * each. A coordinator sending one question to four shards issues five at once
 * (the query record and one job per shard), a shard two per job (the result message and BullMQ's
 * completion); on a small or virtualised machine those system calls — and the
 * wake-ups of Redis they cause — cost more than everything else the commands
 * do (see docs/performance.md). Corking the socket until the next
 * process.nextTick — after the current run of promise continuations, so a
 * BullMQ call issued a few awaits later still joins — sends them in one
 * `writev`, in the same order, with no change in meaning. ioredis's
 * `enableAutoPipelining` saves the same system calls by rewriting commands
 * into pipelines, which BullMQ users have reported trouble with
 * (taskforcesh/bullmq#457); corking leaves every command as it was.
 */
import type { Redis } from 'ioredis';

const corked = new WeakSet<object>();

/**
 * The commands issued on `redis` from now until the current promise
 * continuations have run leave in one write. Call it right before issuing
 * several commands; calling it again meanwhile does nothing.
 */
export function batchWrites(redis: Redis): void {
  const stream = (redis as { stream?: NodeJS.WritableStream & { cork?: () => void; uncork?: () => void; writable?: boolean } }).stream;
  if (!stream || typeof stream.cork !== 'function' || typeof stream.uncork !== 'function' || stream.writable === false) return;
  if (corked.has(stream)) return;
  corked.add(stream);
  stream.cork();
  process.nextTick(() => {
    corked.delete(stream);
    stream.uncork?.();
  });
}
