/**
 * Promise 6: hostile jobs put straight into a live shard's queue. Every one is
 * rejected with its reason, counted in memfleet_envelope_rejected_total{reason},
 * logged without secrets or body, and never reaches the engine. A shard's own
 * (result) key cannot sign a query any shard accepts, and neither can another
 * domain's key or the master it was derived from: only harbor's derived query key works.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { QueueEvents, type Queue } from 'bullmq';
import { parseMasterKeys } from '../../shared/config/keys.js';
import { deriveDomainKeys, formatKeyring, generateKeyring, parseKeyring, signEnvelope, type Keyring } from '../../shared/envelope/index.js';
import { shardQueueName } from '../../shared/queues/names.js';
import { startRedis, type RedisHandle } from '../helpers/redis-server.js';
import { freePort, newKeys, startShardProcess, type FleetKeys, type ServiceProcess } from '../helpers/fleet-processes.js';
import { logLines, metricValue, shardQueue, waitForLog } from '../helpers/fault-kit.js';

const TEN_MB = 10 * 1024 * 1024;

interface Case {
  name: string;
  /** The label of memfleet_envelope_rejected_total it must be counted under. */
  reason: string;
  /** The job data, given the id of the job that carries it. */
  data: (jobId: string) => unknown;
}

function secretsOf(spec: string): string[] {
  return spec.split(',').map((entry) => entry.slice(entry.indexOf(':') + 1));
}

