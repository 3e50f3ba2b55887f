/**
 * The small pure pieces behind the fault suite (test/faults): the reliability
 * settings, the broadcast's report of down domains, and the log serializer
 * that keeps Redis passwords out of error lines.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, test } from 'node:test';
import { ConfigError } from '../../shared/config/errors.js';
import { generateKeyring } from '../../shared/envelope/index.js';
import { createLogger } from '../../shared/log/logger.js';
import { parseCoordinatorConfig } from '../../services/coordinator/config.js';
import { downShardReplies } from '../../services/coordinator/domain/down-shards.js';

const KEYS = { MEMFLEET_HMAC_KEYS: generateKeyring('q1'), MEMFLEET_SHARD_HMAC_KEYS: generateKeyring('r1') };

describe('reliability settings', () => {
  test('When nothing is set, then rate limiting is on at 600 a minute and stale jobs are swept after twice the longest deadline (at least 2 min)', () => {
    const config = parseCoordinatorConfig(KEYS);
    assert.equal(config.rateLimitPerMin, 600);
    assert.equal(config.staleJobSec, 120);
    assert.equal(config.queueSweepIntervalMs, 30_000);
    assert.equal(parseCoordinatorConfig({ ...KEYS, MAX_QUERY_TIMEOUT_MS: '300000' }).staleJobSec, 600);
  });

  test('When STALE_JOB_SEC is shorter than MAX_QUERY_TIMEOUT_MS, then start-up fails naming both', () => {
    assert.throws(
      () => parseCoordinatorConfig({ ...KEYS, STALE_JOB_SEC: '30', MAX_QUERY_TIMEOUT_MS: '60000' }),
      (err: unknown) => err instanceof ConfigError && /STALE_JOB_SEC \(30\)/.test(err.message) && /MAX_QUERY_TIMEOUT_MS/.test(err.message),
    );
    assert.equal(parseCoordinatorConfig({ ...KEYS, STALE_JOB_SEC: '0' }).staleJobSec, 0, '0 turns the sweep off');
    assert.equal(parseCoordinatorConfig({ ...KEYS, RATE_LIMIT_PER_MIN: '120' }).rateLimitPerMin, 120);
    assert.throws(() => parseCoordinatorConfig({ ...KEYS, RATE_LIMIT_PER_MIN: '-1' }), /RATE_LIMIT_PER_MIN/);
  });
});

describe('down domains in a broadcast', () => {
  test('When a known domain has no live replica, then a broadcast reports it as timeout without asking it', () => {
    const replies = downShardReplies({ mode: 'broadcast' }, ['harbor'], ['harbor', 'kitchen']);
    assert.deepEqual(replies.map((r) => [r.outcome.shard, r.outcome.status]), [['kitchen', 'timeout']]);
    assert.match(replies[0]!.outcome.error ?? '', /no live replica/);
  });

  test('When shards are named or the query is routed, then nothing is added', () => {
    assert.deepEqual(downShardReplies({ mode: 'broadcast', shards: ['harbor'] }, ['harbor'], ['harbor', 'kitchen']), []);
    assert.deepEqual(downShardReplies({ mode: 'routed' }, ['harbor'], ['harbor', 'kitchen']), []);
  });
});

describe('log redaction of Redis errors', () => {
  test('When an ioredis error carries the AUTH command, then the logged error keeps the command name but not the password', () => {
    let out = '';
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        out += chunk.toString();
        done();
      },
    });
    const log = createLogger({ service: 'coordinator', level: 'info', destination: sink });
    const err = Object.assign(new Error('WRONGPASS invalid username-password pair'), { command: { name: 'auth', args: ['hunter2-redis-password'] } });
    log.warn({ err }, 'redis connection lost');
    assert.ok(!out.includes('hunter2-redis-password'), out);
    assert.match(out, /"command":\{"name":"auth"\}/);
    assert.match(out, /WRONGPASS/);
  });
});
