import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { createLogger, type Logger } from '../../shared/log/logger.js';
import { redactText, redactUrl } from '../../shared/log/redact.js';

const REDIS_PASSWORD = 'r3disPassw0rd';
const HMAC_SECRET = 'k1:AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcdefghij';
const API_TOKEN = 'tok_0123456789abcdef0123456789';
const ANTHROPIC_KEY = 'sk-ant-api03-XyZ_0123456789abcdefABCDEF-ghij';

/** A logger whose JSON lines are collected in memory. */
function capturedLogger(): { log: Logger; lines: () => Array<Record<string, unknown>>; raw: () => string } {
  const destination = new PassThrough();
  const chunks: string[] = [];
  destination.on('data', (chunk: Buffer | string) => chunks.push(chunk.toString()));
  const log = createLogger({ service: 'coordinator', level: 'info', destination });
  const raw = (): string => chunks.join('');
  const lines = (): Array<Record<string, unknown>> =>
    raw()
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { log, lines, raw };
}

/** Lets the PassThrough deliver what pino wrote. */
const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('redactUrl', () => {
  test('When a redis URL has only a password, then the password is hidden', () => {
    assert.equal(redactUrl(`redis://:${REDIS_PASSWORD}@h:6379/0`), 'redis://:***@h:6379/0');
  });

  test('When a URL has a user and a password, then the user is kept and the password hidden', () => {
    assert.equal(redactUrl(`rediss://fleet:${REDIS_PASSWORD}@redis.internal:6380/2`), 'rediss://fleet:***@redis.internal:6380/2');
  });

  test('When a URL has no credentials, then it is unchanged', () => {
    assert.equal(redactUrl('redis://127.0.0.1:6379'), 'redis://127.0.0.1:6379');
    assert.equal(redactUrl('redis://user@h:6379'), 'redis://user@h:6379');
  });
});

describe('redactText', () => {
  test('When text holds a bearer token, then the token is hidden', () => {
    const out = redactText(`request failed: Authorization: Bearer ${API_TOKEN} rejected`);
    assert.ok(!out.includes(API_TOKEN), out);
    assert.ok(out.includes('Bearer ***'), out);
    assert.ok(out.endsWith(' rejected'), out);
  });

  test('When text holds an Anthropic key, then the key is hidden', () => {
    const out = redactText(`invalid x-api-key ${ANTHROPIC_KEY} for model`);
    assert.ok(!out.includes(ANTHROPIC_KEY), out);
    assert.ok(!out.includes('XyZ_0123456789'), out);
    assert.ok(out.includes('sk-ant-***'), out);
  });

  test('When text holds URLs with passwords, then every password is hidden and the rest is kept', () => {
    const out = redactText(`connect ECONNREFUSED redis://:${REDIS_PASSWORD}@h:6379/0, retry via rediss://u:other-pw@h2:6380`);
    assert.equal(out, 'connect ECONNREFUSED redis://:***@h:6379/0, retry via rediss://u:***@h2:6380');
  });

  test('When text holds no secret, then it is unchanged', () => {
    const text = 'Nothing to hide here: shard sea answered in 12 ms (see http://127.0.0.1:8080/v1/shards).';
    assert.equal(redactText(text), text);
  });
});

