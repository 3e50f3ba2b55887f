/** What Redis keeps of finished shard jobs: the settings and their defaults (issue 11, finding 9). */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCoordinatorConfig } from '../../services/coordinator/config.js';
import { ConfigError } from '../../shared/config/errors.js';
import { generateKeyring } from '../../shared/envelope/index.js';
import { queueRetention, WORKER_RETENTION } from '../../shared/queues/queue-retention.js';

const KEYS = { MEMFLEET_HMAC_KEYS: generateKeyring('q1'), MEMFLEET_SHARD_HMAC_KEYS: generateKeyring('r1') };

describe('queue retention', () => {
  test('When nothing is set, then events streams are capped at 200 and the newest 100 completed jobs are kept as long as the longest deadline', () => {
    assert.deepEqual(parseCoordinatorConfig(KEYS).retention, {
      eventsMaxLen: 200,
      completed: { age: 60, count: 100 },
      failed: { age: 3_600, count: 1_000 },
    });
  });

  test('When MAX_QUERY_TIMEOUT_MS is longer, then completed jobs are kept that long, so a query waiting that long can still look its job up', () => {
    assert.equal(parseCoordinatorConfig({ ...KEYS, MAX_QUERY_TIMEOUT_MS: '120500' }).retention.completed.age, 121);
    assert.equal(queueRetention({ maxTimeoutMs: 50 }).completed.age, 1);
  });

  test('When QUEUE_EVENTS_MAX_LEN and KEEP_COMPLETED_JOBS are set, then they are used', () => {
    const { retention } = parseCoordinatorConfig({ ...KEYS, QUEUE_EVENTS_MAX_LEN: '5000', KEEP_COMPLETED_JOBS: '2000' });
    assert.equal(retention.eventsMaxLen, 5_000);
    assert.equal(retention.completed.count, 2_000);
  });

  test('When they are out of range, then start-up fails naming the variable and the range', () => {
    for (const [name, value] of [['QUEUE_EVENTS_MAX_LEN', '-1'], ['KEEP_COMPLETED_JOBS', '0'], ['KEEP_COMPLETED_JOBS', 'lots']] as const) {
      assert.throws(
        () => parseCoordinatorConfig({ ...KEYS, [name]: value }),
        (err: Error) => err instanceof ConfigError && err.message.includes(name) && err.message.includes('between'),
        `${name}=${value}`,
      );
    }
  });

  test('When a job reaches a shard without retention of its own, then the worker still keeps it only briefly', () => {
    assert.deepEqual(WORKER_RETENTION.completed, { age: 60, count: 100 });
    assert.deepEqual(WORKER_RETENTION.failed, { age: 3_600, count: 1_000 });
  });
});
