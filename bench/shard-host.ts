/**
 * Bench only: several shards in one Node process, for the many-domains
 * scenario (48 domains as 48 processes would spend the 2 cores and ~6 GB on
 * 48 Node runtimes). Each shard is the real one, started by the built
 * `startShard` (dist/, like `memfleet shard`): its own config, keys, Redis
 * connections, BullMQ worker, envelope checks, engine, heartbeat and
 * manifest. They share only the process (event loop, heap, the WordNet and
 * word-vector tables the lexical engine loads once per process).
 *
 *   BENCH_SHARD_SPECS='[{"domain":"slice-01","env":{…}}, …]' node --import tsx bench/shard-host.ts
 *
 * Each spec's env is what `memfleet shard` would get (bench/services.ts builds
 * it with shardEnv: the domain's derived keys, not the masters). Prints
 * "shard-host ready <n>" once every shard consumes its queue; SIGTERM closes
 * them all.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { z } from 'zod';
import type * as ShardStart from '../services/shard/start.js';
import type * as ShardConfig from '../services/shard/config.js';

const Specs = z.array(z.object({ domain: z.string(), env: z.record(z.string(), z.string()) })).min(1);

const DIST = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'services', 'shard');

async function main(): Promise<void> {
  const parsed = Specs.safeParse(JSON.parse(process.env.BENCH_SHARD_SPECS ?? 'null'));
  if (!parsed.success) throw new Error(`BENCH_SHARD_SPECS must be a JSON array of {domain, env}: ${parsed.error.message}`);
  const { startShard } = (await import(pathToFileURL(join(DIST, 'start.js')).href)) as typeof ShardStart;
  const { parseShardConfig } = (await import(pathToFileURL(join(DIST, 'config.js')).href)) as typeof ShardConfig;
  const running: { close(): Promise<void> }[] = [];
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void Promise.allSettled(running.map((s) => s.close())).then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // One at a time: each start-up reads Redis and publishes its folder; together they would only queue for the one event loop.
  for (const spec of parsed.data) {
    if (stopping) return;
    running.push(await startShard(parseShardConfig({ ...spec.env, SHARD_DOMAIN: spec.domain })));
  }
  process.stdout.write(`shard-host ready ${running.length}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`shard-host: failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
