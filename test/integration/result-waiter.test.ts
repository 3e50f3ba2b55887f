/**
 * How the coordinator learns that a shard job finished (shared/queues/result-channel.ts):
 * the shard's ResultPublisher announces the outcome, the coordinator's
 * ResultWaiter resolves the waiting call by job id, and BullMQ's own record of
 * the job is the fallback whenever a message is lost.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { ResultWaiter } from '../../services/coordinator/fanout/result-waiter.js';
import { ResultPublisher } from '../../services/shard/worker/result-publisher.js';
import { generateKeyring, MemoryNonceCache, parseKeyring, verifyEnvelope } from '../../shared/envelope/index.js';
import { createLogger } from '../../shared/log/logger.js';
import { keys } from '../../shared/queues/names.js';
import { startRedis, type RedisHandle } from '../helpers/redis-server.js';

const quiet = createLogger({ service: 'coordinator', level: 'silent' });
const resultKeys = parseKeyring(generateKeyring('r1'), 'R');

describe('result waiter and publisher against real Redis', () => {
  let redis: RedisHandle;
  let client: Redis;
  let queue: Queue;
  let waiter: ResultWaiter;
  let publisher: ResultPublisher;
  let worker: Worker | undefined;

  before(async () => {
    // A password forces a private server: one test below kills a client connection.
    redis = await startRedis({ password: `pw-${randomBytes(8).toString('hex')}` });
    client = new Redis(redis.url, { maxRetriesPerRequest: null });
    queue = new Queue('shard.waiter-test', { connection: client, prefix: redis.prefix });
    waiter = new ResultWaiter(redis.url, redis.prefix, quiet);
    publisher = new ResultPublisher(client, redis.prefix, quiet, { shard: 'waiter-test', resultKeys });
    await waiter.listen();
  });

  after(async () => {
    await worker?.close();
    await waiter?.close();
    await queue?.close();
    client?.disconnect();
    await redis?.stop();
  });

  test('When a shard publishes a job outcome, then the caller waiting for that job gets it and other jobs are ignored', async () => {
    const waiting = waiter.wait(queue, 'job-a', 60_000);
    publisher.completed('job-of-another-coordinator', { v: 'not mine' });
    publisher.completed('job-a', { v: 'mine' });
    assert.deepEqual(await waiting, { kind: 'completed', value: { v: 'mine' } });
  });

  test('When malformed messages arrive on the channel, then they are ignored and the real failure still arrives', async () => {
    const waiting = waiter.wait(queue, 'job-b', 60_000);
    await client.publish(keys.results(redis.prefix), 'not json');
    await client.publish(keys.results(redis.prefix), JSON.stringify({ jobId: 'job-b', kind: 'finished', value: 1 }));
    publisher.failed('job-b', 'envelope rejected: bad_signature');
    const outcome = await waiting;
    assert.equal(outcome.kind, 'failed');
    // The failure travels signed with the domain's result key, bound to its job and shard.
    const verified = await verifyEnvelope(outcome.kind === 'failed' ? outcome.failure : undefined, { keyring: resultKeys, toleranceSec: 300, nonceCache: new MemoryNonceCache() });
    assert.ok(verified.ok, 'the failure verifies with the result key');
    assert.deepEqual(JSON.parse(verified.body), { jobId: 'job-b', shard: 'waiter-test', reason: 'envelope rejected: bad_signature' });
  });

  test('When a job finishes without a message, then its result is found in BullMQ at the deadline', async () => {
    worker = new Worker('shard.waiter-test', async (job) => ({ echoed: job.data as unknown }), { connection: { url: redis.url }, prefix: redis.prefix });
    const jobId = 'silent-1';
    const waiting = waiter.wait(queue, jobId, 1_500);
    await queue.add('query', { q: 1 }, { jobId });
    assert.deepEqual(await waiting, { kind: 'completed', value: { echoed: { q: 1 } } });
  });

  test('When the subscriber connection drops, then a job that finished meanwhile is looked up at once, not at its deadline', { timeout: 60_000 }, async () => {
    const jobId = 'finished-while-away';
    // A deadline far beyond the test's timeout: only the reconnect look-up can settle this in time.
    const waiting = waiter.wait(queue, jobId, 600_000);
    const job = await queue.add('query', { q: 2 }, { jobId });
    while ((await job.getState()) !== 'completed') await new Promise((r) => setTimeout(r, 50));
    const clients = (await client.client('LIST')) as string;
    const ids = clients
      .split('\n')
      .filter((line) => line.includes('name=memfleet-results'))
      .map((line) => /(?:^|\s)id=(\d+)/.exec(line)?.[1])
      .filter((id): id is string => id !== undefined);
    assert.equal(ids.length, 1, 'exactly one result subscriber');
    await client.client('KILL', 'ID', ids[0] as string);
    assert.deepEqual(await waiting, { kind: 'completed', value: { echoed: { q: 2 } } });
  });
});
