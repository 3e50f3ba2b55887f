import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ADMIN_SESSION_SEC, isLoopback, issueSessionValue, readCookie, sessionCookie, sessionValueValid } from '../../services/coordinator/http/admin-session.js';

const TOKEN = 'admin-session-test-token-000000';

describe('queue dashboard sessions', () => {
  test('When a session value is issued for a token, then it is valid for that token only, and only until it expires', () => {
    const now = Date.now();
    const value = issueSessionValue(TOKEN, now);
    assert.equal(sessionValueValid(value, TOKEN, now), true);
    assert.equal(sessionValueValid(value, `${TOKEN}-rotated`, now), false);
    assert.equal(sessionValueValid(value, TOKEN, now + ADMIN_SESSION_SEC * 1000 + 1000), false);
    assert.ok(!value.includes(TOKEN), 'the cookie never carries the token');
  });

  test('When a session value is tampered with, then it is refused', () => {
    const value = issueSessionValue(TOKEN);
    const [v, exp, mac] = value.split('.') as [string, string, string];
    assert.equal(sessionValueValid(`${v}.${Number(exp) + 3600}.${mac}`, TOKEN), false);
    assert.equal(sessionValueValid(`${v}.${exp}.${mac.slice(0, -2)}AA`, TOKEN), false);
    assert.equal(sessionValueValid('', TOKEN), false);
    assert.equal(sessionValueValid(undefined, TOKEN), false);
  });

  test('When the cookie is set, then it is HttpOnly, SameSite=Strict and scoped to /admin', () => {
    const cookie = sessionCookie('v1.1.x', false);
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    assert.match(cookie, /Path=\/admin;/);
    assert.doesNotMatch(cookie, /Secure/);
    assert.match(sessionCookie('v1.1.x', true), /; Secure/);
    assert.equal(readCookie('a=1; memfleet_admin=v1.2.y; b=2', 'memfleet_admin'), 'v1.2.y');
    assert.equal(readCookie('memfleet_administrator=z', 'memfleet_admin'), undefined);
  });

  test('When an address is loopback, then it is recognised in every form, and nothing else is', () => {
    for (const a of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1']) assert.equal(isLoopback(a), true, a);
    for (const a of ['10.0.0.1', '192.168.1.2', '::ffff:10.0.0.1', 'fe80::1', '', undefined]) assert.equal(isLoopback(a), false, String(a));
  });
});
