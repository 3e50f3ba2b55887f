/**
 * Queue-dashboard sessions in a real Redis: a session is valid until it is
 * closed or expires, only for the token that opened it, and neither a cookie
 * value nor what Redis holds gives a way to mint one.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { ADMIN_SESSION_SEC, AdminSessions } from '../../services/coordinator/http/admin-session.js';
import { deleteKeysWithPrefix, startRedis, type RedisHandle } from '../helpers/redis-server.js';

const TOKEN = 'admin-session-test-token-000000';

describe('queue dashboard sessions (Redis)', () => {
  let handle: RedisHandle;
  let redis: Redis;
  let sessions: AdminSessions;

  before(async () => {
    handle = await startRedis();
    redis = new Redis(handle.url);
    sessions = new AdminSessions(redis, handle.prefix, TOKEN);
  });

  after(async () => {
    await deleteKeysWithPrefix(handle.url, handle.prefix).catch(() => undefined);
    redis?.disconnect();
    await handle?.stop();
  });

  test('When a session is opened, then it is valid, never carries the token, and expires after a working day', async () => {
    const value = await sessions.open();
    assert.match(value, /^v2\.[A-Za-z0-9_-]{43}$/);
    assert.ok(!value.includes(TOKEN));
    assert.equal(await sessions.valid(value), true);
    const stored = await redis.keys(`${handle.prefix}:admin-session:*`);
    assert.equal(stored.length, 1);
    assert.ok(!stored[0]!.includes(value.slice(3)), 'Redis keys hold a hash of the session id, not the id');
    const ttl = await redis.ttl(stored[0]!);
    assert.ok(ttl > ADMIN_SESSION_SEC - 60 && ttl <= ADMIN_SESSION_SEC, `ttl ${ttl}`);
  });

  test('When a session is closed, then its cookie value stops working', async () => {
    const value = await sessions.open();
    const other = await sessions.open();
    await sessions.close(value);
    assert.equal(await sessions.valid(value), false);
    assert.equal(await sessions.valid(other), true, 'closing one session leaves the others open');
  });

  test('When the token is rotated, then every session opened with the old one is refused', async () => {
    const value = await sessions.open();
    assert.equal(await new AdminSessions(redis, handle.prefix, `${TOKEN}-rotated`).valid(value), false);
  });

  test('When a cookie value is forged or malformed, then it is refused', async () => {
    const value = await sessions.open();
    assert.equal(await sessions.valid(`${value.slice(0, -2)}AA`), false);
    assert.equal(await sessions.valid(value.replace('v2.', 'v1.')), false);
    assert.equal(await sessions.valid(''), false);
    assert.equal(await sessions.valid(undefined), false);
    // A Redis writer without the token: a key for a chosen id with any value is still refused.
    const forged = new AdminSessions(redis, handle.prefix, 'not-the-token-0000000000');
    const minted = await forged.open();
    assert.equal(await sessions.valid(minted), false);
  });
});
