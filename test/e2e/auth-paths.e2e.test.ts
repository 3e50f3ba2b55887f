/**
 * Issue 11, finding 1 (critical): the bearer token was checked against the
 * raw URL (`startsWith('/v1/')`) while the router matched the decoded path, so
 * `GET /%761/shards` was served without the token. Every route behind the
 * token — the /v1 API, the source routes and bull-board under /admin/queues —
 * is asked through a table of path spellings (percent-encoded letters, digits
 * and slashes, double encoding, doubled slashes, case, dot segments, trailing
 * junk, backslashes, absolute-form targets), each sent byte for byte, with and
 * without the token.
 * Without the token every spelling must answer 401, or 404/400 when it matches
 * no route (or cannot be decoded); never anything a route served.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { API_ROUTES } from '../../shared/api/routes.js';
import { routeAccess } from '../../services/coordinator/http/route-access.js';
import { startFixtureFleet, type FixtureFleet } from '../helpers/fixture-fleet.js';
import { rawHttp, type RawHttpResponse } from '../helpers/raw-http.js';

const TOKEN = 'auth-paths-test-token-0123456789abcdef';
const AUTH = { authorization: `Bearer ${TOKEN}` };

interface Route {
  method: string;
  /** The route as declared (API_ROUTES' path), when it is one of the API's. */
  pattern?: string;
  /** The path as the route is declared, with its parameters filled in. */
  path: string;
  query?: string;
  body?: string;
}

const hex = (c: string, upper: boolean): string => {
  const h = c.charCodeAt(0).toString(16).padStart(2, '0');
  return `%${upper ? h.toUpperCase() : h}`;
};

/** Spellings of `path` a lax or a strict router might take for the same route. */
function pathVariants(path: string): string[] {
  const out = new Set<string>([path]);
  const chars = [...path];
  const segments = path.split('/').slice(1);
  chars.forEach((c, i) => {
    if (!/[A-Za-z0-9/.]/.test(c)) return;
    for (const upper of [true, false]) out.add(path.slice(0, i) + hex(c, upper) + path.slice(i + 1));
    if (c !== '/') out.add(`${path.slice(0, i)}%25${hex(c, true).slice(1)}${path.slice(i + 1)}`); // double encoding
  });
  out.add(chars.map((c, i) => (c === '/' ? c : i > 0 ? hex(c, true) : c)).join('')); // every letter encoded
  out.add(`/${chars.slice(1).map((c) => hex(c, false)).join('')}`); // every byte after the first slash encoded
  chars.forEach((c, i) => {
    if (c !== '/') return;
    out.add(`${path.slice(0, i)}//${path.slice(i + 1)}`);
    out.add(`${path.slice(0, i)}\\${path.slice(i + 1)}`);
  });
  out.add(`//${path.slice(1)}`);
  out.add(`///${path.slice(1)}`);
  out.add(path.toUpperCase());
  out.add(`/${segments[0]!.toUpperCase()}/${segments.slice(1).join('/')}`);
  out.add(`/${segments[0]![0]!.toUpperCase()}${segments[0]!.slice(1)}/${segments.slice(1).join('/')}`);
  for (let s = 0; s <= segments.length; s++) {
    const head = `/${segments.slice(0, s).join('/')}`.replace(/\/$/, '');
    const tail = segments.slice(s).join('/');
    const join = (mid: string) => `${head}${mid}${tail ? `/${tail}` : ''}`;
    out.add(join('/.'));
    out.add(join('/x/..'));
    out.add(join('/%2e'));
    out.add(join('/x/%2e%2e'));
    out.add(join('/x/%2E%2E'));
    out.add(join('/x%2f..'));
  }
  for (const junk of ['/', '//', '/.', '/..', ';', ';x=1', '%00', '%20', '.', '%2f', '%2F', '~', '%23x', '/%2e%2e/', '\\', '%5c']) out.add(path + junk);
  return [...out];
}

