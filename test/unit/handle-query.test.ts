/** The shard's protocol for one job: verify, validate, answer, sign — with no Redis. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { UnrecoverableError } from 'bullmq';
import { handleQuery, type HandleQueryDeps } from '../../services/shard/worker/handle-query.js';
import { FinishedJobs } from '../../services/shard/worker/finished-jobs.js';
import type { Engine, EngineQuestion } from '../../services/shard/engines/engine.js';
import { generateKeyring, MemoryNonceCache, parseKeyring, signEnvelope, verifyEnvelope } from '../../shared/envelope/index.js';
import { createLogger } from '../../shared/log/logger.js';
import { createMetrics } from '../../shared/metrics/registry.js';
import { EMPTY_USAGE, ShardResultSchema } from '../../shared/queues/schemas.js';
import { DEFAULT_QUERY_TERM_BUDGET } from '../../shared/text/query-term-budget.js';

function setup() {
  let calls = 0;
  const questions: EngineQuestion[] = [];
  const engine: Engine = {
    name: 'lexical',
    answer: async (question) => {
      calls++;
      questions.push(question);
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
    finishedJobs: new FinishedJobs(undefined, 'unit', 'harbor'),
    metrics: createMetrics('shard'),
    log: createLogger({ service: 'shard', level: 'silent' }),
  };
  const body = (over: Record<string, unknown> = {}) =>
    JSON.stringify({ shard: 'harbor', jobId: 'j1', queryId: 'q_unitjob0001', question: 'cat name?', topK: 3, deadline: Date.now() + 10_000, conversation: [], ...over });
  return { deps, queryKeys, resultKeys, body, calls: () => calls, questions };
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
    const bad = signEnvelope(JSON.stringify({ shard: 'harbor', jobId: 'j3', queryId: 'q_unitjob0001', question: 'x', topK: 'three', deadline: Date.now() + 1000 }), queryKeys);
    await assert.rejects(handleQuery({ id: 'j3', timestamp: Date.now(), data: bad }, new MemoryNonceCache(), deps), /invalid query payload: job\.topK/);
    const notJson = signEnvelope('not json', queryKeys);
    await assert.rejects(handleQuery({ id: 'j4', timestamp: Date.now(), data: notJson }, new MemoryNonceCache(), deps), /body is not JSON/);
    assert.equal(calls(), 0);
    assert.equal(await rejectedCount(deps, 'invalid_payload'), 2);
  });

  test('When the deadline has passed before pick-up, then the job expires without reaching the engine', async () => {
    const { deps, queryKeys, body, calls } = setup();
    const late = signEnvelope(body({ jobId: 'j5', deadline: Date.now() - 1 }), queryKeys);
    await assert.rejects(handleQuery({ id: 'j5', timestamp: Date.now() - 2000, data: late }, new MemoryNonceCache(), deps), /deadline passed/);
    assert.equal(calls(), 0);
  });

  test('When a genuine envelope is carried by another job id, then it is refused as wrong_job_id and its nonce stays unclaimed', async () => {
    const { deps, queryKeys, body, calls } = setup();
    const cache = new MemoryNonceCache();
    const envelope = signEnvelope(body({ jobId: 'j6' }), queryKeys);
    await assert.rejects(handleQuery({ id: 'j7', timestamp: Date.now(), data: envelope }, cache, deps), /envelope rejected: wrong_job_id \(signed for job id j6, carried by job j7\)/);
    assert.equal(calls(), 0);
    assert.equal(await rejectedCount(deps, 'wrong_job_id'), 1);
    // The misplaced copy did not burn the nonce: the real delivery is still answered.
    await handleQuery({ id: 'j6', timestamp: Date.now(), data: envelope }, cache, deps);
    assert.equal(calls(), 1);
  });

  test('When a job signed for another shard arrives, then it is refused as wrong_shard before the engine', async () => {
    const { deps, queryKeys, body, calls } = setup();
    const envelope = signEnvelope(body({ shard: 'kitchen' }), queryKeys);
    await assert.rejects(handleQuery({ id: 'j1', timestamp: Date.now(), data: envelope }, new MemoryNonceCache(), deps), /wrong_shard \(signed for shard kitchen, received by shard harbor\)/);
    assert.equal(calls(), 0);
    assert.equal(await rejectedCount(deps, 'wrong_shard'), 1);
  });

  test('When a finished job comes back under its own id, then it is refused as already_answered; an unfinished (stalled) one is worked again', async () => {
    const { deps, queryKeys, body, calls } = setup();
    const envelope = signEnvelope(body({ jobId: 'j8' }), queryKeys);
    // A fresh cache per delivery stands for JobNonceCache, which lets the same job id through again.
    await handleQuery({ id: 'j8', timestamp: Date.now(), data: envelope }, new MemoryNonceCache(), deps);
    // Re-delivered before BullMQ recorded it finished (its replica died): worked again.
    await handleQuery({ id: 'j8', timestamp: Date.now(), data: envelope }, new MemoryNonceCache(), deps);
    assert.equal(calls(), 2);
    await deps.finishedJobs.finished('j8'); // what the worker's completed event does
    await assert.rejects(handleQuery({ id: 'j8', timestamp: Date.now(), data: envelope }, new MemoryNonceCache(), deps), /already_answered/);
    assert.equal(calls(), 2);
    assert.equal(await rejectedCount(deps, 'already_answered'), 1);
  });

  test('When a job carries fleet-wide term statistics, then the engine gets them; more terms than the budget allows are refused', async () => {
    const { deps, queryKeys, body, calls, questions } = setup();
    const termStats = { windows: 4200, df: { cat: 12, orvil: 0 } };
    await handleQuery({ id: 'j9', timestamp: Date.now(), data: signEnvelope(body({ jobId: 'j9', termStats }), queryKeys) }, new MemoryNonceCache(), deps);
    assert.deepEqual(questions[0]?.termStats, termStats);
    // Without them the engine weighs terms by its own domain, as before.
    await handleQuery({ id: 'j10', timestamp: Date.now(), data: signEnvelope(body({ jobId: 'j10' }), queryKeys) }, new MemoryNonceCache(), deps);
    assert.equal(questions[1]?.termStats, undefined);
    const df = Object.fromEntries(Array.from({ length: DEFAULT_QUERY_TERM_BUDGET.maxTerms + 1 }, (_, i) => [`term${i}`, 1]));
    const tooMany = signEnvelope(body({ jobId: 'j11', termStats: { windows: 10, df } }), queryKeys);
    await assert.rejects(handleQuery({ id: 'j11', timestamp: Date.now(), data: tooMany }, new MemoryNonceCache(), deps), /invalid query payload: job\.termStats\.df: at most 32 terms/);
    const negative = signEnvelope(body({ jobId: 'j12', termStats: { windows: 10, df: { cat: -1 } } }), queryKeys);
    await assert.rejects(handleQuery({ id: 'j12', timestamp: Date.now(), data: negative }, new MemoryNonceCache(), deps), /invalid query payload: job\.termStats/);
    assert.equal(calls(), 2);
  });
});
