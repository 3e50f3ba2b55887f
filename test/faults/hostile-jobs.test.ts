/**
 * Promise 6: hostile jobs put straight into a live shard's queue. Every one is
 * rejected with its reason, counted in memfleet_envelope_rejected_total{reason},
 * logged without secrets or body, and never reaches the engine. A shard's own
 * (result) key cannot sign a query any shard accepts.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { QueueEvents, type Queue } from 'bullmq';
import { generateKeyring, parseKeyring, signEnvelope, type Keyring } from '../../shared/envelope/index.js';
import { shardQueueName } from '../../shared/queues/names.js';
import { startRedis, type RedisHandle } from '../helpers/redis-server.js';
import { freePort, newKeys, startShardProcess, type FleetKeys, type ServiceProcess } from '../helpers/fleet-processes.js';
import { logLines, metricValue, shardQueue, waitForLog } from '../helpers/fault-kit.js';

const TEN_MB = 10 * 1024 * 1024;

interface Case {
  name: string;
  /** The label of memfleet_envelope_rejected_total it must be counted under. */
  reason: string;
  data: () => unknown;
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
  let queryKeys: Keyring;
  let resultKeys: Keyring;
  const canary = `CANARY${randomBytes(6).toString('hex')}`;

  const body = (extra: Record<string, unknown> = {}) =>
    JSON.stringify({ queryId: `q_${randomBytes(9).toString('base64url')}`, question: `${canary} who is the captain of the Albatross`, topK: 3, deadline: Date.now() + 60_000, conversation: [], ...extra });

  async function outcome(data: unknown): Promise<{ ok: boolean; reason: string }> {
    const job = await queue.add('query', data, { jobId: `hostile-${randomBytes(6).toString('hex')}` });
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
    queryKeys = parseKeyring(keys.MEMFLEET_HMAC_KEYS, 'Q');
    resultKeys = parseKeyring(keys.MEMFLEET_SHARD_HMAC_KEYS, 'R');
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
    const genuine = signEnvelope(body(), queryKeys);
    assert.deepEqual(await outcome(genuine), { ok: true, reason: '' });

    const attacker = parseKeyring(generateKeyring(queryKeys.signingKid), 'ATTACKER'); // the real kid, a key the shard does not hold
    const resultSecret = secretsOf(keys.MEMFLEET_SHARD_HMAC_KEYS)[0]!;
    const shardKeyAsQueryKid = parseKeyring(`${queryKeys.signingKid}:${resultSecret}`, 'SHARDKEY');
    const tampered = signEnvelope(body(), queryKeys);
    const unsignedNonce = signEnvelope(body(), queryKeys);

    const cases: Case[] = [
      { name: 'bad signature (unknown key, real kid)', reason: 'bad_signature', data: () => signEnvelope(body(), attacker) },
      { name: 'tampered body', reason: 'bad_signature', data: () => ({ ...tampered, body: tampered.body.replace('"topK":3', '"topK":50') }) },
      { name: 'unknown key id', reason: 'unknown_kid', data: () => signEnvelope(body(), parseKeyring(generateKeyring('stranger'), 'X')) },
      { name: 'old timestamp', reason: 'stale', data: () => signEnvelope(body(), queryKeys, () => Date.now() - 3_600_000) },
      { name: 'future timestamp', reason: 'future', data: () => signEnvelope(body(), queryKeys, () => Date.now() + 3_600_000) },
      { name: 'reused nonce (replay in another job)', reason: 'replay', data: () => genuine },
      { name: 'missing field (no nonce)', reason: 'malformed', data: () => ({ ...unsignedNonce, nonce: undefined }) },
      { name: 'missing field (no sig)', reason: 'malformed', data: () => ({ ...unsignedNonce, sig: undefined }) },
      { name: 'job data is not an envelope (a string)', reason: 'malformed', data: () => 'just a string, not an envelope' },
      { name: 'signed body is not JSON', reason: 'invalid_payload', data: () => signEnvelope(`${canary} not json {`, queryKeys) },
      { name: 'signed body misses a field (question)', reason: 'invalid_payload', data: () => signEnvelope(JSON.stringify({ ...JSON.parse(body()), question: undefined }), queryKeys) },
      { name: '10 MB of data', reason: 'too_large', data: () => signEnvelope(`${canary}${'x'.repeat(TEN_MB)}`, queryKeys) },
      { name: "a shard's result key (its own kid)", reason: 'unknown_kid', data: () => signEnvelope(body(), resultKeys) },
      { name: "a shard's result key under the query kid", reason: 'bad_signature', data: () => signEnvelope(body(), shardKeyAsQueryKid) },
    ];

    const before = await metrics();
    const engineBefore = metricValue(before, 'memfleet_engine_duration_seconds_count');
    assert.equal(engineBefore, 1, 'the genuine job ran the engine once');
    const expected = new Map<string, number>();
    for (const c of cases) {
      const result = await outcome(c.data());
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
    for (const secret of [...secretsOf(keys.MEMFLEET_HMAC_KEYS), ...secretsOf(keys.MEMFLEET_SHARD_HMAC_KEYS)]) {
      assert.ok(!output.includes(secret), 'no HMAC secret in the shard log');
    }
    assert.ok(!output.includes(canary), 'no job body in the shard log');
    assert.ok(!output.includes('x'.repeat(64)), 'no part of the 10 MB body in the shard log');
    assert.equal(await shard!.proc.exitCode, null, 'the shard is still running');

    t.diagnostic(`hostile jobs sent=${cases.length} rejected=${cases.length} by reason: ${JSON.stringify(counted)}; engine runs for hostile jobs: 0`);
  });
});
