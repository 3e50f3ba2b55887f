/**
 * The Grafana dashboard against a real Prometheus scraping a real fleet: a
 * coordinator and shards (two replicas of harbor) as separate OS processes, a
 * Prometheus configured from deploy/prometheus/prometheus.yml (same jobs,
 * relabelling and rules; local targets instead of Docker DNS), real traffic, a
 * forged job and a shard timeout. Then every PromQL expression of every panel
 * in deploy/grafana/dashboards/memfleet.json must be valid and return data.
 *
 * Needs `npm run build` (dist/) and Prometheus (/usr/bin/prometheus from
 * Debian's `prometheus` package; installed with apt-get when running as root,
 * or set PROMETHEUS_BIN).
 */
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:fs';
import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { Queue } from 'bullmq';
import { parse, stringify } from 'yaml';
import { generateKeyring, parseKeyring, signEnvelope } from '../../shared/envelope/index.js';
import { shardQueueName } from '../../shared/queues/names.js';
import { startRedis, type RedisHandle } from '../helpers/redis-server.js';
import {
  REPO_ROOT,
  freePort,
  newKeys,
  postQuery,
  startCoordinatorProcess,
  startShardProcess,
  waitFor,
  waitForShards,
  type CoordinatorProcess,
  type ServiceProcess,
} from '../helpers/fleet-processes.js';

const run = promisify(execFile);

const PROMETHEUS_CONFIG = join(REPO_ROOT, 'deploy', 'prometheus', 'prometheus.yml');
const DASHBOARD = join(REPO_ROOT, 'deploy', 'grafana', 'dashboards', 'memfleet.json');
const HEALTHCHECK = join(REPO_ROOT, 'deploy', 'healthcheck.mjs');
const SCRAPE_INTERVAL_MS = 1_000;
/** Replicas per domain; two of harbor so sums over replicas and `--scale` are exercised. */
const REPLICAS: Record<string, number> = { harbor: 2, kitchen: 1, observatory: 1 };

/**
 * Grafana's built-in variables, as Grafana would fill them for a 5-minute view of
 * a 1 s scrape interval. Template variables (like $shard) become ".*", i.e. "All".
 */
const BUILTIN_VARIABLES: Record<string, string> = {
  __rate_interval: '1m',
  __interval: '5s',
  __interval_ms: '5000',
  __range: '5m',
  __range_s: '300',
  __range_ms: '300000',
};

const QUESTIONS = [
  'Who is the captain of the schooner Albatross?',
  'How many degrees did the tail of comet Halvorsen stretch?',
  'What does grandmother put in plum jam?',
  'Which ship carries the cargo of salt?',
  'plum jam cinnamon',
  'moons of the outer planets',
];

// ---- Prometheus -------------------------------------------------------------

async function executable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function findPrometheus(): Promise<string | undefined> {
  const candidates = [process.env.PROMETHEUS_BIN, '/usr/bin/prometheus', ...(process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, 'prometheus'))];
  for (const candidate of candidates) if (candidate && (await executable(candidate))) return candidate;
  return undefined;
}

/** Debian's package, installed when missing and allowed (root); otherwise a clear failure. */
async function ensurePrometheus(): Promise<string> {
  const found = await findPrometheus();
  if (found) return found;
  const missing = 'Prometheus is not installed: apt-get install prometheus (Debian), or set PROMETHEUS_BIN to a prometheus binary.';
  if (process.getuid?.() !== 0 || !(await executable('/usr/bin/apt-get'))) throw new Error(missing);
  process.stderr.write('prometheus not found; installing it with apt-get\n');
  const options = { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, timeout: 600_000 };
  try {
    await run('apt-get', ['install', '-y', '--no-install-recommends', 'prometheus'], options);
  } catch {
    await run('apt-get', ['update'], options); // a machine whose package lists were never fetched
    await run('apt-get', ['install', '-y', '--no-install-recommends', 'prometheus'], options);
  }
  const installed = await findPrometheus();
  if (!installed) throw new Error(`${missing} (apt-get install ran but no binary was found)`);
  return installed;
}

interface LocalTargets {
  coordinator: string;
  prometheus: string;
  /** domain -> host:port of each replica's /metrics */
  shards: Map<string, string[]>;
}

/**
 * deploy/prometheus/prometheus.yml with the compose-only parts swapped for local ones:
 * static targets instead of Docker DNS (each carrying the `__meta_dns_name` that DNS
 * discovery would set, so the relabel rules run unchanged), 1 s intervals, absolute
 * rule file paths. Every other setting (job names, honor_labels, relabel rules) is kept.
 */
