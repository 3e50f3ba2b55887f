/**
 * The last N round-trip latencies per shard, in memory, for the console's and
 * `memfleet status`'s p50. A ring (not the Prometheus histogram) because a
 * person looking at the fleet wants "how fast is it now", not since start,
 * and an exact median rather than one interpolated between buckets.
 */
export class LatencyWindow {
  private readonly rings = new Map<string, { values: number[]; next: number }>();

  constructor(private readonly size = 100) {}

  record(shard: string, ms: number): void {
    let ring = this.rings.get(shard);
    if (!ring) {
      ring = { values: [], next: 0 };
      this.rings.set(shard, ring);
    }
    if (ring.values.length < this.size) ring.values.push(ms);
    else ring.values[ring.next] = ms;
    ring.next = (ring.next + 1) % this.size;
  }

  /** Median of the recorded latencies (ms), or null when the shard has answered nothing yet. */
  p50(shard: string): number | null {
    const values = this.rings.get(shard)?.values;
    if (!values || values.length === 0) return null;
    const sorted = [...values].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  }

  count(shard: string): number {
    return this.rings.get(shard)?.values.length ?? 0;
  }
}
