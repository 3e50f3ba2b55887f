/** The shard's protocol for one job: verify, validate, answer, sign — with no Redis. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { UnrecoverableError } from 'bullmq';
import { handleQuery, type HandleQueryDeps } from '../../services/shard/worker/handle-query.js';
import type { Engine } from '../../services/shard/engines/engine.js';
import { generateKeyring, MemoryNonceCache, parseKeyring, signEnvelope, verifyEnvelope } from '../../shared/envelope/index.js';
import { createLogger } from '../../shared/log/logger.js';
import { createMetrics } from '../../shared/metrics/registry.js';
import { EMPTY_USAGE, ShardResultSchema } from '../../shared/queues/schemas.js';

function setup() {
  let calls = 0;
  const engine: Engine = {
    name: 'lexical',
    answer: async () => {
      calls++;
      return { answer: 'It is Orville.', citations: [{ source: 'a.txt', line: 3, endLine: 3, text: 'Orville', score: 0.9 }], usage: { ...EMPTY_USAGE } };
    },
    topTerms: () => [],
    updateWritten: () => undefined,
  };
  const queryKeys = parseKeyring(generateKeyring('q1'), 'Q');
  const resultKeys = parseKeyring(generateKeyring('r1'), 'R');
  const deps: HandleQueryDeps = {
    shard: 'harbor',
    replica: 'test-1',
    engine,
    queryKeys,
    resultKeys,
    toleranceSec: 300,
    metrics: createMetrics('shard'),
    log: createLogger({ service: 'shard', level: 'silent' }),
  };
  const body = (over: Record<string, unknown> = {}) =>
    JSON.stringify({ queryId: 'q_unitjob0001', question: 'cat name?', topK: 3, deadline: Date.now() + 10_000, conversation: [], ...over });
  return { deps, queryKeys, resultKeys, body, calls: () => calls };
}

async function rejectedCount(deps: HandleQueryDeps, reason: string): Promise<number> {
  const metric = await deps.metrics.envelopeRejected.get();
  return metric.values.find((v) => v.labels.reason === reason)?.value ?? 0;
}

describe('shard job handling', () => {
  test('When a genuine job arrives, then the result is signed with the result keys and carries the engine answer', async () => {
    const { deps, queryKeys, resultKeys, body } = setup();
    const envelope = await handleQuery({ id: 'j1', timestamp: Date.now() - 5, data: signEnvelope(body(), queryKeys) }, new MemoryNonceCache(), deps);
    const verified = await verifyEnvelope(envelope, { keyring: resultKeys, toleranceSec: 300, nonceCache: new MemoryNonceCache() });
    assert.equal(verified.ok, true);
    const result = ShardResultSchema.parse(JSON.parse((verified as { body: string }).body));
    assert.equal(result.shard, 'harbor');
    assert.equal(result.queryId, 'q_unitjob0001');
    assert.equal(result.citations[0]?.line, 3);
    assert.ok(result.timings.queueWaitMs >= 0);
  });

  test('When the envelope is forged, then the job is unrecoverable, counted, and the engine never runs', async () => {
    const { deps, body, calls } = setup();
    const forged = signEnvelope(body(), parseKeyring(generateKeyring('q1'), 'X'));
    await assert.rejects(handleQuery({ id: 'j2', timestamp: Date.now(), data: forged }, new MemoryNonceCache(), deps), (err: unknown) => {
      assert.ok(err instanceof UnrecoverableError);
      assert.match((err as Error).message, /bad_signature/);
      return true;
    });
    assert.equal(calls(), 0);
    assert.equal(await rejectedCount(deps, 'bad_signature'), 1);
  });

  test('When a signed body is not a valid query, then it is rejected as invalid_payload naming the field', async () => {
    const { deps, queryKeys, calls } = setup();
    const bad = signEnvelope(JSON.stringify({ queryId: 'q_unitjob0001', question: 'x', topK: 'three', deadline: Date.now() + 1000 }), queryKeys);
    await assert.rejects(handleQuery({ id: 'j3', timestamp: Date.now(), data: bad }, new MemoryNonceCache(), deps), /invalid query payload: job\.topK/);
    const notJson = signEnvelope('not json', queryKeys);
    await assert.rejects(handleQuery({ id: 'j4', timestamp: Date.now(), data: notJson }, new MemoryNonceCache(), deps), /body is not JSON/);
    assert.equal(calls(), 0);
    assert.equal(await rejectedCount(deps, 'invalid_payload'), 2);
  });

  test('When the deadline has passed before pick-up, then the job expires without reaching the engine', async () => {
    const { deps, queryKeys, body, calls } = setup();
    const late = signEnvelope(body({ deadline: Date.now() - 1 }), queryKeys);
    await assert.rejects(handleQuery({ id: 'j5', timestamp: Date.now() - 2000, data: late }, new MemoryNonceCache(), deps), /deadline passed/);
    assert.equal(calls(), 0);
  });

  test('When the same envelope comes again, then the second is a replay', async () => {
    const { deps, queryKeys, body } = setup();
    const cache = new MemoryNonceCache();
    const envelope = signEnvelope(body(), queryKeys);
    await handleQuery({ id: 'j6', timestamp: Date.now(), data: envelope }, cache, deps);
    await assert.rejects(handleQuery({ id: 'j7', timestamp: Date.now(), data: envelope }, cache, deps), /replay/);
  });
});
