/**
 * Coalesces the Redis commands a process issues within one turn of the event
 * loop into a single socket write.
 *
 * ioredis writes every command to the socket as it is issued: one system call
 * each. A coordinator answering one question issues six (the query record and
 * one job per shard), a shard two per job (the result message and BullMQ's
 * completion); on a small or virtualised machine those system calls — and the
 * wake-ups of Redis they cause — cost more than everything else the commands
 * do (see docs/performance.md). Corking the socket until the loop's check
 * phase sends them in one `writev`, in the same order, with no change in
 * meaning: this is what ioredis's `enableAutoPipelining` does, without
 * rewriting commands into pipelines, which BullMQ's scripts do not support on
 * every connection.
 */
import type { Redis } from 'ioredis';

const corked = new WeakSet<object>();

/**
 * From now until the end of this event-loop turn, the commands issued on
 * `redis` leave in one write. Call it right before issuing several commands;
 * calling it again in the same turn does nothing.
 */
export function batchWrites(redis: Redis): void {
  const stream = (redis as { stream?: NodeJS.WritableStream & { cork?: () => void; uncork?: () => void; writable?: boolean } }).stream;
  if (!stream || typeof stream.cork !== 'function' || typeof stream.uncork !== 'function' || stream.writable === false) return;
  if (corked.has(stream)) return;
  corked.add(stream);
  stream.cork();
  setImmediate(() => {
    corked.delete(stream);
    stream.uncork?.();
  });
}
