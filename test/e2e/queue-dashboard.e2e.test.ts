/**
 * bull-board at /admin/queues: who may open it (bearer token, the session
 * cookie, or loopback when no token is configured), read-only by default,
 * switched off on request, and showing shards that joined after start.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startCoordinatorProcess, type CoordinatorProcess } from '../helpers/fleet-processes.js';
import { startFixtureFleet, type FixtureFleet } from '../helpers/fixture-fleet.js';

const TOKEN = 'queue-dashboard-test-token-0123456789';

async function queueNames(url: string, headers: Record<string, string> = {}): Promise<string[]> {
  const res = await fetch(`${url}/admin/queues/api/queues`, { headers });
  assert.equal(res.status, 200);
  return ((await res.json()) as { queues: { name: string }[] }).queues.map((q) => q.name).sort();
}

describe('queue dashboard (bull-board)', () => {
  let fleet: FixtureFleet;
  let withToken: CoordinatorProcess;
  let off: CoordinatorProcess;

  before(async () => {
    // No token on the fleet's own coordinator: loopback-only access.
    fleet = await startFixtureFleet({ domains: ['harbor', 'kitchen'] });
    withToken = await startCoordinatorProcess({ ...fleet.env, MEMFLEET_API_TOKEN: TOKEN });
    off = await startCoordinatorProcess({ ...fleet.env, QUEUE_DASHBOARD: 'off' });
  });

  after(async () => {
    await withToken?.stop();
    await off?.stop();
    await fleet?.stop();
  });

  test('When no token is configured, then a loopback client opens the dashboard, read-only', async () => {
    const page = await fetch(`${fleet.coordinator.url}/admin/queues`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    const res = await fetch(`${fleet.coordinator.url}/admin/queues/api/queues`);
    const queues = ((await res.json()) as { queues: { name: string; readOnlyMode: boolean }[] }).queues;
    assert.deepEqual(queues.map((q) => q.name).sort(), ['shard.harbor', 'shard.kitchen']);
    assert.ok(queues.every((q) => q.readOnlyMode));
    const pause = await fetch(`${fleet.coordinator.url}/admin/queues/api/queues/shard.harbor/pause`, { method: 'PUT' });
    assert.equal(pause.status, 405, 'read-only mode refuses changes');
  });

  test('When a shard starts after the coordinator, then its queue appears on the dashboard without a restart', async () => {
    await fleet.addShard('observatory');
    assert.deepEqual(await queueNames(fleet.coordinator.url), ['shard.harbor', 'shard.kitchen', 'shard.observatory']);
  });

  test('When a token is configured, then the dashboard needs the bearer token or the session cookie bought with it', async () => {
    const anonymous = await fetch(`${withToken.url}/admin/queues`);
    assert.equal(anonymous.status, 401);
    assert.match(((await anonymous.json()) as { error: { message: string } }).error.message, /API token/);
    const wrong = await fetch(`${withToken.url}/admin/queues`, { headers: { authorization: 'Bearer not-the-token-at-all' } });
    assert.equal(wrong.status, 401);
    assert.ok((await queueNames(withToken.url, { authorization: `Bearer ${TOKEN}` })).includes('shard.harbor'));

    const noBearer = await fetch(`${withToken.url}/admin/session`, { method: 'POST' });
    assert.equal(noBearer.status, 401);
    const session = await fetch(`${withToken.url}/admin/session`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(session.status, 204);
    const setCookie = session.headers.get('set-cookie') ?? '';
    assert.match(setCookie, /^memfleet_admin=v2\.[\w-]+; Path=\/admin; Max-Age=\d+; HttpOnly; SameSite=Strict/);
    assert.ok(!setCookie.includes(TOKEN), 'the cookie does not carry the token');
    const cookie = setCookie.split(';')[0] as string;
    assert.ok((await queueNames(withToken.url, { cookie })).includes('shard.kitchen'));
    const forged = await fetch(`${withToken.url}/admin/queues/api/queues`, { headers: { cookie: cookie.replace(/.{4}$/, 'AAAA') } });
    assert.equal(forged.status, 401);
  });

  test('When QUEUE_DASHBOARD=off, then /admin/queues does not exist', async () => {
    const res = await fetch(`${off.url}/admin/queues`);
    assert.equal(res.status, 404);
  });
});