describe('the token guards every protected route however its path is spelled', () => {
  let fleet: FixtureFleet;
  let routes: Route[];

  before(async () => {
    fleet = await startFixtureFleet({ domains: ['harbor'], coordinatorEnv: { MEMFLEET_API_TOKEN: TOKEN }, token: TOKEN });
    const asked = await rawHttp(fleet.coordinator.port, {
      method: 'POST',
      path: '/v1/query',
      headers: { ...AUTH, 'content-type': 'application/json' },
      body: JSON.stringify({ question: 'Who is the captain of the schooner Albatross?' }),
    });
    assert.equal(asked.status, 200, asked.body);
    const queryId = (JSON.parse(asked.body) as { id: string }).id;
    const question = JSON.stringify({ question: 'plum jam' });
    // A written source for the write routes' canonical paths to find (PUT then replaces it: 200).
    const note = '/v1/shards/harbor/sources/notes/auth-paths.md';
    const written = await rawHttp(fleet.coordinator.port, { method: 'PUT', path: note, headers: { ...AUTH, 'content-type': 'text/plain' }, body: 'A note the path spellings try to reach.\n' });
    assert.equal(written.status, 201, written.body);
    const noteBody = JSON.stringify({ text: 'A note the path spellings try to reach, replaced.\n' });
    routes = [
      { method: 'GET', pattern: '/v1/shards', path: '/v1/shards' },
      { method: 'GET', pattern: '/v1/supervisor', path: '/v1/supervisor' },
      { method: 'POST', pattern: '/v1/query', path: '/v1/query', body: question },
      { method: 'GET', pattern: '/v1/queries/:id', path: `/v1/queries/${queryId}` },
      { method: 'GET', pattern: '/v1/shards/:shard/sources', path: '/v1/shards/harbor/sources' },
      { method: 'GET', pattern: '/v1/shards/:shard/lines', path: '/v1/shards/harbor/lines', query: 'source=ships.txt&from=1&to=3' },
      // In this order: PUT replaces the note, GET reads it, DELETE forgets it (its other spellings then answer 404 with the token).
      { method: 'PUT', pattern: '/v1/shards/:shard/sources/*', path: note, body: noteBody },
      { method: 'GET', pattern: '/v1/shards/:shard/sources/*', path: note },
      { method: 'DELETE', pattern: '/v1/shards/:shard/sources/*', path: note },
      { method: 'GET', pattern: '/admin/queues', path: '/admin/queues' },
      { method: 'GET', path: '/admin/queues/queue/shard.harbor' },
      { method: 'GET', path: '/admin/queues/api/queues', query: 'activeQueue=shard.harbor&status=completed' },
      { method: 'GET', path: '/admin/queues/api/redis/stats' },
      { method: 'PUT', path: '/admin/queues/api/queues/shard.harbor/pause' },
    ];
  });

  after(async () => {
    await fleet?.stop();
  });

  const send = (r: Route, path: string, withToken: boolean): Promise<RawHttpResponse> =>
    rawHttp(fleet.coordinator.port, {
      method: r.method,
      path: r.query ? `${path}?${r.query}` : path,
      headers: { ...(withToken ? AUTH : {}), ...(r.body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(r.body !== undefined ? { body: r.body } : {}),
    });

  test('When the API gains a guarded route, then this table has it (API_ROUTES is the list)', () => {
    const guarded = API_ROUTES.filter((r) => ['api', 'admin'].includes(routeAccess(r.path))).map((r) => `${r.method} ${r.path}`);
    const covered = routes.filter((r) => r.pattern).map((r) => `${r.method} ${r.pattern}`);
    assert.deepEqual(guarded.filter((r) => !covered.includes(r)), []);
  });

  test('When the review\'s own paths are sent without the token, then each answers 401', async () => {
    const port = fleet.coordinator.port;
    const cases: Array<[string, string, string?]> = [
      ['GET', '/%761/shards'],
      ['GET', '/v%31/shards/harbor/lines?source=ships.txt'],
      ['POST', '/%761/query', JSON.stringify({ question: 'Who is the captain of the schooner Albatross?' })],
      ['GET', `/%761/queries/${routes[2]!.path.split('/').pop()!}`],
      ['GET', '/%61dmin/queues/api/queues?activeQueue=shard.harbor&status=completed'],
      ['GET', '/%61dmin/queues/api/redis/stats'],
      ['GET', '/%61dmin/queues'],
    ];
    for (const [method, path, body] of cases) {
      const res = await rawHttp(port, { method, path, ...(body ? { body, headers: { 'content-type': 'application/json' } } : {}) });
      assert.equal(res.status, 401, `${method} ${path} answered ${res.status}: ${res.body.slice(0, 200)}`);
      assert.equal(JSON.parse(res.body).error.code, 'unauthorized');
    }
  });

  test('When every protected route is asked by every spelling of its path without the token, then none is served', async (t) => {
    let sent = 0;
    let matched = 0;
    const served: string[] = [];
    const byStatus: Record<string, number> = {};
    for (const route of routes) {
      const canonical = await send(route, route.path, true);
      // PUT …/pause is refused by the read-only dashboard (405) once past the guard; everything else is served.
      assert.ok(canonical.status === 200 || (route.method === 'PUT' && canonical.status === 405), `${route.method} ${route.path} with the token: ${canonical.status} ${canonical.body.slice(0, 200)}`);
      // Absolute-form request targets too (`GET http://host/v1/shards HTTP/1.1`), which no raw-URL prefix check expects.
      const absolute = [`http://127.0.0.1:${fleet.coordinator.port}${route.path}`, `http://attacker.example${route.path}`, `HTTP://127.0.0.1${route.path.replace('/v1', '/%761')}`];
      for (const path of [...pathVariants(route.path), ...absolute]) {
        const [withToken, without] = [await send(route, path, true), await send(route, path, false)];
        sent += 2;
        byStatus[without.status] = (byStatus[without.status] ?? 0) + 1;
        const routeMatched = withToken.status !== 404 && withToken.status !== 400;
        if (routeMatched) matched += 1;
        const ok = routeMatched ? without.status === 401 : [400, 401, 404].includes(without.status);
        if (!ok) served.push(`${route.method} ${path} → ${without.status} without the token (with it: ${withToken.status}) ${without.body.slice(0, 120)}`);
      }
    }
    t.diagnostic(`sent ${sent} requests; ${matched} spellings reached a route with the token; without it, by status: ${JSON.stringify(byStatus)}`);
    assert.deepEqual(served.slice(0, 20), [], `${served.length} spellings got past the token`);
    assert.ok(matched > routes.length, 'some spellings other than the canonical path reach a route (the router decodes), so the table tests something');
  });

  test('When the public routes are asked without the token, then they still answer', async () => {
    for (const path of ['/healthz', '/readyz', '/metrics', '/']) {
      const res = await rawHttp(fleet.coordinator.port, { path });
      assert.equal(res.status, 200, `${path}: ${res.status}`);
    }
  });
});
