/**
 * The coordinator against shared/api over real HTTP and a real Redis: every
 * route of API_ROUTES is served, real answers parse with the response schemas
 * (through the typed client the CLI and MCP use), and refused requests carry
 * the messages shared/api defines.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ClientError, CoordinatorClient } from '../../shared/api/client.js';
import { HealthSchema, ReadinessSchema } from '../../shared/api/health.js';
import { API_ROUTES } from '../../shared/api/routes.js';
import { createLogger } from '../../shared/log/logger.js';
import { parseCoordinatorConfig } from '../../services/coordinator/config.js';
import { startCoordinator, type RunningCoordinator } from '../../services/coordinator/start.js';
import { parseShardConfig } from '../../services/shard/config.js';
import { startShard, type RunningShard } from '../../services/shard/start.js';
import { shardEnv } from '../../services/cli/up/service-env.js';
import { startRedis, type RedisHandle } from '../helpers/redis-server.js';
import { FIXTURE_CONTEXTS, newKeys, postQuery, waitForShards } from '../helpers/fleet-processes.js';

describe('the coordinator serves the shared/api contract', () => {
  let redis: RedisHandle;
  let coordinator: RunningCoordinator;
  let shard: RunningShard;
  let client: CoordinatorClient;

  before(async () => {
    redis = await startRedis();
    const env = { REDIS_URL: redis.url, MEMFLEET_PREFIX: redis.prefix, ...newKeys(), HEARTBEAT_INTERVAL_MS: '500' };
    shard = await startShard(parseShardConfig({ ...shardEnv(env, 'harbor'), SHARD_DOMAIN: 'harbor', CONTEXTS_DIR: FIXTURE_CONTEXTS, METRICS_PORT: '0' }), createLogger({ service: 'shard', level: 'silent' }));
    coordinator = await startCoordinator(parseCoordinatorConfig({ ...env, PORT: '0', MAX_QUERY_TIMEOUT_MS: '60000' }), createLogger({ service: 'coordinator', level: 'silent' }));
    client = new CoordinatorClient({ url: coordinator.url });
    await waitForShards(coordinator.url, { harbor: 1 });
  });

  after(async () => {
    await coordinator?.close();
    await shard?.close();
    await redis?.stop();
  });

  test('When each route of API_ROUTES is requested, then the coordinator has it (no "No route" 404)', async () => {
    for (const route of API_ROUTES) {
      const path = route.path.replace(':shard', 'harbor').replace(':id', 'q_doesnotexist1');
      const res = await fetch(`${coordinator.url}${path}`, { method: route.method, redirect: 'manual' });
      const text = await res.text();
      assert.ok(!text.includes('No route'), `${route.method} ${route.path} answered ${res.status}: ${text.slice(0, 200)}`);
    }
  });

  test('When the typed client calls each JSON route, then the real answers parse with the response schemas', async () => {
    const answer = await client.ask({ question: 'Who is the captain of the schooner Albatross?', topK: 2 });
    assert.ok(answer.citations.length > 0);
    const stored = await client.storedQuery(answer.id);
    assert.equal(stored.status, 'done');
    const rows = await client.shards();
    assert.equal(rows.find((r) => r.shard === 'harbor')?.status, 'up');
    const sources = await client.sources('harbor');
    assert.ok(sources.sources.some((s) => s.source === 'ships.txt'));
    const lines = await client.lines('harbor', 'ships.txt', 1, 3);
    assert.equal(lines.from, 1);
    assert.ok(HealthSchema.safeParse(await (await fetch(`${coordinator.url}/healthz`)).json()).success);
    assert.ok(ReadinessSchema.safeParse(await (await fetch(`${coordinator.url}/readyz`)).json()).success);
  });

  test('When topK or timeoutMs is out of range, then the 400 names the field, the range and the value', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ topK: 0 }, 'topK must be an integer from 1 to 50, got 0'],
      [{ topK: 10000 }, 'topK must be an integer from 1 to 50, got 10000'],
      [{ timeoutMs: 999999 }, 'timeoutMs must be an integer from 50 to 60000, got 999999'],
      [{ top_k: 3 }, 'unknown field "top_k": did you mean "topK"?'],
    ];
    for (const [extra, message] of cases) {
      const { status, json } = await postQuery(coordinator.url, { question: 'x', ...extra });
      assert.equal(status, 400);
      assert.deepEqual(json.error, { code: 'invalid_body', message });
    }
    // The typed client (CLI, MCP) refuses the same body with the same words.
    await assert.rejects(client.ask({ question: 'x', topK: 10000 }), (err: unknown) => err instanceof ClientError && err.message === 'topK must be an integer from 1 to 50, got 10000');
    // timeoutMs's upper bound is the coordinator's: the client passes the server's message on.
    await assert.rejects(client.ask({ question: 'x', timeoutMs: 999999 }), (err: unknown) => err instanceof ClientError && err.message.startsWith('timeoutMs must be an integer from 50 to 60000, got 999999'));
  });

  test('When an unknown lines parameter is sent, then the 400 suggests the one meant', async () => {
    const res = await fetch(`${coordinator.url}/v1/shards/harbor/lines?source=ships.txt&form=2`);
    assert.equal(res.status, 400);
    assert.deepEqual(await res.json(), { error: { code: 'invalid_query', message: 'unknown parameter "form": did you mean "from"?' } });
  });

  test('When the body is text/plain or a form, then the answer is 415 naming application/json', async () => {
    for (const [type, body] of [
      ['text/plain', '{"question":"x"}'],
      ['text/plain; charset=utf-8', 'who is the captain?'],
      ['application/x-www-form-urlencoded', 'question=x'],
    ] as const) {
      const res = await fetch(`${coordinator.url}/v1/query`, { method: 'POST', headers: { 'content-type': type }, body });
      assert.equal(res.status, 415, type);
      const json = (await res.json()) as { error: { code: string; message: string } };
      assert.equal(json.error.code, 'unsupported_media_type');
      assert.match(json.error.message, /Content-Type: application\/json/);
      assert.ok(json.error.message.includes(type.split(';')[0]!), json.error.message);
    }
  });
});
