/**
 * The compose stack, run for real on the machine's Docker engine (`npm run test:deploy`):
 * build the image, start every service but Grafana from docker-compose.yml with a
 * generated .env on free host ports, ask the README's questions, scale a shard to 3
 * replicas, check Prometheus sees them, kill and crash replicas under load, restart
 * Redis, run a coordinator and a shard that share nothing but Redis, and tear it all down.
 *
 * Never skips: without an engine it fails and says how to get one (test/helpers/docker.ts).
 * The checkout's own .env is never read or written: the run's .env lives in a temporary
 * folder, passed with --env-file (interpolation) and an override that points each
 * service's env_file at it. The exact commands are in docs/operations.md.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse, stringify } from 'yaml';
import { DOMAIN_NAMES } from '../../scripts/demo/config.js';
import { generateKeyring } from '../../shared/envelope/index.js';
import { ComposeProject, inspect, leftovers, requireEngine, run } from '../helpers/docker.js';
import { ask, sleep, type QueryOutcome } from '../helpers/fault-kit.js';
import { CLI, FIXTURE_CONTEXTS, REPO_ROOT, fileLines, freePort, lineOf, waitFor } from '../helpers/fleet-processes.js';
import { citeOf, readmeExamples } from '../helpers/readme-examples.js';

const PROJECT = `memfleet-deploy-${randomBytes(3).toString('hex')}`;
const SCALED = 'moby-dick-1';
const SCALED_SERVICE = `shard-${SCALED}`;
/** A killed replica's jobs wait for lock expiry (5 s) and a stalled check (2 s) before another replica takes them. */
const DEADLINE_MS = 15_000;
/** Questions the scaled shard answers (README example and a Moby-Dick classic). */
const SCALED_QUESTIONS = ['Whose name was painted on the swinging sign of the Spouter Inn?', 'Who is Queequeg?', 'What did Ahab nail to the mainmast?'];
const SOLO_LABEL = `memfleet.deploy-test=${PROJECT}`;

interface Citation { shard: string; source: string; line: number; endLine: number; text: string }
interface Outcome { shard: string; status: string; replica?: string; error?: string }
interface ShardRow { shard: string; status: string; replicas: number }

/** What the run measured; printed at the end and quoted in docs/operations.md. */
const measured: Record<string, string | number> = {};

/** The .env lines holding secrets, as the documented setup makes them: `memfleet keys --domains <demo domains>`. */
async function secretLines(): Promise<Record<string, string>> {
  const keys = await run(process.execPath, [CLI, 'keys', '--domains', DOMAIN_NAMES.join(',')], { timeoutMs: 30_000 });
  const lines: Record<string, string> = {};
  for (const m of keys.stdout.matchAll(/^([A-Z][A-Z0-9_]*)=(.*)$/gm)) lines[m[1] as string] = m[2] as string;
  assert.ok(lines.MEMFLEET_HMAC_KEYS && lines.MEMFLEET_DOMAIN_QUERY_KEYS_MOBY_DICK_1, 'memfleet keys printed the masters and the domain keys');
  lines.GRAFANA_ADMIN_PASSWORD = randomBytes(16).toString('hex');
  return lines;
}

/** .env.example with `values` filled in (replacing `NAME=` or `# NAME=` lines, appending the rest). */
function fillEnv(example: string, values: Record<string, string>): string {
  let text = example;
  for (const [name, value] of Object.entries(values)) {
    const line = new RegExp(`^#?\\s*${name}=.*$`, 'm');
    text = line.test(text) ? text.replace(line, () => `${name}=${value}`) : `${text.trimEnd()}\n${name}=${value}\n`;
  }
  return text;
}

interface Streamed { sentAt: number; at: number; outcome: QueryOutcome }

/**
 * Runs queries on `lanes` parallel lanes until stop() is called; keeps every outcome with its
 * times. A lane whose query failed waits 100 ms before the next, so an outage is not a busy loop.
 */
