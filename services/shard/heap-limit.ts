/**
 * The V8 heap cap shard processes run with (`memfleet up`, the benchmark; the
 * compose file sets the same in NODE_OPTIONS). Without it V8 grows the heap
 * lazily under load and a 200K-token lexical shard passes 300 MB resident;
 * with it the same load peaks near 195 MB (docs/performance.md). A heap size
 * already given in NODE_OPTIONS wins.
 */
export const SHARD_HEAP_MB = 160;

export function shardNodeArgs(nodeOptions = process.env.NODE_OPTIONS ?? ''): string[] {
  return /max-old-space-size/.test(nodeOptions) ? [] : [`--max-old-space-size=${SHARD_HEAP_MB}`];
}