function localPrometheusConfig(composeConfig: string, targets: LocalTargets): string {
  const config = parse(composeConfig);
  config.global = { ...config.global, scrape_interval: `${SCRAPE_INTERVAL_MS / 1000}s`, evaluation_interval: `${SCRAPE_INTERVAL_MS / 1000}s` };
  config.rule_files = (config.rule_files as string[]).map((file) => join(REPO_ROOT, 'deploy', 'prometheus', file));
  const hosts: Record<string, string> = { 'coordinator:8080': targets.coordinator, 'localhost:9090': targets.prometheus };
  for (const job of config.scrape_configs as Record<string, any>[]) {
    for (const sc of job.static_configs ?? []) {
      sc.targets = (sc.targets as string[]).map((t) => {
        const local = hosts[t];
        if (!local) throw new Error(`job ${job.job_name}: no local process stands in for target ${t}; teach this test about it`);
        return local;
      });
    }
    if (job.dns_sd_configs) {
      const staticConfigs: { targets: string[]; labels: Record<string, string> }[] = [];
      for (const sd of job.dns_sd_configs as { names: string[]; type: string; port: number }[]) {
        assert.equal(sd.type, 'A', `job ${job.job_name}: the compose config resolves replicas with A records`);
        for (const name of sd.names) assert.match(name, /^shard-/, `job ${job.job_name}: DNS names are compose services shard-<domain>`);
      }
      for (const [domain, replicas] of targets.shards) {
        staticConfigs.push({ targets: replicas, labels: { __meta_dns_name: `shard-${domain}` } });
      }
      delete job.dns_sd_configs;
      job.static_configs = staticConfigs;
    }
  }
  return stringify(config);
}

interface PromResult {
  metric: Record<string, string>;
  value?: [number, string];
  values?: [number, string][];
}

class PrometheusClient {
  constructor(readonly url: string) {}

  private async get<T>(path: string, params: Record<string, string> = {}): Promise<T> {
    const res = await fetch(`${this.url}${path}?${new URLSearchParams(params)}`);
    const body = (await res.json()) as { status: string; data: T; error?: string; errorType?: string };
    if (body.status !== 'success') throw new Error(`${path} ${JSON.stringify(params)}: ${body.errorType ?? res.status}: ${body.error ?? 'failed'}`);
    return body.data;
  }

  async query(expr: string): Promise<{ resultType: string; result: PromResult[] | [number, string] }> {
    return this.get('/api/v1/query', { query: expr });
  }

  async vector(expr: string): Promise<PromResult[]> {
    const data = await this.query(expr);
    assert.equal(data.resultType, 'vector', `${expr} should be an instant vector`);
    return data.result as PromResult[];
  }

  async targets(): Promise<{ labels: Record<string, string>; health: string; lastScrape: string; lastError: string; scrapeUrl: string }[]> {
    return (await this.get<{ activeTargets: never[] }>('/api/v1/targets', { state: 'active' })).activeTargets;
  }

  async labelValues(label: string, match: string): Promise<string[]> {
    return this.get(`/api/v1/label/${label}/values`, { 'match[]': match });
  }

  async rules(): Promise<{ name: string; health: string; lastError?: string; state?: string; type: string; lastEvaluation: string }[]> {
    const data = await this.get<{ groups: { rules: never[] }[] }>('/api/v1/rules');
    return data.groups.flatMap((g) => g.rules);
  }
}

// ---- the dashboard ----------------------------------------------------------

interface PanelTarget {
  panel: string;
  refId: string;
  expr: string;
}

interface Dashboard {
  panels: { title: string; targets?: { refId: string; expr: string }[]; panels?: Dashboard['panels'] }[];
  templating?: { list: { name: string; type: string; query?: string | { query: string } }[] };
}

function panelTargets(dashboard: Dashboard): PanelTarget[] {
  const out: PanelTarget[] = [];
  const visit = (panels: Dashboard['panels']) => {
    for (const panel of panels) {
      for (const t of panel.targets ?? []) out.push({ panel: panel.title, refId: t.refId, expr: t.expr });
      if (panel.panels) visit(panel.panels);
    }
  };
  visit(dashboard.panels);
  return out;
}

/** Replaces $var, ${var}, ${var:format} and [[var]] as Grafana would before sending the query. */
function substituteVariables(expr: string, templateVariables: ReadonlySet<string>): string {
  return expr.replace(/\$\{(\w+)(?::[^}]*)?\}|\[\[(\w+)(?::[^\]]*)?\]\]|\$(\w+)/g, (whole, a?: string, b?: string, c?: string) => {
    const name = (a ?? b ?? c) as string;
    const builtin = BUILTIN_VARIABLES[name];
    if (builtin !== undefined) return builtin;
    if (templateVariables.has(name)) return '.*';
    throw new Error(`unknown Grafana variable ${whole} in: ${expr}`);
  });
}