function queryStream(send: (i: number) => Promise<QueryOutcome>, lanes: number): { stop: () => Promise<Streamed[]>; inFlightSince: (t: number) => number } {
  const outcomes: Streamed[] = [];
  const inFlight = new Map<number, number>();
  let running = true;
  let n = 0;
  const lane = async (): Promise<void> => {
    while (running) {
      const i = n++;
      const sentAt = Date.now();
      inFlight.set(i, sentAt);
      const outcome = await send(i);
      inFlight.delete(i);
      outcomes.push({ sentAt, at: Date.now(), outcome });
      if (failure(outcome) !== undefined) await sleep(100);
    }
  };
  const all = Promise.all(Array.from({ length: lanes }, lane));
  return {
    stop: async () => {
      running = false;
      await all;
      return outcomes;
    },
    /** Queries sent before `t` and still unanswered. */
    inFlightSince: (t) => [...inFlight.values()].filter((sentAt) => sentAt < t).length,
  };
}

/** A query failed unless it answered 200 with every shard it asked `ok`. */
function failure(o: QueryOutcome): string | undefined {
  if (o.status !== 200) return `HTTP ${o.status} ${o.networkError ?? JSON.stringify(o.json).slice(0, 200)}`;
  const bad = ((o.json.shards ?? []) as Outcome[]).filter((s) => s.status !== 'ok');
  return bad.length > 0 ? `shards not ok: ${JSON.stringify(bad)}` : undefined;
}