describe('promise 6: hostile jobs against a live shard', () => {
  let redis: RedisHandle;
  let keys: FleetKeys;
  let shard: ServiceProcess | undefined;
  let metricsUrl: string;
  let queue: Queue;
  let events: QueueEvents;
  /** harbor's derived keys: what the shard holds, and what the coordinator signs harbor's jobs with. */
  let queryKeys: Keyring;
  let resultKeys: Keyring;
  let masterQueryKeys: Keyring;
  let kitchenQueryKeys: Keyring;
  const canary = `CANARY${randomBytes(6).toString('hex')}`;

  const body = (jobId: string, extra: Record<string, unknown> = {}) =>
    JSON.stringify({ shard: 'harbor', jobId, queryId: `q_${randomBytes(9).toString('base64url')}`, question: `${canary} who is the captain of the Albatross`, topK: 3, deadline: Date.now() + 60_000, conversation: [], ...extra });

  async function outcome(data: (jobId: string) => unknown): Promise<{ ok: boolean; reason: string }> {
    const jobId = `hostile-${randomBytes(6).toString('hex')}`;
    const job = await queue.add('query', data(jobId), { jobId });
    try {
      await job.waitUntilFinished(events, 20_000);
      return { ok: true, reason: '' };
    } catch (err) {
      return { ok: false, reason: err instanceof Error ? err.message : String(err) };
    }
  }

  async function metrics(): Promise<string> {
    return (await fetch(`${metricsUrl}/metrics`)).text();
  }

  before(async () => {
    redis = await startRedis();
    keys = newKeys();
    const masters = parseMasterKeys({ ...keys });
    const harbor = deriveDomainKeys(masters, 'harbor');
    queryKeys = harbor.query;
    resultKeys = harbor.result;
    masterQueryKeys = masters.query;
    kitchenQueryKeys = deriveDomainKeys(masters, 'kitchen').query;
    const port = await freePort();
    shard = await startShardProcess('harbor', { REDIS_URL: redis.url, MEMFLEET_PREFIX: redis.prefix, ...keys }, undefined, port);
    await waitForLog(shard, 'shard ready');
    metricsUrl = `http://127.0.0.1:${port}`;
    queue = shardQueue(redis.url, redis.prefix, 'harbor');
    events = new QueueEvents(shardQueueName('harbor'), { connection: { url: redis.url }, prefix: redis.prefix });
    await events.waitUntilReady();
  });

  after(async () => {
    await events?.close().catch(() => undefined);
    await queue?.close().catch(() => undefined);
    await shard?.stop();
    await redis?.stop();
  });

  test('When hostile jobs reach a shard queue, then each is rejected and counted by reason, and none reaches the engine', async (t) => {
    // One genuine job first: proves the shard answers, and gives the replay case its envelope.
    let genuine: unknown;
    assert.deepEqual(await outcome((jobId) => (genuine = signEnvelope(body(jobId), queryKeys))), { ok: true, reason: '' });

    const attacker = parseKeyring(generateKeyring(queryKeys.signingKid), 'ATTACKER'); // the real kid, a key the shard does not hold
    const resultSecret = formatKeyring(resultKeys).split(',')[0]!.slice(resultKeys.signingKid.length + 1);
    const shardKeyAsQueryKid = parseKeyring(`${queryKeys.signingKid}:${resultSecret}`, 'SHARDKEY');
    const unsignedNonce = signEnvelope(body('x'), queryKeys);

    const cases: Case[] = [
      { name: 'bad signature (unknown key, real kid)', reason: 'bad_signature', data: (id) => signEnvelope(body(id), attacker) },
      {
        name: 'tampered body',
        reason: 'bad_signature',
        data: (id) => {
          const tampered = signEnvelope(body(id), queryKeys);
          return { ...tampered, body: tampered.body.replace('"topK":3', '"topK":50') };
        },
      },
      { name: 'unknown key id', reason: 'unknown_kid', data: (id) => signEnvelope(body(id), parseKeyring(generateKeyring('stranger'), 'X')) },
      { name: 'old timestamp', reason: 'stale', data: (id) => signEnvelope(body(id), queryKeys, () => Date.now() - 3_600_000) },
      { name: 'future timestamp', reason: 'future', data: (id) => signEnvelope(body(id), queryKeys, () => Date.now() + 3_600_000) },
      { name: 'a genuine envelope again, in another job', reason: 'wrong_job_id', data: () => genuine },
      { name: "harbor's own key, addressed to kitchen", reason: 'wrong_shard', data: (id) => signEnvelope(body(id, { shard: 'kitchen' }), queryKeys) },
      { name: "kitchen's query key (another domain)", reason: 'bad_signature', data: (id) => signEnvelope(body(id), kitchenQueryKeys) },
      { name: 'the query master key itself', reason: 'bad_signature', data: (id) => signEnvelope(body(id), masterQueryKeys) },
      { name: 'missing field (no nonce)', reason: 'malformed', data: () => ({ ...unsignedNonce, nonce: undefined }) },
      { name: 'missing field (no sig)', reason: 'malformed', data: () => ({ ...unsignedNonce, sig: undefined }) },
      { name: 'job data is not an envelope (a string)', reason: 'malformed', data: () => 'just a string, not an envelope' },
      { name: 'signed body is not JSON', reason: 'invalid_payload', data: () => signEnvelope(`${canary} not json {`, queryKeys) },
      { name: 'signed body misses a field (question)', reason: 'invalid_payload', data: (id) => signEnvelope(JSON.stringify({ ...JSON.parse(body(id)), question: undefined }), queryKeys) },
      { name: '10 MB of data', reason: 'too_large', data: () => signEnvelope(`${canary}${'x'.repeat(TEN_MB)}`, queryKeys) },
      { name: "a shard's result key (its own kid)", reason: 'unknown_kid', data: (id) => signEnvelope(body(id), resultKeys) },
      { name: "a shard's result key under the query kid", reason: 'bad_signature', data: (id) => signEnvelope(body(id), shardKeyAsQueryKid) },
    ];

    const before = await metrics();
    const engineBefore = metricValue(before, 'memfleet_engine_duration_seconds_count');
    assert.equal(engineBefore, 1, 'the genuine job ran the engine once');
    const expected = new Map<string, number>();
    for (const c of cases) {
      const result = await outcome(c.data);
      assert.equal(result.ok, false, `${c.name}: must be rejected`);
      // The job's failure reason names the envelope reason; payload failures say "invalid query payload".
      assert.match(result.reason, c.reason === 'invalid_payload' ? /invalid query payload/ : new RegExp(`envelope rejected: ${c.reason}`), `${c.name}: rejected for ${c.reason}, got "${result.reason.slice(0, 200)}"`);
      expected.set(c.reason, (expected.get(c.reason) ?? 0) + 1);
    }

    const afterText = await metrics();
    const counted: Record<string, number> = {};
    for (const [reason, n] of expected) {
      counted[reason] = metricValue(afterText, 'memfleet_envelope_rejected_total', { reason }) - metricValue(before, 'memfleet_envelope_rejected_total', { reason });
      assert.equal(counted[reason], n, `memfleet_envelope_rejected_total{reason="${reason}"}`);
    }
    assert.equal(metricValue(afterText, 'memfleet_engine_duration_seconds_count'), engineBefore, 'the engine never ran for a hostile job');
    assert.equal(metricValue(afterText, 'memfleet_shard_jobs_total', { outcome: 'rejected' }), cases.length);

    // Logged with the reason, never with a secret or the body.
    // pino writes asynchronously: give the last lines a moment to cross the pipe on a loaded machine.
    const rejectionLines = () => logLines(shard!).filter((l) => typeof l.msg === 'string' && l.msg.startsWith('job rejected'));
    for (let i = 0; i < 50 && rejectionLines().length < cases.length; i++) await new Promise((r) => setTimeout(r, 100));
    const rejections = rejectionLines();
    assert.equal(rejections.length, cases.length, 'one log line per rejection');
    const output = shard!.output();
    const derived = [queryKeys, resultKeys].flatMap((ring) => [...ring.keys.values()].map((k) => k.toString('base64url')));
    for (const secret of [...secretsOf(keys.MEMFLEET_HMAC_KEYS), ...secretsOf(keys.MEMFLEET_SHARD_HMAC_KEYS), ...derived]) {
      assert.ok(!output.includes(secret), 'no HMAC secret in the shard log');
    }
    assert.ok(!output.includes(canary), 'no job body in the shard log');
    assert.ok(!output.includes('x'.repeat(64)), 'no part of the 10 MB body in the shard log');
    assert.equal(await shard!.proc.exitCode, null, 'the shard is still running');

    t.diagnostic(`hostile jobs sent=${cases.length} rejected=${cases.length} by reason: ${JSON.stringify(counted)}; engine runs for hostile jobs: 0`);
  });
});
