/**
 * The pure pieces of the coordinator's HTTP guard: which routes need which
 * credentials (decided on the matched route pattern), which Host names are
 * loopback or listed, and the ALLOWED_HOSTS / TRUST_PROXY / RATE_LIMIT_PER_MIN
 * settings with the messages a bad value gets.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError } from '../../shared/config/errors.js';
import { generateKeyring } from '../../shared/envelope/index.js';
import { DEFAULT_RATE_LIMIT_PER_MIN, parseCoordinatorConfig } from '../../services/coordinator/config.js';
import { hostAllowed, isLoopbackHost, parseAllowedHosts } from '../../services/coordinator/http/allowed-hosts.js';
import { API_ROUTES } from '../../shared/api/routes.js';
import { routeAccess } from '../../services/coordinator/http/route-access.js';
import { fastifyTrustProxy, parseTrustProxy } from '../../services/coordinator/http/trust-proxy.js';

const KEYS = { MEMFLEET_HMAC_KEYS: generateKeyring('q1'), MEMFLEET_SHARD_HMAC_KEYS: generateKeyring('r1') };

function configMessage(env: Record<string, string>): string {
  try {
    parseCoordinatorConfig({ ...KEYS, ...env });
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.message;
  }
  assert.fail(`expected ${JSON.stringify(env)} to be refused`);
}

describe('route access', () => {
  test('When a route pattern is under /v1 or /admin, then it is guarded; health, metrics, the console and unmatched requests are not', () => {
    for (const p of ['/v1/query', '/v1/shards', '/v1/queries/:id', '/v1/shards/:shard/lines']) assert.equal(routeAccess(p), 'api', p);
    for (const p of ['/admin/queues', '/admin/queues/', '/admin/queues/api/queues', '/admin/queues/static/*']) assert.equal(routeAccess(p), 'admin', p);
    assert.equal(routeAccess('/admin/session'), 'admin-session');
    for (const p of ['/healthz', '/readyz', '/metrics', '/', '/index.html', '/app.js', '/v1x', '/administrator', undefined]) assert.equal(routeAccess(p), 'public', String(p));
  });
});

describe('Host names', () => {
  test('When a Host names loopback, then it is accepted without a list; look-alikes are not', () => {
    for (const h of ['localhost', '127.0.0.1', '127.9.9.9', '[::1]', '[::ffff:127.0.0.1]']) assert.equal(isLoopbackHost(h), true, h);
    for (const h of ['localhost.attacker.example', '127.0.0.1.nip.io', '128.0.0.1', '[::2]', 'attacker.example', '', '0.0.0.0']) assert.equal(isLoopbackHost(h), false, h);
    assert.equal(hostAllowed('LOCALHOST', undefined), true);
    assert.equal(hostAllowed('localhost.', undefined), true);
    assert.equal(hostAllowed('', undefined), false, 'no Host is not loopback');
  });

  test('When ALLOWED_HOSTS lists names, then exactly those (any case, IPv6 in brackets or not) are added', () => {
    const parsed = parseAllowedHosts(' memfleet.internal , 10.0.0.5,::1:2, [fd00::1] ');
    assert.ok(parsed && !('error' in parsed));
    for (const h of ['memfleet.internal', 'MEMFLEET.internal', '10.0.0.5', '[::1:2]', '[fd00::1]', 'localhost']) assert.equal(hostAllowed(h, parsed), true, h);
    for (const h of ['sub.memfleet.internal', 'memfleet.internal.evil', '10.0.0.6']) assert.equal(hostAllowed(h, parsed), false, h);
    const any = parseAllowedHosts('*');
    assert.ok(any && !('error' in any));
    assert.equal(hostAllowed('anything.example', any), true);
    assert.equal(parseAllowedHosts(''), undefined);
  });

  test('When the coordinator listens on a specific address, then that address is accepted as Host too; the wildcards name nothing', () => {
    assert.equal(hostAllowed('192.168.1.5', undefined, '192.168.1.5'), true);
    assert.equal(hostAllowed('[fd00::5]', undefined, 'fd00::5'), true);
    assert.equal(hostAllowed('192.168.1.6', undefined, '192.168.1.5'), false);
    assert.equal(hostAllowed('0.0.0.0', undefined, '0.0.0.0'), false);
    assert.equal(hostAllowed('[::]', undefined, '::'), false);
    assert.equal(hostAllowed('attacker.example', undefined, '0.0.0.0'), false);
  });

  test('When ALLOWED_HOSTS holds something that is not a host name, then start-up fails naming the setting and the entry', () => {
    for (const [value, fragment] of [
      ['http://memfleet.internal', '"http://memfleet.internal"'],
      ['memfleet.internal:8080', '"memfleet.internal:8080"'],
      ['a b', '"a b"'],
      ['*,memfleet.internal', 'only entry'],
      [',', 'lists no host'],
    ] as const) {
      const message = configMessage({ ALLOWED_HOSTS: value });
      assert.match(message, /ALLOWED_HOSTS/);
      assert.ok(message.includes(fragment), message);
    }
    assert.deepEqual([...(parseCoordinatorConfig({ ...KEYS, ALLOWED_HOSTS: 'Memfleet.Internal' }).allowedHosts?.names ?? [])], ['memfleet.internal']);
  });
});

describe('TRUST_PROXY', () => {
  test('When TRUST_PROXY is unset, false, true, a hop count or addresses, then it becomes Fastify\'s trustProxy', () => {
    assert.equal(parseTrustProxy(undefined), false);
    assert.equal(parseTrustProxy('false'), false);
    assert.equal(parseTrustProxy('TRUE'), true);
    assert.equal(parseTrustProxy('2'), 2);
    assert.deepEqual(parseTrustProxy('loopback, 10.0.0.0/8,fd00::/8, 192.0.2.1'), ['loopback', '10.0.0.0/8', 'fd00::/8', '192.0.2.1']);
    assert.equal(parseCoordinatorConfig(KEYS).trustProxy, false);
    assert.deepEqual(parseCoordinatorConfig({ ...KEYS, TRUST_PROXY: '172.16.0.0/12' }).trustProxy, ['172.16.0.0/12']);
  });

  test('When TRUST_PROXY is a hop count, then Fastify gets a function trusting exactly that many hops', () => {
    const trust = fastifyTrustProxy(2);
    assert.equal(typeof trust, 'function');
    const hop = trust as (address: string, hop: number) => boolean;
    assert.deepEqual([0, 1, 2, 3].map((i) => hop('192.0.2.1', i)), [true, true, false, false]);
    assert.deepEqual(fastifyTrustProxy(['loopback']), ['loopback']);
    assert.equal(fastifyTrustProxy(false), false);
  });

  test('When TRUST_PROXY is not a valid value, then start-up fails naming it and what is expected', () => {
    for (const value of ['yes', '0', '11', '10.0.0.0/33', '10.0.0/8', 'proxy.example', '10.0.0.1/8/1']) {
      const message = configMessage({ TRUST_PROXY: value });
      assert.match(message, /TRUST_PROXY/, value);
      assert.match(message, /hop count|address/, value);
    }
  });
});

describe('rate limit default', () => {
  test('When RATE_LIMIT_PER_MIN is unset, then the limit is on at 600 a minute; 0 still turns it off', () => {
    assert.equal(DEFAULT_RATE_LIMIT_PER_MIN, 600);
    assert.equal(parseCoordinatorConfig(KEYS).rateLimitPerMin, 600);
    assert.equal(parseCoordinatorConfig({ ...KEYS, RATE_LIMIT_PER_MIN: '0' }).rateLimitPerMin, 0);
  });
});

describe('route access of every API route', () => {
  test('When a route is listed in API_ROUTES, then /v1 needs the token, /admin/queues the dashboard guard, and only health, metrics and the console are open', () => {
    const access = Object.fromEntries(API_ROUTES.map((r) => [`${r.method} ${r.path}`, routeAccess(r.path)]));
    for (const [route, kind] of Object.entries(access)) {
      const path = route.split(' ')[1]!;
      const want = path.startsWith('/v1/') ? 'api' : path === '/admin/session' ? 'admin-session' : path.startsWith('/admin/') ? 'admin' : 'public';
      assert.equal(kind, want, route);
    }
    assert.deepEqual(
      Object.entries(access).filter(([, kind]) => kind === 'public').map(([route]) => route),
      ['GET /healthz', 'GET /readyz', 'GET /metrics', 'GET /'],
    );
  });
});
