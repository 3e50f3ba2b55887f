/**
 * Issue 11, finding 5: a shard holds only its own domain's keys. With
 * everything in one shard process's environment (/proc/<pid>/environ), jobs
 * for another domain cannot be signed; and under `memfleet up` no shard
 * process's environment holds the API token or a master keyring.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { QueueEvents, type Queue } from 'bullmq';
import { parseKeyring, signEnvelope, type Keyring } from '../../shared/envelope/index.js';
import { shardQueueName } from '../../shared/queues/names.js';
import { startRedis, type RedisHandle } from '../helpers/redis-server.js';
import { CLI, FIXTURE_CONTEXTS, freePort, newKeys, startShardProcess, waitFor, type FleetKeys, type ServiceProcess } from '../helpers/fleet-processes.js';
import { metricValue, shardQueue, waitForLog } from '../helpers/fault-kit.js';

/** A process's environment as the kernel holds it: what anyone who takes over that process can read. */
function environOf(pid: number): Map<string, string> {
  const env = new Map<string, string>();
  for (const entry of readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')) {
    const eq = entry.indexOf('=');
    if (eq > 0) env.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  return env;
}

/** Every value in `env` that reads as a keyring: whatever keys the process holds, whatever the variable is called. */
function keyringsIn(env: Map<string, string>): Keyring[] {
  const rings: Keyring[] = [];
  for (const [name, value] of env) {
    try {
      rings.push(parseKeyring(value, name));
    } catch {
      // not a keyring
    }
  }
  return rings;
}

function secretsOf(spec: string): string[] {
  return spec.split(',').map((entry) => entry.slice(entry.indexOf(':') + 1));
}

/** Direct children of `pid` (Linux /proc). */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(name));
    } catch {
      // the process exited meanwhile
    }
  }
  return out;
}

describe('issue 11 (5): each shard holds only its own domain keys', () => {
  let redis: RedisHandle;
  let keys: FleetKeys;
  const token = `tok-${randomBytes(16).toString('hex')}`;
  const shards = new Map<string, { proc: ServiceProcess; metricsUrl: string; queue: Queue; events: QueueEvents }>();

  before(async () => {
    redis = await startRedis();
    keys = newKeys();
    // Handed everything (masters and token), like a careless launcher: the helper gives each shard what `memfleet up` does.
    const env = { REDIS_URL: redis.url, MEMFLEET_PREFIX: redis.prefix, ...keys, MEMFLEET_API_TOKEN: token };
    for (const domain of ['harbor', 'kitchen']) {
      const port = await freePort();
      const proc = await startShardProcess(domain, env, undefined, port);
      await waitForLog(proc, 'shard ready');
      const events = new QueueEvents(shardQueueName(domain), { connection: { url: redis.url }, prefix: redis.prefix });
      await events.waitUntilReady();
      shards.set(domain, { proc, metricsUrl: `http://127.0.0.1:${port}`, queue: shardQueue(redis.url, redis.prefix, domain), events });
    }
  });

  after(async () => {
    for (const s of shards.values()) {
      await s.events.close().catch(() => undefined);
      await s.queue.close().catch(() => undefined);
      await s.proc.stop();
    }
    await redis?.stop();
  });

  async function outcome(domain: string, name: string, jobId: string, data: unknown): Promise<{ ok: boolean; reason: string }> {
    const { queue, events } = shards.get(domain)!;
    const job = await queue.add(name, data, { jobId });
    try {
      await job.waitUntilFinished(events, 20_000);
      return { ok: true, reason: '' };
    } catch (err) {
      return { ok: false, reason: err instanceof Error ? err.message : String(err) };
    }
  }

  test("When someone holds one shard's whole environment, then every read or query job they sign for another domain is refused", async (t) => {
    const environ = environOf(shards.get('harbor')!.proc.proc.pid!);
    for (const secret of [token, ...secretsOf(keys.MEMFLEET_HMAC_KEYS), ...secretsOf(keys.MEMFLEET_SHARD_HMAC_KEYS)]) {
      assert.ok(![...environ.values()].some((v) => v.includes(secret)), "a master secret or the API token is in harbor's environment");
    }
    assert.ok(!environ.has('MEMFLEET_API_TOKEN') && !environ.has('MEMFLEET_HMAC_KEYS') && !environ.has('MEMFLEET_SHARD_HMAC_KEYS'));
    const rings = keyringsIn(environ);
    assert.equal(rings.length, 2, 'harbor holds its two derived keyrings');

    const jobs = (domain: string, id: string) => ({
      read: JSON.stringify({ shard: domain, jobId: id, op: 'sources', requestId: `r_${randomBytes(9).toString('base64url')}`, deadline: Date.now() + 30_000 }),
      query: JSON.stringify({ shard: domain, jobId: id, queryId: `q_${randomBytes(9).toString('base64url')}`, question: 'What is in the pantry?', topK: 3, deadline: Date.now() + 30_000, conversation: [] }),
    });
    // The keys are real: a read for harbor itself, signed with what harbor's environment holds, is answered.
    const ownId = `own-${randomBytes(4).toString('hex')}`;
    const own = await Promise.any(rings.map(async (ring) => {
      const r = await outcome('harbor', 'read', `${ownId}-${ring.signingKid}`, signEnvelope(jobs('harbor', `${ownId}-${ring.signingKid}`).read, ring));
      if (!r.ok) throw new Error(r.reason);
      return r;
    }));
    assert.equal(own.ok, true);

    const refused: string[] = [];
    for (const ring of rings) {
      for (const kind of ['read', 'query'] as const) {
        const id = `forged-${kind}-${ring.signingKid}-${randomBytes(3).toString('hex')}`;
        const r = await outcome('kitchen', kind, id, signEnvelope(jobs('kitchen', id)[kind], ring));
        assert.equal(r.ok, false, `a ${kind} for kitchen signed with harbor's ${ring.signingKid} keyring was answered`);
        assert.match(r.reason, /envelope rejected: (bad_signature|unknown_kid)/);
        refused.push(r.reason.match(/envelope rejected: (\w+)/)![1]!);
      }
    }
    const kitchenMetrics = await (await fetch(`${shards.get('kitchen')!.metricsUrl}/metrics`)).text();
    assert.equal(metricValue(kitchenMetrics, 'memfleet_engine_duration_seconds_count'), 0, "kitchen's engine never ran");
    assert.equal(metricValue(kitchenMetrics, 'memfleet_shard_jobs_total', { outcome: 'rejected' }), 4);
    t.diagnostic(`keyrings in harbor's environment: ${rings.length}; jobs signed for kitchen with them: 4, refused: ${refused.join(', ')}`);
  });
});

