/**
 * Promise 7: hostile HTTP. A seeded fuzzer sends 1,200 malformed requests —
 * wrong types, missing and unknown fields, huge bodies, bad JSON, odd
 * encodings, unknown routes, wrong methods, missing or wrong bearer tokens —
 * and every one must get a 4xx with the API's error shape (docs/api.md), none a
 * 5xx, the coordinator healthy afterwards. Then the per-client rate limit:
 * 429 with Retry-After, per client address.
 */
import assert from 'node:assert/strict';
import { request, Agent } from 'node:http';
import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { startRedis, type RedisHandle } from '../helpers/redis-server.js';
import { newKeys, startCoordinatorProcess, startShardProcess, waitForShards, type CoordinatorProcess, type ServiceProcess } from '../helpers/fleet-processes.js';
import { ask, logLines } from '../helpers/fault-kit.js';

const REQUESTS = 1_200;
const SEED = 0x5eed_2026;
const TOKEN = 'fuzz-token-0123456789abcdef';
const MAX_BODY_BYTES = 65_536;

interface RawRequest {
  kind: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  localAddress?: string;
  /** Sent as these exact bytes on a fresh socket: HTTP the parser itself must reject. */
  raw?: string;
}

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  networkError?: string;
}

/** mulberry32: small, seeded, reproducible. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function sendRaw(port: number, bytes: string): Promise<RawResponse> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.setTimeout(30_000, () => socket.destroy(new Error('no answer within 30 s')));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1] ?? 0);
      // The first response only: a request the server answered before its body broke the parser gets a second one.
      const split = text.indexOf('\r\n\r\n');
      const length = Number(/\r\ncontent-length: (\d+)/i.exec(text.slice(0, split))?.[1] ?? NaN);
      const body = split < 0 ? '' : text.slice(split + 4, Number.isNaN(length) ? undefined : split + 4 + length);
      resolve({ status, headers: {}, body, ...(status === 0 ? { networkError: 'no HTTP response' } : {}) });
    });
    socket.write(bytes);
  });
}

function send(port: number, agent: Agent, r: RawRequest): Promise<RawResponse> {
  if (r.raw !== undefined) return sendRaw(port, r.raw);
  // Every body is framed: GET/DELETE/OPTIONS bodies would otherwise go out without a length (Node's default).
  const headers = r.body ? { ...r.headers, 'content-length': String(r.body.length) } : r.headers;
  return new Promise((resolve) => {
    const req = request(
      { host: '127.0.0.1', port, method: r.method, path: r.path, headers, agent, ...(r.localAddress ? { localAddress: r.localAddress } : {}) },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (err) => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: '', networkError: err.message }));
      },
    );
    req.setTimeout(30_000, () => req.destroy(new Error('no answer within 30 s')));
    req.on('error', (err) => resolve({ status: 0, headers: {}, body: '', networkError: (err as NodeJS.ErrnoException).code ?? err.message }));
    if (r.body) req.write(r.body);
    req.end();
  });
}

/** Builds the malformed requests. Every one is invalid by construction, so 2xx is as wrong as 5xx. */
function generate(count: number, rand: () => number): RawRequest[] {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const json = { 'content-type': 'application/json' };
  const auth = { authorization: `Bearer ${TOKEN}` };
  const post = (kind: string, body: Buffer | string, headers: Record<string, string> = { ...json, ...auth }, path = '/v1/query'): RawRequest => ({
    kind,
    method: 'POST',
    path,
    headers,
    body: typeof body === 'string' ? Buffer.from(body, 'utf8') : body,
  });
  const valid = (): Record<string, unknown> => {
    const base: Record<string, unknown> = { question: pick(['captain of the Albatross', 'plum jam', 'ferry', 'x']) };
    if (rand() < 0.4) base.topK = int(1, 50);
    if (rand() < 0.3) base.timeoutMs = int(50, 5_000);
    if (rand() < 0.3) base.mode = pick(['broadcast', 'routed']);
    return base;
  };
  const badValues: Record<string, readonly unknown[]> = {
    question: [123, true, null, [], {}, ['q'], 1.5, -1, '', '   ', '\n\t'],
    shards: ['harbor', [1, 2], ['Harbor!'], ['../etc'], [''], [null], { a: 1 }, Array.from({ length: 65 }, () => 'harbor'), ['atlantis'], ['no-such-shard-zz']],
    mode: ['fast', 1, null, ['broadcast'], 'BROADCAST', ''],
    topK: [0, 51, -3, 2.5, '5', null, 1e10, [], {}],
    timeoutMs: [0, 49, 10_000_000, '1000', 1.5, -100, null, true],
  };
  const weirdKeys = ['colour', 'Question', '__proto_', 'constructor', 'topk', 'shard', 'timeout', '', ' ', 'ünïcode', '0'];

  const generators: Array<() => RawRequest> = [
    // Wrong type or value of exactly one field, the rest valid.
    () => {
      const field = pick(Object.keys(badValues));
      return post(`wrong ${field}`, JSON.stringify({ ...valid(), [field]: pick(badValues[field]!) }));
    },
    // Missing question.
    () => {
      const body = valid();
      delete body.question;
      return post('missing question', JSON.stringify(body));
    },
    // Unknown field.
    () => post('unknown field', JSON.stringify({ ...valid(), [pick(weirdKeys)]: pick([1, 'x', null, [], {}]) })),
    // Bad JSON and non-object JSON.
    () =>
      post(
        'bad json',
        pick([
          '{',
          '{"question":',
          "{'question':'x'}",
          '{"question":"x",}',
          '{"question":"x"}}',
          'NaN',
          'undefined',
          'null',
          '[]',
          '[{"question":"x"}]',
          '"question"',
          '42',
          'true',
          '{"question":"x","question":5}',
          '{"__proto__":{"admin":true},"question":"x"}',
          '{"constructor":{"prototype":{"admin":true}},"question":"x"}',
          '{"question":"\\ud800 lone surrogate"}',
          '{"question":"\\udfff"}',
          `{"question":${'['.repeat(3_000)}${']'.repeat(3_000)}}`,
          '['.repeat(30_000),
          `{"question":"x","topK":1${'0'.repeat(400)}}`,
        ]),
      ),
    // Random bytes as the body.
    () => post('random bytes', Buffer.from(Array.from({ length: int(1, 512) }, () => int(0, 255)))),
    // Huge bodies (over MAX_BODY_BYTES) and over-long questions.
    () =>
      rand() < 0.5
        ? post('huge body', JSON.stringify({ question: 'q', pad: 'x'.repeat(int(MAX_BODY_BYTES, MAX_BODY_BYTES * 8)) }))
        : post('question too long', JSON.stringify({ question: 'why '.repeat(int(1_001, 10_000)) })),
    // Odd encodings and content types around a body that is invalid anyway.
    () => {
      const invalid = JSON.stringify({ question: 'x', topK: 'five' });
      const variant = int(0, 9);
      if (variant === 0) return post('utf-16 body', Buffer.from(invalid, 'utf16le'), { ...auth, 'content-type': 'application/json; charset=utf-16' });
      if (variant === 1) return post('gzip body', gzipSync(invalid), { ...auth, 'content-type': 'application/json', 'content-encoding': 'gzip' });
      if (variant === 2) return post('BOM + body', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(invalid)]));
      if (variant === 3) return post('invalid utf-8', Buffer.concat([Buffer.from('{"question":"'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('","topK":"x"}')]));
      if (variant === 4) return post('text/plain', JSON.stringify(valid()), { ...auth, 'content-type': 'text/plain' });
      if (variant === 5) return post('form', 'question=x&topK=3', { ...auth, 'content-type': 'application/x-www-form-urlencoded' });
      if (variant === 6) return post('multipart', '--b\r\ncontent-disposition: form-data; name="question"\r\n\r\nx\r\n--b--', { ...auth, 'content-type': 'multipart/form-data; boundary=b' });
      if (variant === 7) return post('no content type', JSON.stringify(valid()), { ...auth });
      if (variant === 8) return post('latin1 charset', Buffer.from('{"question":"caf\xe9","mode":"\xe9"}', 'latin1'), { ...auth, 'content-type': 'application/json; charset=latin1' });
      return post('odd content type', JSON.stringify(valid()), { ...auth, 'content-type': pick(['application/jsonx', 'json', 'application/xml', '*/*', 'application/json-patch+json']) });
    },
    // Unknown routes.
    () => {
      const path = pick([
        '/v2/query',
        '/v1/query/extra',
        '/v1/queries',
        '/v1/queries/',
        '/v1',
        '/v1/',
        '/%2e%2e/%2e%2e/etc/passwd',
        '/v1/../v1/query',
        '/v1/queries/q_abc/../../shards',
        '/v1/shards/extra/more/path',
        `/zz-${'a'.repeat(int(100, 6_000))}`,
        '/v1/sh%C3%A4rds',
        '/v1/%00',
        '/.env',
        '/metrics/extra',
        `/zz-${int(0, 1e9)}?q=${encodeURIComponent('"><script>')}`,
      ]);
      return { kind: 'unknown route', method: pick(['GET', 'POST', 'DELETE']), path, headers: { ...auth, ...json }, body: Buffer.from('{}') };
    },
    // Wrong methods on real routes.
    () => {
      const [method, path] = pick([
        ['GET', '/v1/query'],
        ['PUT', '/v1/query'],
        ['DELETE', '/v1/query'],
        ['PATCH', '/v1/query'],
        ['OPTIONS', '/v1/query'],
        ['POST', '/v1/shards'],
        ['DELETE', '/v1/shards'],
        ['POST', '/v1/queries/q_abcdefghijkl'],
        ['PUT', '/v1/queries/q_abcdefghijkl'],
        ['POST', '/healthz'],
        ['PUT', '/readyz'],
        ['DELETE', '/metrics'],
      ] as const);
      return { kind: 'wrong method', method, path, headers: { ...auth, ...json }, body: Buffer.from(JSON.stringify(valid())) };
    },
    // Missing or wrong bearer token, on a request that is otherwise valid.
    () => {
      const header = pick([undefined, 'Bearer wrong-token-0000000000', 'Bearer', 'Bearer ', `Basic ${Buffer.from(`user:${TOKEN}`).toString('base64')}`, TOKEN, `Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(0, -1)}`, `Token ${TOKEN}`, `Bearer\t${TOKEN}0`]);
      const headers: Record<string, string> = { ...json, ...(header === undefined ? {} : { authorization: header }) };
      return rand() < 0.7
        ? post('bad token', JSON.stringify(valid()), headers)
        : { kind: 'bad token', method: 'GET', path: pick(['/v1/shards', '/v1/queries/q_abcdefghijkl', '/v1/shards/harbor/sources']), headers };
    },
    // HTTP the parser rejects, sent as raw bytes.
    () => ({
      kind: 'malformed http',
      method: 'RAW',
      path: '',
      headers: {},
      raw: pick([
        'POST /v1/query HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n',
        'POST /v1/query HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 9\r\n\r\nhello',
        'POST /v1/query HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nnot hex\r\n',
        'GARBAGE\r\n\r\n',
        'GET /healthz HTTP/9.9\r\n\r\n',
        'GET /healthz HTTP/1.1\r\nBad Header Name: x\r\n\r\n',
        `GET /healthz HTTP/1.1\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
        'GET /v1/shards\u0000 HTTP/1.1\r\nHost: x\r\n\r\n',
      ]),
    }),
    // Unknown or malformed query ids.
    () => ({
      kind: 'bad query id',
      method: 'GET',
      path: `/v1/queries/${pick(['q_', 'q_short', 'x', 'q_%00%00%00%00%00%00%00%00', 'q_abcdefghijklmnop', `q_${'a'.repeat(100)}`, '%F0%9F%92%A3', 'q_abcdefgh?x=1', '..%2F..%2Fetc'])}`,
      headers: { ...auth },
    }),
  ];

  return Array.from({ length: count }, (_, i) => generators[i % generators.length]!());
}

describe('promise 7: hostile HTTP', () => {
  let redis: RedisHandle;
  let coordinator: CoordinatorProcess | undefined;
  let limited: CoordinatorProcess | undefined;
  let shard: ServiceProcess | undefined;

  before(async () => {
    redis = await startRedis();
    const env = { REDIS_URL: redis.url, MEMFLEET_PREFIX: redis.prefix, ...newKeys(), HEARTBEAT_INTERVAL_MS: '500', HEARTBEAT_TTL_MS: '3000' };
    // The fuzzer sends hundreds of queries a minute from one address: no rate limit here (the next test has its own).
    coordinator = await startCoordinatorProcess({ ...env, MEMFLEET_API_TOKEN: TOKEN, MAX_BODY_BYTES: String(MAX_BODY_BYTES), RATE_LIMIT_PER_MIN: '0' });
    limited = await startCoordinatorProcess({ ...env, RATE_LIMIT_PER_MIN: '5' });
    shard = await startShardProcess('harbor', env);
    await waitForShards(coordinator.url, { harbor: 1 }, TOKEN);
  });

  after(async () => {
    await shard?.stop();
    await coordinator?.stop();
    await limited?.stop();
    await redis?.stop();
  });

  test('When 1,200 malformed requests arrive, then each gets a 4xx in the API error shape, none a 5xx, and the coordinator stays healthy', async (t) => {
    const cases = generate(REQUESTS, prng(SEED));
    const agent = new Agent({ keepAlive: true, maxSockets: 4 });
    const responses: Array<{ c: RawRequest; r: RawResponse }> = [];
    try {
      let next = 0;
      await Promise.all(
        Array.from({ length: 4 }, async () => {
          while (next < cases.length) {
            const c = cases[next++]!;
            responses.push({ c, r: await send(coordinator!.port, agent, c) });
          }
        }),
      );
    } finally {
      agent.destroy();
    }

    const byStatus: Record<string, number> = {};
    const byKind: Record<string, Record<string, number>> = {};
    const wrong: string[] = [];
    for (const { c, r } of responses) {
      const label = r.networkError ? `network:${r.networkError}` : String(r.status);
      byStatus[label] = (byStatus[label] ?? 0) + 1;
      (byKind[c.kind] ??= {})[label] = ((byKind[c.kind] ?? {})[label] ?? 0) + 1;
      let shaped = false;
      try {
        const body = JSON.parse(r.body) as { error?: { code?: unknown; message?: unknown } };
        shaped = typeof body.error?.code === 'string' && typeof body.error.message === 'string' && body.error.message.length > 0;
      } catch {
        shaped = false;
      }
      if (r.networkError || r.status < 400 || r.status >= 500 || !shaped) {
        wrong.push(`${c.kind} ${c.method} ${c.path.slice(0, 80)} → ${label} ${r.body.slice(0, 160)}`);
      }
    }
    t.diagnostic(`fuzz: sent=${responses.length} by status ${JSON.stringify(byStatus)}`);
    t.diagnostic(`fuzz by kind: ${JSON.stringify(byKind)}`);
    assert.equal(responses.length, REQUESTS);
    assert.deepEqual(wrong.slice(0, 15), [], `${wrong.length} responses were not a 4xx in the error shape`);

    // Still healthy and still answering.
    assert.equal((await fetch(`${coordinator!.url}/healthz`)).status, 200);
    assert.equal((await fetch(`${coordinator!.url}/readyz`)).status, 200);
    const ok = await ask(coordinator!.url, { question: 'Who is the captain of the schooner Albatross?' }, { token: TOKEN });
    assert.equal(ok.status, 200, JSON.stringify(ok.json));
    assert.equal(coordinator!.proc.exitCode, null);
    assert.ok(!coordinator!.output().includes(TOKEN), 'the token never appears in the coordinator log');
    assert.deepEqual(logLines(coordinator!).filter((l) => l.level === 'error').map((l) => l.msg), [], 'no error logged');
  });

  test('When a client exceeds RATE_LIMIT_PER_MIN, then it gets 429 with Retry-After in the error shape, and other clients do not', async (t) => {
    const agent = new Agent({ keepAlive: false });
    const query = (localAddress?: string): RawRequest => ({
      kind: 'rate',
      method: 'POST',
      path: '/v1/query',
      headers: { 'content-type': 'application/json' },
      body: Buffer.from(JSON.stringify({ question: 'plum jam' })),
      ...(localAddress ? { localAddress } : {}),
    });
    const statuses: number[] = [];
    let limitedResponse: RawResponse | undefined;
    for (let i = 0; i < 8; i++) {
      const r = await send(limited!.port, agent, query('127.0.0.1'));
      statuses.push(r.status);
      if (r.status === 429) limitedResponse ??= r;
    }
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429, 429, 429]);
    assert.ok(limitedResponse);
    const retryAfter = Number(limitedResponse.headers['retry-after']);
    assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60, `Retry-After: ${String(limitedResponse.headers['retry-after'])}`);
    const body = JSON.parse(limitedResponse.body) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'rate_limited');
    assert.match(body.error.message, /Retry-After|retry after/i);

    // Another client (another loopback address) has its own allowance; other routes are not limited.
    const other = await send(limited!.port, agent, query('127.0.0.2'));
    assert.equal(other.status, 200, other.body);
    assert.equal((await fetch(`${limited!.url}/v1/shards`)).status, 200);
    agent.destroy();
    t.diagnostic(`rate limit 5/min: statuses ${statuses.join(',')}; Retry-After ${retryAfter} s; second client ${other.status}`);
  });
});