function describeResult(result: PromResult[]): string {
  return result.map((r) => `${JSON.stringify(r.metric)}=${r.value?.[1]}`).join(', ');
}

// ---- the test ---------------------------------------------------------------

describe('Prometheus scraping the fleet proves the Grafana dashboard', () => {
  let redis: RedisHandle;
  let coordinator: CoordinatorProcess;
  const shards: { domain: string; proc: ServiceProcess; metricsPort: number }[] = [];
  let prometheus: ChildProcess | undefined;
  let prometheusOutput = '';
  let workDir: string | undefined;
  let prom: PrometheusClient;
  let keys: ReturnType<typeof newKeys>;

  // A crashed test run must not leave Prometheus or fleet processes behind.
  const killAllNow = () => {
    if (prometheus?.pid && prometheus.exitCode === null) {
      try {
        process.kill(-prometheus.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    for (const s of shards) if (s.proc.proc.exitCode === null) s.proc.proc.kill('SIGKILL');
    if (coordinator && coordinator.proc.exitCode === null) coordinator.proc.kill('SIGKILL');
  };
  process.once('exit', killAllNow);

  before(async () => {
    const prometheusBin = await ensurePrometheus();
    redis = await startRedis();
    keys = newKeys();
    const env = {
      REDIS_URL: redis.url,
      MEMFLEET_PREFIX: redis.prefix,
      ...keys,
      LOG_LEVEL: 'warn',
      HEARTBEAT_INTERVAL_MS: '500',
      // Long enough that a killed replica still looks live for the two timeouts below.
      HEARTBEAT_TTL_MS: '5000',
    };
    coordinator = await startCoordinatorProcess({ ...env, QUERY_TIMEOUT_MS: '5000' });
    for (const [domain, count] of Object.entries(REPLICAS)) {
      for (let i = 0; i < count; i++) {
        const metricsPort = await freePort();
        shards.push({ domain, metricsPort, proc: await startShardProcess(domain, env, undefined, metricsPort) });
      }
    }
    await waitForShards(coordinator.url, REPLICAS);
    for (const s of shards) {
      await waitFor(`${s.proc.name} /readyz`, async () => (await fetch(`http://127.0.0.1:${s.metricsPort}/readyz`)).ok, 20_000, s.proc);
    }

    workDir = await mkdtemp(join(tmpdir(), 'memfleet-prometheus-'));
    const promPort = await freePort();
    const byDomain = new Map<string, string[]>();
    for (const s of shards) byDomain.set(s.domain, [...(byDomain.get(s.domain) ?? []), `127.0.0.1:${s.metricsPort}`]);
    const config = localPrometheusConfig(await readFile(PROMETHEUS_CONFIG, 'utf8'), {
      coordinator: `127.0.0.1:${coordinator.port}`,
      prometheus: `127.0.0.1:${promPort}`,
      shards: byDomain,
    });
    await writeFile(join(workDir, 'prometheus.yml'), config);
    // Its own process group, so after() can end it and anything it started in one signal.
    prometheus = spawn(
      prometheusBin,
      [
        `--config.file=${join(workDir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(workDir, 'data')}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
        '--log.level=warn',
      ],
      { detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    prometheus.stdout?.on('data', (d: Buffer) => (prometheusOutput = (prometheusOutput + d.toString()).slice(-8000)));
    prometheus.stderr?.on('data', (d: Buffer) => (prometheusOutput = (prometheusOutput + d.toString()).slice(-8000)));
    prom = new PrometheusClient(`http://127.0.0.1:${promPort}`);
    await waitFor(
      'prometheus /-/ready',
      async () => {
        if (prometheus?.exitCode !== null) throw new Error(`prometheus exited:\n${prometheusOutput}`);
        return (await fetch(`${prom.url}/-/ready`)).ok;
      },
      30_000,
    );
    await waitFor(
      'every target scraped successfully',
      async () => {
        const targets = await prom.targets();
        return targets.length === 2 + shards.length && targets.every((t) => t.health === 'up');
      },
      30_000,
    );
  });

  after(async () => {
    if (prometheus?.pid && prometheus.exitCode === null) {
      const exited = new Promise((resolve) => prometheus?.once('exit', resolve));
      try {
        process.kill(-prometheus.pid, 'SIGTERM');
      } catch {
        // already gone
      }
      const timer = setTimeout(() => prometheus?.pid && process.kill(-prometheus.pid, 'SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    await Promise.all(shards.map((s) => s.proc.stop()));
    await coordinator?.stop();
    await redis?.stop();
    if (workDir) await rm(workDir, { recursive: true, force: true });
    process.removeListener('exit', killAllNow);
  });

  test('When Prometheus scrapes the fleet, then every replica is a target labelled with its shard, through the same relabel rules as compose', async () => {
    const targets = await prom.targets();
    const shardTargets = targets.filter((t) => t.labels.job === 'memfleet-shard');
    const perShard: Record<string, number> = {};
    for (const t of shardTargets) perShard[t.labels.shard as string] = (perShard[t.labels.shard as string] ?? 0) + 1;
    assert.deepEqual(perShard, REPLICAS);
    assert.ok(targets.some((t) => t.labels.job === 'memfleet-coordinator' && t.health === 'up'));
    // Shards label their own series: honor_labels keeps shard= as is, no exported_shard.
    const exported = await prom.vector('count({exported_shard!=""})');
    assert.equal(exported.length, 0, `series with exported_shard: ${describeResult(exported)}`);
  });

  test('When the image healthcheck probes a running coordinator or shard, then it passes, and it fails when nothing listens', async () => {
    const shard = shards[0]!;
    const base = { PATH: process.env.PATH };
    await run(process.execPath, [HEALTHCHECK, 'shard'], { env: { ...base, METRICS_PORT: String(shard.metricsPort), PORT: String(coordinator.port) } });
    await run(process.execPath, [HEALTHCHECK, 'coordinator'], { env: { ...base, PORT: String(coordinator.port), METRICS_PORT: String(shard.metricsPort) } });
    const deadPort = await freePort();
    await assert.rejects(run(process.execPath, [HEALTHCHECK, 'shard'], { env: { ...base, METRICS_PORT: String(deadPort) } }), /unreachable/);
    await assert.rejects(run(process.execPath, [HEALTHCHECK, 'shard'], { env: { ...base, METRICS_PORT: '0' } }), /random port/);
  });

  test('When queries, a forged job and a shard timeout have happened, then every panel expression of the dashboard returns data', { timeout: 120_000 }, async () => {
    // A few queries first, so the histogram series exist before the main traffic moves them:
    // prom-client creates a labelled series on its first observation, and rate() needs two samples.
    for (const question of QUESTIONS.slice(0, 3)) assert.equal((await postQuery(coordinator.url, { question })).status, 200);
    await waitForScrapes(prom, Date.now(), 1);

    // ~30 queries over a few seconds (several scrapes), broadcast and routed, a few concurrent.
    for (let i = 0; i < 10; i++) {
      const batch = [0, 1, 2].map((j) => {
        const question = QUESTIONS[(i * 3 + j) % QUESTIONS.length] as string;
        return postQuery(coordinator.url, { question, mode: (i + j) % 2 === 0 ? 'broadcast' : 'routed' });
      });
      for (const { status, json } of await Promise.all(batch)) assert.equal(status, 200, JSON.stringify(json));
      await sleep(150);
    }

    // A job signed with a key the shards do not hold, straight into a shard queue.
    const queue = new Queue(shardQueueName('harbor'), { connection: { url: redis.url }, prefix: redis.prefix });
    try {
      const body = JSON.stringify({ queryId: 'q_forgedjob0001', question: 'Who is the captain?', topK: 3, deadline: Date.now() + 60_000, conversation: [] });
      const attacker = parseKeyring(generateKeyring('coord1'), 'ATTACKER');
      const job = await queue.add('query', signEnvelope(body, attacker), { jobId: 'forged-1' });
      await waitFor('the forged job to fail', async () => (await job.getState()) === 'failed', 10_000);
    } finally {
      await queue.close();
    }

    // A replica dies; its heartbeat is still fresh, so the coordinator still sends it
    // jobs, which nobody picks up before the deadline. Two timeouts a scrape apart, so
    // rate() sees the timeout series grow (its first sample already holds the first one).
    const kitchen = shards.find((s) => s.domain === 'kitchen')!;
    await kitchen.proc.kill();
    for (let i = 0; i < 2; i++) {
      if (i > 0) await waitForScrapes(prom, Date.now(), 1);
      const timedOut = await postQuery(coordinator.url, { question: 'plum jam', shards: ['kitchen'], timeoutMs: 300 });
      assert.equal(timedOut.status, 200, JSON.stringify(timedOut.json));
      assert.equal((timedOut.json.shards as { status: string }[])[0]?.status, 'timeout', JSON.stringify(timedOut.json.shards));
    }

    await waitForScrapes(prom, Date.now(), 2);

    const dashboard = JSON.parse(await readFile(DASHBOARD, 'utf8')) as Dashboard;
    const variables = new Set((dashboard.templating?.list ?? []).map((v) => v.name));
    const targets = panelTargets(dashboard);
    assert.ok(targets.length >= 15, `expected the dashboard's panel targets, found ${targets.length}`);
    const failures: string[] = [];
    const results = new Map<string, PromResult[]>();
    for (const t of targets) {
      const where = `panel "${t.panel}" target ${t.refId}`;
      try {
        const expr = substituteVariables(t.expr, variables);
        const data = await prom.query(expr);
        const result = data.resultType === 'scalar' ? [{ metric: {}, value: data.result as [number, string] }] : (data.result as PromResult[]);
        if (result.length === 0) failures.push(`${where}: no data for ${expr}`);
        else if (result.every((r) => r.value?.[1] === 'NaN')) failures.push(`${where}: only NaN for ${expr}: ${describeResult(result)}`);
        results.set(`${t.panel}/${t.refId}`, result);
      } catch (err) {
        failures.push(`${where}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    assert.deepEqual(failures, [], `dashboard queries that failed:\n${failures.join('\n')}`);

    // The data is the fleet's, not just any data.
    const value = (key: string, labels: Record<string, string>) =>
      results.get(key)?.find((r) => Object.entries(labels).every(([k, v]) => r.metric[k] === v))?.value?.[1];
    assert.equal(value('Live replicas per shard/A', { shard: 'harbor' }), '2', 'memfleet_shard_up counts both harbor replicas');
    assert.equal(value('Live replicas per shard/B', { shard: 'harbor' }), '2', 'Prometheus scrapes both harbor replicas');
    assert.ok(value('Shard round trips by outcome/A', { shard: 'kitchen', outcome: 'timeout' }) !== undefined, 'the kitchen timeout is visible');
    assert.ok(Number(value('Rejected envelopes (since process start)/A', {})) >= 1, 'the forged job is counted');
    const rejected = await prom.vector('sum by (reason) (memfleet_envelope_rejected_total)');
    assert.ok(rejected.some((r) => r.metric.reason === 'bad_signature'), describeResult(rejected));
    for (const outcome of ['ok', 'failed']) {
      assert.ok(value('Queries per second by outcome/A', { outcome }) !== undefined, `queries with outcome ${outcome} are visible`);
    }

    // The $shard variable's own query lists every domain.
    for (const variable of dashboard.templating?.list ?? []) {
      const query = typeof variable.query === 'string' ? variable.query : variable.query?.query;
      const labelValues = /^label_values\((.+),\s*(\w+)\)$/.exec(query ?? '');
      assert.ok(labelValues, `variable ${variable.name}: unsupported query ${query}`);
      const values = await prom.labelValues(labelValues[2] as string, labelValues[1] as string);
      assert.deepEqual(values.sort(), Object.keys(REPLICAS).sort(), `variable ${variable.name}`);
    }
  });

  test('When the alert rules run against the fleet, then every rule evaluates without error and the rejected-envelope alert fires', { timeout: 60_000 }, async () => {
    await waitFor(
      'MemfleetEnvelopesRejected firing',
      async () => (await prom.rules()).some((r) => r.name === 'MemfleetEnvelopesRejected' && r.state === 'firing'),
      20_000,
    );
    const rules = await prom.rules();
    assert.ok(rules.length >= 5, `expected the rules of deploy/prometheus/alerts.yml, found ${rules.length}`);
    const broken = rules.filter((r) => r.health !== 'ok').map((r) => `${r.name}: ${r.health} ${r.lastError ?? ''}`);
    assert.deepEqual(broken, []);
    const timeouts = rules.find((r) => r.name === 'MemfleetShardRoundtripTimeouts');
    assert.ok(timeouts && timeouts.state !== 'inactive', `the kitchen timeout makes MemfleetShardRoundtripTimeouts pending (state ${timeouts?.state})`);
  });
});

/** Resolves once every target has been scraped `count` times after `since`. */
async function waitForScrapes(prom: PrometheusClient, since: number, count: number): Promise<void> {
  const after = since + (count - 1) * SCRAPE_INTERVAL_MS + 50;
  await waitFor(`${count} scrapes of every target`, async () => (await prom.targets()).every((t) => Date.parse(t.lastScrape) > after), 15_000);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
