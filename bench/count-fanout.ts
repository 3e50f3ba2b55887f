/**
 * `npm run build && node --import tsx bench/count-fanout.ts [--root DIR] [--count N] [--concurrency C]`:
 * N noop fan-outs over HTTP (4 shards), C at a time, and per fan-out: the
 * write and read system calls of the coordinator, the shards and Redis
 * (/proc/PID/io syscw, syscr), the Redis commands by name (INFO
 * commandstats; commands run inside Lua scripts count too) and CPU ms. The
 * counts hardly depend on the machine's load, unlike CPU time, so they show
 * what a change to the bus saved on a busy machine. `--root` runs another
 * checkout's built code (e.g. a worktree of the previous commit) for a before/after.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';

const { values } = parseArgs({ options: { root: { type: 'string' }, count: { type: 'string', default: '400' }, concurrency: { type: 'string', default: '4' } } });
const root = values.root ?? join(dirname(fileURLToPath(import.meta.url)), '..');
const N = Number(values.count);
const conc = Number(values.concurrency);
const { generateKeyring } = await import(join(root, 'shared/envelope/index.ts'));
const { startPrivateRedis } = await import(join(root, 'services/cli/up/private-redis.ts'));
const { waitForReplicas } = await import(join(root, 'bench/fleet.ts'));
const { askFleet, JsonClient } = await import(join(root, 'bench/http-client.ts'));
const { DEMO_QUESTIONS, FANOUT_DOMAINS } = await import(join(root, 'bench/questions.ts'));
const { REPO_ROOT, startCoordinator, startShard, stopAll } = await import(join(root, 'bench/services.ts'));
const redis = await startPrivateRedis();
const stat = (pid: number) => {
  const s = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const io = readFileSync(`/proc/${pid}/io`, 'utf8');
  return { cpu: (Number(s[11]) + Number(s[12])) / 100, syscw: Number(/syscw: (\d+)/.exec(io)![1]), syscr: Number(/syscr: (\d+)/.exec(io)![1]) };
};
try {
  const env = { REDIS_URL: redis.url, MEMFLEET_PREFIX: `mfc-${randomBytes(4).toString('hex')}`, MEMFLEET_HMAC_KEYS: generateKeyring('c-q'), MEMFLEET_SHARD_HMAC_KEYS: generateKeyring('c-r'), LOG_LEVEL: 'warn' };
  const coordinator = await startCoordinator(env);
  const shards = [];
  for (const domain of FANOUT_DOMAINS) shards.push(await startShard({ domain, contexts: join(REPO_ROOT, 'demo', 'contexts'), engine: 'noop' }, env));
  await waitForReplicas(coordinator.url, Object.fromEntries(FANOUT_DOMAINS.map((d: string) => [d, 1])));
  const client = new JsonClient(coordinator.url);
  const admin = new Redis(redis.url);
  const ask = (i: number) => askFleet(client, { question: DEMO_QUESTIONS[i % DEMO_QUESTIONS.length], shards: [...FANOUT_DOMAINS], topK: 5 });
  for (let i = 0; i < 100; i++) await ask(i);
  const redisPid = Number(/process_id:(\d+)/.exec(await admin.info('server'))![1]);
  const procs: Record<string, number[]> = { coordinator: [coordinator.pid], shards: shards.map((s: { pid: number }) => s.pid), redis: [redisPid] };
  const sum = (): Record<string, { cpu: number; syscw: number; syscr: number }> => Object.fromEntries(Object.entries(procs).map(([k, pids]) => [k, pids.map(stat).reduce((a, b) => ({ cpu: a.cpu + b.cpu, syscw: a.syscw + b.syscw, syscr: a.syscr + b.syscr }))]));
  const cmdstats = async (): Promise<Record<string, number>> => Object.fromEntries([...(await admin.info('commandstats')).matchAll(/cmdstat_(\w+):calls=(\d+)/g)].map((m) => [m[1], Number(m[2])]));
  const c0 = await cmdstats();
  const s0 = sum();
  const t0 = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: conc }, async () => { while (next < N) await ask(next++); }));
  const ms = performance.now() - t0;
  const s1 = sum();
  const c1 = await cmdstats();
  const cmds = Object.fromEntries(Object.entries(c1).map(([k, v]) => [k, (v - (c0[k] ?? 0) - (k === 'info' ? 1 : 0)) / N]).filter(([, v]) => (v as number) > 0.01));
  console.log(JSON.stringify({ root, N, conc, perSec: Math.round(N / (ms / 1000)), load: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
    cpuMsPerFanout: Object.fromEntries(Object.entries(s1).map(([k, v]) => [k, Math.round(((v.cpu - s0[k]!.cpu) * 1000 / N) * 100) / 100])),
    writeSyscallsPerFanout: Object.fromEntries(Object.entries(s1).map(([k, v]) => [k, Math.round(((v.syscw - s0[k]!.syscw) / N) * 100) / 100])),
    readSyscallsPerFanout: Object.fromEntries(Object.entries(s1).map(([k, v]) => [k, Math.round(((v.syscr - s0[k]!.syscr) / N) * 100) / 100])),
    redisCommandsPerFanout: Object.fromEntries(Object.entries(cmds).map(([k, v]) => [k, Math.round((v as number) * 100) / 100])) }));
  admin.disconnect();
  client.close();
} finally {
  await stopAll();
  await redis.stop();
}