describe('issue 11 (5): memfleet up passes each service only the secrets it uses', () => {
  let redis: RedisHandle;
  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    await redis?.stop();
  });

  test('When memfleet up runs with an API token and master keys, then no shard process environment holds the token or a master secret', async (t) => {
    const keys = newKeys();
    const token = `tok-${randomBytes(16).toString('hex')}`;
    const port = await freePort();
    const proc = spawn(process.execPath, [CLI, 'up', '--contexts', FIXTURE_CONTEXTS, '--port', String(port)], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, REDIS_URL: redis.url, MEMFLEET_PREFIX: redis.prefix, ...keys, MEMFLEET_API_TOKEN: token },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    proc.stderr.on('data', () => undefined);
    const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
    try {
      await waitFor('"memfleet is up"', async () => stdout.includes('memfleet is up'), 90_000);
      // Told apart by their environment (up sets process titles, which rewrite the command line).
      const children = childrenOf(proc.pid!).map((pid) => ({ pid, env: environOf(pid) }));
      const shardProcs = children.filter((c) => c.env.has('SHARD_DOMAIN'));
      const coordinator = children.find((c) => !c.env.has('SHARD_DOMAIN') && c.env.get('PORT') === String(port));
      assert.equal(shardProcs.length, 3, 'one shard process per fixture domain');
      assert.equal(coordinator?.env.get('MEMFLEET_API_TOKEN'), token, 'the coordinator gets the token');
      const masterSecrets = [...secretsOf(keys.MEMFLEET_HMAC_KEYS), ...secretsOf(keys.MEMFLEET_SHARD_HMAC_KEYS)];
      const domains = new Set<string>();
      for (const shard of shardProcs) {
        const values = [...shard.env.values()];
        assert.ok(!values.some((v) => v.includes(token)), `shard ${shard.pid} holds the API token`);
        for (const secret of masterSecrets) assert.ok(!values.some((v) => v.includes(secret)), `shard ${shard.pid} holds a master secret`);
        assert.ok(shard.env.has('MEMFLEET_DOMAIN_QUERY_KEYS') && shard.env.has('MEMFLEET_DOMAIN_RESULT_KEYS'), 'the shard holds its derived keys');
        domains.add(shard.env.get('SHARD_DOMAIN') ?? '');
      }
      assert.deepEqual([...domains].sort(), ['harbor', 'kitchen', 'observatory']);
      // The fleet still answers: the coordinator's derived keys match what each shard got.
      const res = await fetch(`http://127.0.0.1:${port}/v1/query`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ question: 'When was the Albatross repainted blue and gold?' }),
      });
      const json = (await res.json()) as { shards: { status: string }[] };
      assert.equal(res.status, 200);
      assert.deepEqual(json.shards.map((s) => s.status), ['ok', 'ok', 'ok']);
      t.diagnostic(`shard processes checked: ${shardProcs.length}; token or master secret found in their environ: 0`);
      proc.kill('SIGTERM');
      assert.equal(await exited, 0);
    } finally {
      if (proc.exitCode === null) proc.kill('SIGKILL');
    }
  });
});
