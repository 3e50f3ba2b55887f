/**
 * `npm run build && node --import tsx bench/profile-fanout.ts [--seconds N] [--concurrency N] [--engine noop|lexical] [--out DIR]`:
 * memfleet's 4-wide fan-out over HTTP under closed-loop load with the
 * coordinator and the shards running under `--cpu-prof`, then a summary of
 * where each process spent its CPU (bench/profile-summary.ts). The tool
 * behind docs/performance.md's "where the time goes".
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generateKeyring } from '../shared/envelope/index.js';
import { startPrivateRedis } from '../services/cli/up/private-redis.js';
import { waitForReplicas } from './fleet.js';
import { askFleet, JsonClient } from './http-client.js';
import { closedLoop, sequential } from './load.js';
import { summarizeProfile } from './profile-summary.js';
import { DEMO_QUESTIONS, FANOUT_DOMAINS } from './questions.js';
import { REPO_ROOT, startCoordinator, startShard, stopAll } from './services.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '8' },
    concurrency: { type: 'string', default: '16' },
    engine: { type: 'string', default: 'noop' },
    out: { type: 'string' },
    sequential: { type: 'boolean', default: false },
  },
});
const engine = values.engine === 'lexical' ? 'lexical' : 'noop';
const out = values.out ?? mkdtempSync(join(tmpdir(), 'memfleet-prof-'));
mkdirSync(out, { recursive: true });
const redis = await startPrivateRedis();
try {
  const env = {
    REDIS_URL: redis.url,
    MEMFLEET_PREFIX: `mfprof-${randomBytes(4).toString('hex')}`,
    MEMFLEET_HMAC_KEYS: generateKeyring('prof-q'),
    MEMFLEET_SHARD_HMAC_KEYS: generateKeyring('prof-r'),
    LOG_LEVEL: 'warn',
  };
  const flags = ['--cpu-prof', `--cpu-prof-dir=${out}`];
  const coordinator = await startCoordinator(env, flags);
  const contexts = join(REPO_ROOT, 'demo', 'contexts');
  for (const domain of FANOUT_DOMAINS) await startShard({ domain, contexts, engine }, env, flags);
  await waitForReplicas(coordinator.url, Object.fromEntries(FANOUT_DOMAINS.map((d) => [d, 1])));
  const client = new JsonClient(coordinator.url);
  const ask = (i: number) => askFleet(client, { question: DEMO_QUESTIONS[i % DEMO_QUESTIONS.length] as string, shards: [...FANOUT_DOMAINS], topK: 5 });
  if (values.sequential) {
    const r = await sequential(ask, Number(values.seconds) * 100, 50);
    process.stdout.write(`sequential: p50 ${r.latency.p50.toFixed(2)} ms, p99 ${r.latency.p99.toFixed(2)} ms (${r.latency.n})\n`);
  } else {
    const r = await closedLoop(ask, Number(values.concurrency), Number(values.seconds) * 1000, 500);
    process.stdout.write(`${r.perSec.toFixed(0)} fan-outs/s, p50 ${r.latency.p50.toFixed(2)} ms, errors ${r.errors}\n`);
  }
  client.close();
  await stopAll();
  for (const f of readdirSync(out).filter((n) => n.endsWith('.cpuprofile'))) {
    const s = summarizeProfile(f, JSON.parse(readFileSync(join(out, f), 'utf8')));
    process.stdout.write(`\n## ${f}: ${s.totalMs} ms on CPU\n`);
    for (const [g, ms] of s.byGroup.slice(0, 12)) process.stdout.write(`  ${ms.toFixed(1).padStart(8)} ms ${((ms / s.totalMs) * 100).toFixed(1).padStart(5)}%  ${g}\n`);
    for (const [fn, ms] of s.byFunction.slice(0, 12)) process.stdout.write(`  ${ms.toFixed(1).padStart(8)} ms  ${fn}\n`);
  }
  process.stdout.write(`\nprofiles in ${out}\n`);
} finally {
  await stopAll();
  await redis.stop();
}
