/**
 * `npm run bench [-- --quick] [-- --write-docs]`: memfleet against raw BullMQ
 * and Redis, side by side in one run on one machine, against a private
 * redis-server it starts on a free port. Prints Markdown tables and, last, one
 * JSON line with the ratios and absolute figures. See docs/performance.md.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { generateKeyring } from '../shared/envelope/index.js';
import { startPrivateRedis, redisServerInstalled } from '../services/cli/up/private-redis.js';
import type { BenchContext } from './context.js';
import { build200kDomain } from './domain-200k.js';
import { describeMachine } from './machine.js';
import { formatMarkdown, formatRedisMemory, redisGrowthMb, summaryJson, type BenchResults } from './report.js';
import { runEngineAlone, type EngineResult } from './scenarios/engine.js';
import { runFanout } from './scenarios/fanout.js';
import { runLexical } from './scenarios/lexical.js';
import { runRedisMemory } from './scenarios/redis-memory.js';
import { runScaling } from './scenarios/scaling.js';
import { runCoordinators } from './scenarios/coordinators.js';
import { runWrites } from './scenarios/writes.js';
import { formatManyDomains, manyDomainsJson, runManyDomains } from './scenarios/many-domains.js';
import { assertBuilt, REPO_ROOT, startCoordinator, stopAll } from './services.js';
import { benchSettings } from './settings.js';
import { FANOUT_DOMAINS } from './questions.js';
import { writeDocs } from './write-docs.js';

const USAGE = `Usage: npm run bench [-- options]

  --quick            a shorter run (under a minute): fewer rounds and samples, no many-domains row
  --rounds N         interleaved rounds of the fan-out comparison (default 5, quick 2)
  --concurrency N    closed-loop callers in the throughput runs (default 16)
  --write-docs       replace the results block of docs/performance.md with this run's tables
  --profile DIR      run the coordinator and shards with --cpu-prof, profiles written to DIR
  --only SCENARIO    run only one scenario and print its table and JSON line:
                       redis-memory  Redis memory per 1,000 queries (about a minute)
                       many-domains  4, 16 and 48 small domains, broadcast and routed (5-7 minutes; with --quick about 3)
  -h, --help         this text
`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      rounds: { type: 'string' },
      concurrency: { type: 'string' },
      'write-docs': { type: 'boolean', default: false },
      profile: { type: 'string' },
      only: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const only = values.only;
  if (only !== undefined && !isOnly(only)) throw new Error(`--only takes one of ${ONLY.map((o) => `"${o}"`).join(', ')}, got "${only}"`);
  const settings = benchSettings(values.quick, { rounds: positiveInt('--rounds', values.rounds), concurrency: positiveInt('--concurrency', values.concurrency) });
  const t0 = performance.now();
  const say = (line: string) => process.stderr.write(`bench ${((performance.now() - t0) / 1000).toFixed(1).padStart(5)} s: ${line}\n`);
  const startedAt = new Date().toISOString();

  assertBuilt();
  if (!redisServerInstalled()) throw new Error('redis-server is not installed: install it (sudo apt-get install redis-server) — the benchmark starts its own.');
  const demoContexts = join(REPO_ROOT, 'demo', 'contexts');
  if (!FANOUT_DOMAINS.every((d) => existsSync(join(demoContexts, d)))) {
    say('demo/contexts is missing: running npm run demo:prepare');
    const prep = spawnSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'scripts', 'prepare-demo.ts')], { cwd: REPO_ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
    if (prep.status !== 0) throw new Error('npm run demo:prepare failed: see its output above.');
  }

  let nodeFlags: string[] = [];
  if (values.profile) {
    mkdirSync(values.profile, { recursive: true });
    nodeFlags = ['--cpu-prof', `--cpu-prof-dir=${values.profile}`];
  }

  say('starting a private redis-server');
  const redis = await startPrivateRedis();
  const big = build200kDomain(demoContexts);
  const cleanup = async () => {
    await stopAll();
    await redis.stop();
    big.remove();
  };
  process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));
  try {
    const info = await redisInfo(redis.url);
    const machine = describeMachine(info.version, bullmqVersion());
    say(`machine: ${machine.cpuModel}, ${machine.cores} cores; load average ${machine.loadAtStart.join(' ')}`);
    const ctx: BenchContext = {
      settings,
      redisUrl: redis.url,
      redisPid: info.pid,
      fleetEnv: {
        REDIS_URL: redis.url,
        MEMFLEET_PREFIX: `mfbench-${randomBytes(4).toString('hex')}`,
        MEMFLEET_HMAC_KEYS: generateKeyring('bench-q'),
        MEMFLEET_SHARD_HMAC_KEYS: generateKeyring('bench-r'),
        // What `memfleet up` gives its children: per-job info lines are not part of the bus.
        LOG_LEVEL: 'warn',
      },
      demoContexts,
      nodeFlags,
      say,
    };

    if (only === 'many-domains') {
      const many = await runManyDomains(ctx);
      process.stdout.write(`${formatManyDomains(many)}\n\n${JSON.stringify({ bench: 'memfleet', only: 'many-domains', mode: settings.quick ? 'quick' : 'full', machine, ...manyDomainsJson(many) })}\n`);
      return;
    }
    if (only === 'redis-memory') {
      const memory = await runRedisMemory(ctx);
      process.stdout.write(`${formatRedisMemory(memory)}\n\n${JSON.stringify({ bench: 'memfleet', only: 'redis-memory', redis_memory_mb_per_1000_queries: Math.round(redisGrowthMb(memory) * 1000) / 1000, ...memory })}\n`);
      return;
    }
    const coordinator = await startCoordinator(ctx.fleetEnv, nodeFlags);
    const fanout = await runFanout(ctx, coordinator);
    const lexical = await runLexical(ctx, coordinator);
    say('lexical engine alone, in-process');
    const engines: EngineResult[] = [];
    if (settings.engineOnDemoDomains) for (const d of FANOUT_DOMAINS) engines.push(await runEngineAlone(demoContexts, d, settings.engineRepeats));
    engines.push(await runEngineAlone(big.contexts, big.domain, settings.engineRepeats));
    const scaling = await runScaling(ctx, coordinator, big.contexts, big.domain);
    const coordinators = await runCoordinators(ctx, coordinator);
    const writes = await runWrites(ctx, coordinator, big.contexts, big.domain);
    await coordinator.stop();
    // Minutes of start-up and warm-up alone: --quick keeps its minute and leaves the row to --only many-domains.
    const manyDomains = settings.quick ? undefined : await runManyDomains(ctx);
    const redisMemory = await runRedisMemory(ctx);

    const results: BenchResults = {
      machine,
      settings,
      startedAt,
      durationSec: (performance.now() - t0) / 1000,
      fanout,
      lexical,
      engines,
      scaling,
      coordinators,
      writes,
      redisMemory,
      ...(manyDomains ? { manyDomains } : {}),
      domain200k: { tokens: big.tokens, files: big.files },
    };
    const markdown = formatMarkdown(results);
    const json = summaryJson(results);
    if (values['write-docs']) {
      writeDocs(join(REPO_ROOT, 'docs', 'performance.md'), markdown, json);
      say('wrote the results block of docs/performance.md');
    }
    process.stdout.write(`${markdown}\n\n${JSON.stringify(json)}\n`);
  } finally {
    await cleanup();
  }
}

const ONLY = ['redis-memory', 'many-domains'] as const;
function isOnly(value: string): value is (typeof ONLY)[number] {
  return (ONLY as readonly string[]).includes(value);
}

function positiveInt(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} must be a positive integer, got "${value}"`);
  return n;
}

async function redisInfo(url: string): Promise<{ version: string; pid: number }> {
  const client = new Redis(url);
  try {
    const text = await client.info('server');
    const field = (name: string) => new RegExp(`^${name}:(.*)$`, 'm').exec(text)?.[1]?.trim() ?? '';
    return { version: field('redis_version'), pid: Number(field('process_id')) };
  } finally {
    client.disconnect();
  }
}

function bullmqVersion(): string {
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules', 'bullmq', 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench: failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
