import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isLoopback, readCookie, sessionCookie } from '../../services/coordinator/http/admin-session.js';

describe('queue dashboard session cookie', () => {
  test('When the cookie is set, then it is HttpOnly, SameSite=Strict and scoped to /admin', () => {
    const cookie = sessionCookie('v2.x', false);
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    assert.match(cookie, /Path=\/admin;/);
    assert.doesNotMatch(cookie, /Secure/);
    assert.match(sessionCookie('v2.x', true), /; Secure/);
    assert.equal(readCookie('a=1; memfleet_admin=v2.y; b=2', 'memfleet_admin'), 'v2.y');
    assert.equal(readCookie('memfleet_administrator=z', 'memfleet_admin'), undefined);
  });

  test('When an address is loopback, then it is recognised in every form, and nothing else is', () => {
    for (const a of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1']) assert.equal(isLoopback(a), true, a);
    for (const a of ['10.0.0.1', '192.168.1.2', '::ffff:10.0.0.1', 'fe80::1', '', undefined]) assert.equal(isLoopback(a), false, String(a));
  });
});