describe('createLogger', () => {
  test('When a line is logged, then it is one JSON object with level, service and message', async () => {
    const { log, lines } = capturedLogger();
    log.info({ shard: 'sea' }, 'shard ready');
    await flush();
    const [line] = lines();
    assert.ok(line);
    assert.equal(line.level, 'info');
    assert.equal(line.service, 'coordinator');
    assert.equal(line.msg, 'shard ready');
    assert.equal(line.shard, 'sea');
    assert.equal(typeof line.time, 'string');
  });

  test('When secret fields are logged at the top level, then each is written as ***', async () => {
    const { log, lines, raw } = capturedLogger();
    log.info(
      {
        apiKey: ANTHROPIC_KEY,
        authorization: `Bearer ${API_TOKEN}`,
        token: API_TOKEN,
        password: REDIS_PASSWORD,
        MEMFLEET_HMAC_KEYS: HMAC_SECRET,
        MEMFLEET_DOMAIN_QUERY_KEYS: HMAC_SECRET,
        MEMFLEET_DOMAIN_RESULT_KEYS: HMAC_SECRET,
        shard: 'sea',
      },
      'config loaded',
    );
    await flush();
    const [line] = lines();
    assert.ok(line);
    assert.equal(line.apiKey, '***');
    assert.equal(line.authorization, '***');
    assert.equal(line.token, '***');
    assert.equal(line.password, '***');
    assert.equal(line.MEMFLEET_HMAC_KEYS, '***');
    assert.equal(line.MEMFLEET_DOMAIN_QUERY_KEYS, '***');
    assert.equal(line.MEMFLEET_DOMAIN_RESULT_KEYS, '***');
    assert.equal(line.shard, 'sea');
    for (const secret of [ANTHROPIC_KEY, API_TOKEN, REDIS_PASSWORD, HMAC_SECRET]) assert.ok(!raw().includes(secret), `leaked ${secret}`);
  });

  test('When a request with an authorization header is logged, then req.headers.authorization is ***', async () => {
    const { log, lines, raw } = capturedLogger();
    log.info({ req: { method: 'POST', url: '/v1/query', headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' } } }, 'request');
    await flush();
    const [line] = lines();
    const req = line?.req as { method: string; headers: Record<string, string> };
    assert.equal(req.method, 'POST');
    assert.equal(req.headers.authorization, '***');
    assert.equal(req.headers['content-type'], 'application/json');
    assert.ok(!raw().includes(API_TOKEN));
  });

  test('When secret fields are nested one level down, then they are *** too', async () => {
    const { log, lines, raw } = capturedLogger();
    log.info({ config: { MEMFLEET_HMAC_KEYS: HMAC_SECRET, token: API_TOKEN, port: 8080 } }, 'config');
    await flush();
    const config = lines()[0]?.config as Record<string, unknown>;
    assert.equal(config.MEMFLEET_HMAC_KEYS, '***');
    assert.equal(config.token, '***');
    assert.equal(config.port, 8080);
    assert.ok(!raw().includes(HMAC_SECRET));
  });

  test('When an error whose message holds a redis URL with a password is logged, then the password is not written', async () => {
    const { log, lines, raw } = capturedLogger();
    const err = new Error(`connect ECONNREFUSED redis://:${REDIS_PASSWORD}@redis:6379/0`);
    log.error({ err }, 'redis unreachable');
    await flush();
    const logged = lines()[0]?.err as { type: string; message: string; stack?: string };
    assert.equal(logged.type, 'Error');
    assert.equal(logged.message, 'connect ECONNREFUSED redis://:***@redis:6379/0');
    assert.ok(logged.stack?.includes('redis://:***@redis:6379/0'));
    assert.ok(!raw().includes(REDIS_PASSWORD), raw());
  });

  test('When an error with a redis URL password is logged as the only argument, then the password is not written (not even in msg)', async () => {
    const { log, lines, raw } = capturedLogger();
    log.error(new Error(`connect ECONNREFUSED redis://:${REDIS_PASSWORD}@redis:6379/0`));
    await flush();
    const [line] = lines();
    assert.equal((line?.err as { message: string }).message, 'connect ECONNREFUSED redis://:***@redis:6379/0');
    assert.ok(!raw().includes(REDIS_PASSWORD), `password leaked: ${String(line?.msg)}`);
  });

  test('When an error with a cause holding a redis URL password is logged, then the password is not written', async () => {
    const { log, raw } = capturedLogger();
    const err = new Error('redis unreachable', { cause: new Error(`connect redis://:${REDIS_PASSWORD}@redis:6379`) });
    log.warn({ err }, 'retrying');
    await flush();
    assert.ok(raw().includes('redis://:***@redis:6379'));
    assert.ok(!raw().includes(REDIS_PASSWORD));
  });

  test('When a line is below the configured level, then nothing is written', async () => {
    const { log, lines } = capturedLogger();
    log.debug({ token: API_TOKEN }, 'too chatty');
    await flush();
    assert.deepEqual(lines(), []);
  });
});