describe('the compose stack on a real Docker engine', { timeout: 600_000 }, () => {
  let dir: string;
  let compose: ComposeProject;
  let url: string;
  let prometheusUrl: string;
  let token: string;
  let secrets: Record<string, string>;
  let services: string[];
  let shardServices: string[];
  let down = false;

  const headers = (): Record<string, string> => ({ authorization: `Bearer ${token}` });
  const shardsNow = async (base = url): Promise<ShardRow[]> => {
    const res = await fetch(`${base}/v1/shards`, { headers: headers(), signal: AbortSignal.timeout(5_000) });
    assert.equal(res.status, 200, `GET /v1/shards answered ${res.status}`);
    return (await res.json()) as ShardRow[];
  };
  const replicasOf = async (shard: string): Promise<number> => (await shardsNow()).find((r) => r.shard === shard)?.replicas ?? 0;
  const askScaled = (i: number): Promise<QueryOutcome> =>
    ask(url, { question: SCALED_QUESTIONS[i % SCALED_QUESTIONS.length], shards: [SCALED], timeoutMs: DEADLINE_MS }, { token, timeoutMs: DEADLINE_MS + 15_000 });
  /** `up` for every service but Grafana, keeping the scaled shard at `replicas`. */
  const upArgs = (replicas: number): string[] => ['up', '-d', '--wait', '--no-build', '--no-recreate', '--scale', `${SCALED_SERVICE}=${replicas}`, ...services];

  before(async () => {
    const engine = await requireEngine();
    measured.engine = `Docker ${engine.engine}, Compose ${engine.compose}`;
    dir = mkdtempSync(join(tmpdir(), 'memfleet-deploy-'));
    const [httpPort, prometheusPort, grafanaPort] = [await freePort(), await freePort(), await freePort()];
    secrets = await secretLines();
    token = secrets.MEMFLEET_API_TOKEN as string;
    assert.ok(token, 'the generated .env has an API token');
    const envFile = join(dir, '.env');
    writeFileSync(envFile, fillEnv(readFileSync(join(REPO_ROOT, '.env.example'), 'utf8'), {
      ...secrets,
      // Every query of this test comes from one address (the bridge gateway), at up to ~50 a second:
      // the per-IP limit (default 600 a minute) would answer 429 to the load, not to the faults.
      RATE_LIMIT_PER_MIN: '0',
      MEMFLEET_HTTP_PORT: String(httpPort),
      PROMETHEUS_PORT: String(prometheusPort),
      GRAFANA_PORT: String(grafanaPort),
    }), { mode: 0o600 });
    url = `http://127.0.0.1:${httpPort}`;
    prometheusUrl = `http://127.0.0.1:${prometheusPort}`;

    // Every service that reads .env through env_file reads this run's .env instead.
    // (`docker compose config` cannot list them: it stops at the missing checkout .env.)
    const config = parse(readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, { env_file?: unknown }> };
    const override = join(dir, 'env-file.override.yml');
    const withEnvFile = Object.entries(config.services).filter(([, s]) => s.env_file !== undefined).map(([name]) => name);
    writeFileSync(override, stringify({ services: Object.fromEntries(withEnvFile.map((name) => [name, { env_file: [{ path: envFile, required: true }] }])) })
      .replace(/env_file:\n/g, 'env_file: !override\n'));
    compose = new ComposeProject(PROJECT, REPO_ROOT, [join(REPO_ROOT, 'docker-compose.yml'), override], envFile);

    services = Object.keys(config.services).filter((s) => s !== 'grafana');
    shardServices = services.filter((s) => s.startsWith('shard-')).sort();
    assert.deepEqual(shardServices, DOMAIN_NAMES.map((d) => `shard-${d}`).sort(), 'one shard service per demo domain');
  });

  after(async () => {
    if (compose && !down) await compose.run(['down', '-v', '--remove-orphans', '--timeout', '10'], { allowFail: true, timeoutMs: 120_000 });
    const solo = await run('docker', ['ps', '-a', '-q', '--filter', `label=${SOLO_LABEL}`], { allowFail: true });
    for (const id of solo.stdout.split('\n').filter(Boolean)) await run('docker', ['rm', '-f', '-v', id], { allowFail: true });
    for (const net of ['coord', 'shard']) await run('docker', ['network', 'rm', `${PROJECT}-solo-${net}`], { allowFail: true });
    if (dir) rmSync(dir, { recursive: true, force: true });
    console.log(`deploy measurements: ${JSON.stringify(measured, null, 2)}`);
  });

  // The classic builder (DOCKER_BUILDKIT=0) is proven by its own .ci/run stage: a cold classic build
  // shares no cache with BuildKit and would double this test's time.
  test('When the image is built with BuildKit (docker compose build), then it builds offline from the local base image, on Node 26', async () => {
    const started = Date.now();
    await compose.run(['build', 'coordinator'], { timeoutMs: 900_000, env: { ...process.env, DOCKER_BUILDKIT: '1' } });
    measured.buildKitBuildSec = (Date.now() - started) / 1000;
    const node = await run('docker', ['run', '--rm', '--entrypoint', 'node', 'memfleet:local', '--version']);
    measured.imageNode = node.stdout.trim();
    assert.match(node.stdout.trim(), /^v26\./, 'the image runs Node.js 26, the active LTS line');
  });

  test('When every service but Grafana is started with --wait, then all are healthy and the coordinator sees every demo domain', async () => {
    const started = Date.now();
    await compose.run(['up', '-d', '--wait', '--no-build', ...services], { timeoutMs: 300_000 });
    measured.timeToHealthySec = (Date.now() - started) / 1000;
    for (const service of services) {
      for (const id of await compose.containers(service)) {
        const state = await inspect(id);
        assert.ok(state.running, `${service} runs`);
        if (state.health !== undefined) assert.equal(state.health, 'healthy', `${service} is healthy`);
      }
    }
    await waitFor('every demo domain with a live replica', async () => (await shardsNow()).filter((r) => r.replicas >= 1).length === DOMAIN_NAMES.length, 60_000);
    measured.timeToAllShardsUpSec = (Date.now() - started) / 1000;
    const rows = await shardsNow();
    assert.deepEqual(rows.map((r) => r.shard).sort(), [...DOMAIN_NAMES].sort());
  });

  test('When the README questions are asked over HTTP with the token, then each cites first what the README says; without it, 401', async () => {
    const examples = readmeExamples();
    assert.equal(examples.length, 3);
    for (const { question, cite } of examples) {
      const o = await ask(url, { question, topK: 3 }, { token });
      assert.equal(o.status, 200, JSON.stringify(o.json));
      const top = (o.json.citations as Citation[])[0];
      assert.ok(top, `no citation for "${question}"`);
      assert.equal(citeOf(top), cite, `README says "${question}" cites ${cite}`);
      assert.deepEqual(((o.json.shards as Outcome[]).map((s) => s.status)), DOMAIN_NAMES.map(() => 'ok'), 'a broadcast reaches every domain');
    }
    const open = await ask(url, { question: 'Who is Queequeg?' });
    assert.equal(open.status, 401, 'the .env token is enforced');
  });

  test(`When ${SCALED_SERVICE} is scaled to 3, then /v1/shards counts 3 replicas and each of the 3 containers answers queries`, async () => {
    await compose.run(upArgs(3), { timeoutMs: 300_000 });
    await waitFor(`${SCALED} with 3 replicas`, async () => (await replicasOf(SCALED)) === 3, 30_000);
    const containers = await compose.containers(SCALED_SERVICE);
    assert.equal(containers.length, 3);
    // REPLICA_ID defaults to <hostname>-<pid>, and a container's hostname is its short id.
    const want = new Set(containers.map((id) => id.slice(0, 12)));
    const seen = new Set<string>();
    for (let i = 0; i < 300 && seen.size < want.size; i += 6) {
      const batch = await Promise.all(Array.from({ length: 6 }, (_, j) => askScaled(i + j)));
      for (const o of batch) {
        assert.equal(failure(o), undefined);
        for (const s of o.json.shards as Outcome[]) if (s.replica) seen.add(s.replica.replace(/-\d+$/, ''));
      }
    }
    assert.deepEqual([...seen].sort(), [...want].sort(), 'every replica answered (shards[].replica)');
  });

  test('When Prometheus discovers the replicas through Docker DNS, then every target is up and the scaled shard has round-trip samples', async () => {
    const started = Date.now();
    type Target = { labels: Record<string, string>; health: string; lastError: string };
    let targets: Target[] = [];
    await waitFor('Prometheus targets: 3 replicas of the scaled shard, every target up', async () => {
      const res = await fetch(`${prometheusUrl}/api/v1/targets?state=active`);
      targets = ((await res.json()) as { data: { activeTargets: Target[] } }).data.activeTargets;
      const scaled = targets.filter((t) => t.labels.job === 'memfleet-shard' && t.labels.shard === SCALED);
      return scaled.length === 3 && targets.every((t) => t.health === 'up');
    }, 120_000).catch((err: Error) => {
      throw new Error(`${err.message}\n${JSON.stringify(targets.map((t) => [t.labels.job, t.labels.shard, t.labels.instance, t.health, t.lastError]))}`);
    });
    const shardTargets = targets.filter((t) => t.labels.job === 'memfleet-shard');
    assert.equal(shardTargets.length, DOMAIN_NAMES.length + 2, 'one target per replica: 4 domains × 1 + 3');
    assert.deepEqual([...new Set(shardTargets.map((t) => t.labels.shard))].sort(), [...DOMAIN_NAMES].sort());
    assert.ok(targets.some((t) => t.labels.job === 'memfleet-coordinator' && t.health === 'up'));

    const query = `sum(memfleet_shard_roundtrip_seconds_count{shard="${SCALED}",outcome="ok"})`;
    let samples = 0;
    await waitFor('round-trip samples of the scaled shard in Prometheus', async () => {
      const res = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(query)}`);
      const result = ((await res.json()) as { data: { result: { value: [number, string] }[] } }).data.result;
      samples = Number(result[0]?.value[1] ?? 0);
      return samples > 0;
    }, 60_000);
    measured.prometheusSeesReplicasSec = (Date.now() - started) / 1000;
    measured.scaledShardRoundtripSamples = samples;
  });

  test('When one replica is docker-killed while it holds jobs, under a stream of queries, then no query fails and the others carry on', async () => {
    const [victim] = await compose.containers(SCALED_SERVICE);
    assert.ok(victim);
    const stream = queryStream(askScaled, 4);
    await sleep(1_500);
    // Freeze the victim until it provably holds a job: a query still unanswered 1.5 s after the
    // freeze, when the other replicas answer in milliseconds. Then kill it, frozen.
    let held = 0;
    for (let attempt = 1; attempt <= 15 && held === 0; attempt++) {
      // The cgroup v1 freezer sometimes cannot freeze a busy process in time ("unable to freeze"): try again.
      const paused = await run('docker', ['pause', victim], { allowFail: true });
      if (paused.code !== 0) {
        measured.killPauseRefusals = Number(measured.killPauseRefusals ?? 0) + 1;
        await sleep(300);
        continue;
      }
      const pausedAt = Date.now();
      await sleep(1_500);
      held = stream.inFlightSince(pausedAt);
      measured.killPauseAttempts = attempt;
      if (held === 0) {
        await run('docker', ['unpause', victim]);
        await sleep(200 + Math.random() * 300);
      }
    }
    await run('docker', ['kill', victim]);
    const killedAt = Date.now();
    measured.killHeldQueries = held;
    // Past lock expiry and a stalled check, so jobs the victim held have moved on.
    await sleep(10_000);
    const outcomes = await stream.stop();
    const during = outcomes.filter((o) => o.at >= killedAt);
    const failures = outcomes.map((o) => failure(o.outcome)).filter((f): f is string => f !== undefined);
    measured.killQueries = outcomes.length;
    measured.killQueriesAfterKill = during.length;
    measured.killFailures = failures.length;
    measured.killMaxLatencyMs = Math.max(...outcomes.map((o) => o.outcome.ms));
    assert.ok(held > 0, 'the killed replica held at least one job when it was killed');
    assert.ok(during.length > 10, `queries kept flowing after the kill (${during.length})`);
    assert.deepEqual(failures, [], 'no query failed while a replica was killed');

    // `docker kill` is a manual stop to Docker, so the restart policy leaves it stopped; compose starts it again.
    assert.equal((await inspect(victim)).running, false);
    const started = Date.now();
    await compose.run(upArgs(3), { timeoutMs: 120_000 });
    await waitFor(`${SCALED} back to 3 replicas`, async () => (await replicasOf(SCALED)) === 3, 30_000);
    measured.killedReplicaBackViaComposeSec = (Date.now() - started) / 1000;
  });

  test('When a replica crashes (its process SIGKILLed, as by the OOM killer) under queries, then the restart policy brings it back within seconds and no query fails', async () => {
    const victim = (await compose.containers(SCALED_SERVICE))[1];
    assert.ok(victim);
    const before = await inspect(victim);
    assert.ok(before.running && before.pid > 0);
    const stream = queryStream(askScaled, 4);
    await sleep(1_500);
    try {
      process.kill(before.pid, 'SIGKILL');
    } catch (err) {
      await stream.stop();
      throw new Error(`could not SIGKILL the container's process ${before.pid} from this host (${(err as Error).message}): the deploy test must run on the Docker host as root`);
    }
    const crashedAt = Date.now();
    await waitFor('the crashed replica restarted by Docker and healthy', async () => {
      const s = await inspect(victim);
      if (!s.running || s.restartCount <= before.restartCount) return false;
      const probe = await run('docker', ['exec', victim, 'node', 'deploy/healthcheck.mjs', 'shard'], { allowFail: true, timeoutMs: 10_000 });
      return probe.code === 0;
    }, 60_000);
    measured.crashedReplicaBackSec = (Date.now() - crashedAt) / 1000;
    await sleep(Math.max(0, 10_000 - (Date.now() - crashedAt)));
    const outcomes = await stream.stop();
    const failures = outcomes.map((o) => failure(o.outcome)).filter((f): f is string => f !== undefined);
    measured.crashQueries = outcomes.length;
    measured.crashFailures = failures.length;
    assert.deepEqual(failures, [], 'no query failed while a replica crashed and came back');
    assert.equal(await replicasOf(SCALED), 3);
  });

  test('When Redis restarts under queries, then queries answer again within seconds, every domain is back, and a written note is still cited', async () => {
    // A note written before the restart lives only in Redis (AOF in compose), not in any image or folder.
    const NOTE_QUESTION = 'Which locker holds the spare key for the harbour vault?';
    const noteShard = DOMAIN_NAMES[0] as string;
    const put = await fetch(`${url}/v1/shards/${noteShard}/sources/notes/deploy-handover.md`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain' },
      body: 'Handover: the spare key for the harbour vault is kept in locker 42B.\n',
    });
    assert.ok(put.status === 201 || put.status === 200, `PUT answered ${put.status}: ${await put.text()}`);
    const citesNote = async (): Promise<boolean> => {
      const o = await ask(url, { question: NOTE_QUESTION, shards: [noteShard], topK: 3 }, { token, timeoutMs: 10_000 });
      return o.status === 200 && ((o.json.citations ?? []) as Citation[]).some((c) => c.source === 'notes/deploy-handover.md');
    };
    assert.ok(await citesNote(), 'the note is cited before the restart');
    const stream = queryStream((i) => ask(url, { question: SCALED_QUESTIONS[i % SCALED_QUESTIONS.length], timeoutMs: 5_000 }, { token, timeoutMs: 20_000 }), 2);
    await sleep(1_000);
    const started = Date.now();
    await compose.run(['restart', 'redis'], { timeoutMs: 120_000 });
    const restarted = Date.now();
    measured.redisRestartCommandSec = (restarted - started) / 1000;
    let recoveredAt = 0;
    await waitFor('a complete broadcast answer after the Redis restart', async () => {
      const o = await ask(url, { question: 'Who is Queequeg?', timeoutMs: 5_000 }, { token, timeoutMs: 10_000 });
      if (failure(o) !== undefined) return false;
      recoveredAt = Date.now();
      return true;
    }, 60_000);
    measured.redisQueriesAnswerAgainSec = (recoveredAt - restarted) / 1000;
    const outcomes = await stream.stop();
    const during = outcomes.filter((o) => o.at >= started);
    const failed = during.filter((o) => failure(o.outcome) !== undefined);
    measured.redisQueriesDuring = during.length;
    measured.redisFailuresDuring = failed.length;
    measured.redisFailureStatuses = [...new Set(failed.map((o) => o.outcome.status))].join(',');
    measured.redisFailureWindowSec = failed.length > 0 ? ((failed.at(-1) as Streamed).at - (failed[0] as Streamed).sentAt) / 1000 : 0;
    assert.ok(recoveredAt - restarted < 30_000, `queries answered again ${recoveredAt - restarted} ms after the restart`);
    const rows = await shardsNow();
    assert.equal(rows.filter((r) => r.replicas >= 1).length, DOMAIN_NAMES.length, JSON.stringify(rows));
    await waitFor('the written note cited again after the Redis restart', citesNote, 30_000);
  });

  test('When the whole stack restarts, then the written note is still cited; after DELETE it is gone', async () => {
    const noteShard = DOMAIN_NAMES[0] as string;
    const citesNote = async (): Promise<boolean> => {
      const o = await ask(url, { question: 'Which locker holds the spare key for the harbour vault?', shards: [noteShard], topK: 3 }, { token, timeoutMs: 10_000 });
      return o.status === 200 && ((o.json.citations ?? []) as Citation[]).some((c) => c.source === 'notes/deploy-handover.md');
    };
    await compose.run(['restart', ...services], { timeoutMs: 180_000 });
    await waitFor('the note cited after every service restarted', citesNote, 90_000);
    const del = await fetch(`${url}/v1/shards/${noteShard}/sources/notes/deploy-handover.md`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
    assert.equal(del.status, 200, await del.text());
    assert.equal(await citesNote(), false, 'a forgotten note is never cited');
  });

  test('When a coordinator and a shard run as separate containers on separate networks, then they answer through Redis alone, from a mounted folder', async () => {
    const coordNet = `${PROJECT}-solo-coord`;
    const shardNet = `${PROJECT}-solo-shard`;
    const redisName = `${PROJECT}-solo-redis`;
    for (const net of [coordNet, shardNet]) await run('docker', ['network', 'create', '--label', SOLO_LABEL, net]);
    const label = ['--label', SOLO_LABEL];
    await run('docker', ['run', '-d', ...label, '--name', redisName, '--network', coordNet, 'redis:7', 'redis-server']);
    await run('docker', ['network', 'connect', shardNet, redisName]);
    const port = await freePort();
    const env = (vars: Record<string, string>): string[] => Object.entries(vars).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
    const common = { REDIS_URL: `redis://${redisName}:6379`, HOST: '0.0.0.0', MEMFLEET_PREFIX: 'solo' };
    // The coordinator gets the masters; the shard only harbor's derived keys (memfleet keys --derive).
    const masterVars = { MEMFLEET_HMAC_KEYS: secrets.MEMFLEET_HMAC_KEYS as string, MEMFLEET_SHARD_HMAC_KEYS: secrets.MEMFLEET_SHARD_HMAC_KEYS as string };
    const derived = await run(process.execPath, [CLI, 'keys', '--derive', '--domains', 'harbor', '--shard-names'], { env: { ...process.env, ...masterVars }, timeoutMs: 30_000 });
    const harborVars = Object.fromEntries([...derived.stdout.matchAll(/^([A-Z][A-Z0-9_]*)=(.*)$/gm)].map((m) => [m[1] as string, m[2] as string]));
    await run('docker', ['run', '-d', ...label, '--name', `${PROJECT}-solo-coordinator`, '--network', coordNet, '-p', `127.0.0.1:${port}:8080`,
      ...env({ ...common, ...masterVars, PORT: '8080' }), 'memfleet:local', 'coordinator']);
    // The shard's own folder (the test fixtures), mounted read-only: no rebuild for new contexts.
    await run('docker', ['run', '-d', ...label, '--name', `${PROJECT}-solo-shard`, '--network', shardNet, '-v', `${FIXTURE_CONTEXTS}:/app/contexts:ro`,
      ...env({ ...common, ...harborVars, SHARD_DOMAIN: 'harbor' }), 'memfleet:local', 'shard']);
    const soloUrl = `http://127.0.0.1:${port}`;
    await waitFor('the solo shard registered with the solo coordinator', async () => {
      const res = await fetch(`${soloUrl}/v1/shards`, { signal: AbortSignal.timeout(3_000) });
      return res.ok && ((await res.json()) as ShardRow[]).some((r) => r.shard === 'harbor' && r.replicas === 1);
    }, 60_000);
    const o = await ask(soloUrl, { question: 'Who is the captain of the schooner Albatross?' });
    assert.equal(o.status, 200, JSON.stringify(o.json));
    const top = (o.json.citations as Citation[])[0];
    assert.ok(top && top.shard === 'harbor' && top.source === 'ships.txt', JSON.stringify(top));
    const factLine = lineOf('harbor', 'ships.txt', 'Ilse Varga');
    assert.ok(top.line <= factLine && factLine <= top.endLine);
    assert.equal(top.text, fileLines('harbor', 'ships.txt').slice(top.line - 1, top.endLine).join('\n'));
    const mounts = await run('docker', ['inspect', '--format', '{{json .Mounts}}', `${PROJECT}-solo-coordinator`]);
    assert.equal(mounts.stdout.trim(), '[]', 'the coordinator container mounts nothing');

    // Containers of an image built by compose inherit its com.docker.compose.project label, so these
    // go before the stack's own teardown is checked.
    for (const name of ['coordinator', 'shard', 'redis']) await run('docker', ['rm', '-f', '-v', `${PROJECT}-solo-${name}`]);
    for (const net of [coordNet, shardNet]) await run('docker', ['network', 'rm', net]);
    assert.equal((await run('docker', ['ps', '-a', '-q', '--filter', `label=${SOLO_LABEL}`])).stdout.trim(), '');
    assert.equal((await run('docker', ['network', 'ls', '-q', '--filter', `label=${SOLO_LABEL}`])).stdout.trim(), '');
  });

  test('When the stack is taken down with -v, then no container, network or volume is left behind', async () => {
    const started = Date.now();
    await compose.run(['down', '-v', '--remove-orphans'], { timeoutMs: 180_000 });
    down = true;
    measured.downSec = (Date.now() - started) / 1000;
    assert.deepEqual(await leftovers(PROJECT), [], 'compose down -v left these behind');
  });
});
