/**
 * Issue 11, finding 4: with no API token (what `npm start` runs) any Host was
 * accepted, so a web page whose own name an attacker re-points at 127.0.0.1
 * (DNS rebinding) could read every domain from the victim's browser. The
 * browser still sends the page's name as Host, so without a token the /v1
 * and /admin routes now answer only loopback names and ALLOWED_HOSTS, and
 * refuse the rest with 421 naming the setting. Health, readiness, metrics and
 * the console's static page answer any Host, as they answer without a token:
 * probes and Prometheus reach containers by service name or pod address.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startCoordinatorProcess, type CoordinatorProcess } from '../helpers/fleet-processes.js';
import { startFixtureFleet, type FixtureFleet } from '../helpers/fixture-fleet.js';
import { rawHttp } from '../helpers/raw-http.js';

const TOKEN = 'host-header-test-token-0123456789abc';

const GUARDED: Array<{ method: string; path: string; body?: string }> = [
  { method: 'GET', path: '/v1/shards' },
  { method: 'GET', path: '/v1/shards/harbor/sources' },
  { method: 'GET', path: '/v1/shards/harbor/lines?source=ships.txt&from=1&to=3' },
  { method: 'POST', path: '/v1/query', body: JSON.stringify({ question: 'Who is the captain of the schooner Albatross?' }) },
  { method: 'GET', path: '/admin/queues' },
  { method: 'GET', path: '/admin/queues/api/queues?activeQueue=shard.harbor&status=completed' },
  { method: 'GET', path: '/%761/shards' },
];

const REBINDING_HOSTS = (port: number) => [
  `attacker.example:${port}`,
  'attacker.example',
  `localhost.attacker.example:${port}`,
  `127.0.0.1.nip.io:${port}`,
  `coordinator:${port}`,
  `[::2]:${port}`,
  `128.0.0.1:${port}`,
];

describe('Host header: the DNS-rebinding guard', () => {
  let fleet: FixtureFleet;
  let listed: CoordinatorProcess;
  let withToken: CoordinatorProcess;

  before(async () => {
    fleet = await startFixtureFleet({ domains: ['harbor'] });
    listed = await startCoordinatorProcess({ ...fleet.env, ALLOWED_HOSTS: 'memfleet.internal, 10.1.2.3' });
    withToken = await startCoordinatorProcess({ ...fleet.env, MEMFLEET_API_TOKEN: TOKEN });
  });

  after(async () => {
    await listed?.stop();
    await withToken?.stop();
    await fleet?.stop();
  });

  const ask = (port: number, r: { method: string; path: string; body?: string }, host: string, headers: Record<string, string> = {}) =>
    rawHttp(port, {
      method: r.method,
      path: r.path,
      headers: { host, ...headers, ...(r.body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(r.body !== undefined ? { body: r.body } : {}),
    });

  test('When no token is set and a request names a foreign Host, then every guarded route answers 421 naming ALLOWED_HOSTS', async () => {
    const port = fleet.coordinator.port;
    for (const host of REBINDING_HOSTS(port)) {
      for (const r of GUARDED) {
        const res = await ask(port, r, host);
        assert.equal(res.status, 421, `${r.method} ${r.path} with Host ${host}: ${res.status} ${res.body.slice(0, 160)}`);
        const error = (JSON.parse(res.body) as { error: { code: string; message: string } }).error;
        assert.equal(error.code, 'host_not_allowed');
        assert.match(error.message, /ALLOWED_HOSTS/);
        assert.match(error.message, /MEMFLEET_API_TOKEN/);
      }
    }
  });

  test('When no token is set and the Host names loopback, then the guarded routes answer as before', async () => {
    const port = fleet.coordinator.port;
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, 'localhost', `LOCALHOST:${port}`, `127.0.0.2:${port}`, `[::1]:${port}`, '[::1]']) {
      for (const r of GUARDED.filter((g) => g.method === 'GET' && !g.path.startsWith('/%'))) {
        const res = await ask(port, r, host);
        assert.equal(res.status, 200, `${r.method} ${r.path} with Host ${host}: ${res.status} ${res.body.slice(0, 160)}`);
      }
    }
  });

  test('When a probe or Prometheus asks by service name, then health, readiness, metrics and the console page still answer', async () => {
    for (const path of ['/healthz', '/readyz', '/metrics', '/']) {
      const res = await rawHttp(fleet.coordinator.port, { path, headers: { host: 'coordinator:8080' } });
      assert.equal(res.status, 200, `${path}: ${res.status} ${res.body.slice(0, 160)}`);
    }
  });

  test('When ALLOWED_HOSTS lists a name, then that name is answered on any port and in any case, and other names are still refused', async () => {
    const port = listed.port;
    for (const host of ['memfleet.internal:8080', 'MEMFLEET.INTERNAL', 'memfleet.internal.', '10.1.2.3:80', `127.0.0.1:${port}`]) {
      const res = await ask(port, GUARDED[0]!, host);
      assert.equal(res.status, 200, `Host ${host}: ${res.status} ${res.body.slice(0, 160)}`);
    }
    for (const host of ['attacker.example', 'sub.memfleet.internal', 'memfleet.internal.attacker.example', '10.1.2.4']) {
      const res = await ask(port, GUARDED[0]!, host);
      assert.equal(res.status, 421, `Host ${host}: ${res.status}`);
    }
  });

  test('When a token is set, then the token, not the Host, decides', async () => {
    const port = withToken.port;
    const ok = await ask(port, GUARDED[0]!, 'coordinator.example.com', { authorization: `Bearer ${TOKEN}` });
    assert.equal(ok.status, 200, ok.body);
    const anonymous = await ask(port, GUARDED[0]!, 'coordinator.example.com');
    assert.equal(anonymous.status, 401, anonymous.body);
  });
});
