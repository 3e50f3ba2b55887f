/**
 * Issue 11, findings 6 and 10 (the HTTP parts): the rate limit keyed on the
 * client's address, not on a bearer token nobody checked; the queue-dashboard
 * session ended server-side at logout; TRUST_PROXY, so the session cookie is
 * `Secure` and clients are told apart behind a TLS-terminating proxy; and the
 * headers that keep browsers from sniffing or framing responses.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startCoordinatorProcess, type CoordinatorProcess } from '../helpers/fleet-processes.js';
import { startFixtureFleet, type FixtureFleet } from '../helpers/fixture-fleet.js';
import { rawHttp } from '../helpers/raw-http.js';

const TOKEN = 'http-hardening-test-token-0123456789';
const AUTH = { authorization: `Bearer ${TOKEN}` };
const QUESTION = JSON.stringify({ question: 'plum jam' });

describe('HTTP hardening', () => {
  let fleet: FixtureFleet;
  let limited: CoordinatorProcess;
  let proxied: CoordinatorProcess;

  before(async () => {
    fleet = await startFixtureFleet({ domains: ['harbor'], coordinatorEnv: { MEMFLEET_API_TOKEN: TOKEN }, token: TOKEN });
    limited = await startCoordinatorProcess({ ...fleet.env, RATE_LIMIT_PER_MIN: '3', TRUST_PROXY: 'loopback' });
    proxied = await startCoordinatorProcess({ ...fleet.env, MEMFLEET_API_TOKEN: TOKEN, TRUST_PROXY: 'loopback' });
  });

  after(async () => {
    await limited?.stop();
    await proxied?.stop();
    await fleet?.stop();
  });

  const query = (port: number, headers: Record<string, string> = {}) =>
    rawHttp(port, { method: 'POST', path: '/v1/query', headers: { 'content-type': 'application/json', ...headers }, body: QUESTION });

  test('When no token is configured and a client rotates made-up bearer tokens, then it still gets only its own allowance', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await query(limited.port, { authorization: `Bearer made-up-token-${i}-0123456789` })).status);
    assert.deepEqual(statuses, [200, 200, 200, 429, 429]);
  });

  test('When TRUST_PROXY trusts the proxy, then clients behind it are told apart by X-Forwarded-For', async () => {
    const from = (ip: string) => query(limited.port, { 'x-forwarded-for': ip });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await from('203.0.113.7')).status);
    assert.deepEqual(statuses, [200, 200, 200, 429]);
    assert.equal((await from('203.0.113.8')).status, 200, 'another client behind the same proxy has its own allowance');
  });

  test('When the dashboard session is ended at logout, then its cookie stops working, even a copy kept by someone else', async () => {
    const port = fleet.coordinator.port;
    const session = await rawHttp(port, { method: 'POST', path: '/admin/session', headers: AUTH });
    assert.equal(session.status, 204, session.body);
    const cookie = (session.headers['set-cookie'] ?? '').split(';')[0]!;
    assert.match(cookie, /^memfleet_admin=\S+$/);
    const open = await rawHttp(port, { path: '/admin/queues/api/queues', headers: { cookie } });
    assert.equal(open.status, 200, open.body.slice(0, 200));

    const logout = await rawHttp(port, { method: 'DELETE', path: '/admin/session', headers: { cookie } });
    assert.equal(logout.status, 204);
    assert.match(logout.headers['set-cookie'] ?? '', /^memfleet_admin=; Path=\/admin; Max-Age=0/);
    const replayed = await rawHttp(port, { path: '/admin/queues/api/queues', headers: { cookie } });
    assert.equal(replayed.status, 401, `the cookie still opened the dashboard after logout: ${replayed.body.slice(0, 200)}`);
    const otherCoordinator = await rawHttp(proxied.port, { path: '/admin/queues/api/queues', headers: { cookie } });
    assert.equal(otherCoordinator.status, 401, 'the session is ended on every coordinator of the fleet');
  });

  test('When the session is opened through a TLS-terminating proxy trusted with TRUST_PROXY, then the cookie is Secure, and only then', async () => {
    const viaProxy = { ...AUTH, 'x-forwarded-proto': 'https' };
    const trusted = await rawHttp(proxied.port, { method: 'POST', path: '/admin/session', headers: viaProxy });
    assert.equal(trusted.status, 204, trusted.body);
    assert.match(trusted.headers['set-cookie'] ?? '', /; Secure$/);
    const untrusted = await rawHttp(fleet.coordinator.port, { method: 'POST', path: '/admin/session', headers: viaProxy });
    assert.equal(untrusted.status, 204, untrusted.body);
    assert.doesNotMatch(untrusted.headers['set-cookie'] ?? '', /Secure/, 'without TRUST_PROXY a client cannot claim https');
  });

  test('When anything answers, then the response says nosniff and DENY framing; the queue dashboard adds a Content-Security-Policy', async () => {
    const port = fleet.coordinator.port;
    const cases: Array<{ what: string; method?: string; path: string; headers?: Record<string, string>; body?: string; status: number }> = [
      { what: 'an API answer', path: '/v1/shards', headers: AUTH, status: 200 },
      { what: 'a source read', path: '/v1/shards/harbor/lines?source=ships.txt&from=1&to=2', headers: AUTH, status: 200 },
      { what: 'a missing token', path: '/v1/shards', status: 401 },
      { what: 'an unknown route', path: '/v1/nope', headers: AUTH, status: 404 },
      { what: 'a bad body', method: 'POST', path: '/v1/query', headers: { ...AUTH, 'content-type': 'application/json' }, body: '{"question":', status: 400 },
      { what: 'an undecodable URL', path: '/v1/%zz', headers: AUTH, status: 400 },
      { what: 'the health check', path: '/healthz', status: 200 },
      { what: 'the metrics', path: '/metrics', status: 200 },
      { what: 'the console', path: '/', status: 200 },
      { what: 'the dashboard page', path: '/admin/queues', headers: AUTH, status: 200 },
      { what: 'a dashboard refusal', path: '/admin/queues', status: 401 },
    ];
    for (const c of cases) {
      const res = await rawHttp(port, { method: c.method ?? 'GET', path: c.path, headers: { ...c.headers }, ...(c.body ? { body: c.body } : {}) });
      assert.equal(res.status, c.status, `${c.what}: ${res.status} ${res.body.slice(0, 160)}`);
      assert.equal(res.headers['x-content-type-options'], 'nosniff', `${c.what}: X-Content-Type-Options`);
      assert.equal(res.headers['x-frame-options'], 'DENY', `${c.what}: X-Frame-Options`);
    }
    const page = await rawHttp(port, { path: '/admin/queues', headers: AUTH });
    const csp = page.headers['content-security-policy'] ?? '';
    assert.match(csp, /frame-ancestors 'none'/);
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'self'(;|$)/, 'no inline or third-party script');
    // Every script the page loads is one of its own (what script-src 'self' allows).
    const scripts = [...page.body.matchAll(/<script[^>]*\ssrc="([^"]+)"/g)].map((m) => m[1]!);
    assert.ok(scripts.length > 0, 'the page loads scripts');
    assert.ok(scripts.every((s) => !/^(https?:)?\/\//.test(s)), scripts.join(', '));
  });
});
