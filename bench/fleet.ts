/** The benchmark's view of a running memfleet: which replicas the coordinator counts. */

/** Waits until the coordinator counts exactly `want[domain]` live replicas of each domain. */
export async function waitForReplicas(url: string, want: Record<string, number>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${url}/v1/shards`);
      const rows = (await res.json()) as { shard: string; replicas: number }[];
      last = JSON.stringify(rows.map((r) => [r.shard, r.replicas]));
      if (Object.entries(want).every(([shard, n]) => (rows.find((r) => r.shard === shard)?.replicas ?? 0) === n)) return;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the coordinator did not see replicas ${JSON.stringify(want)} within ${timeoutMs} ms (last: ${last})`);
}
