import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseCommonConfig } from '../../shared/config/common.js';
import { readVar, type Env } from '../../shared/config/env.js';
import { ConfigError } from '../../shared/config/errors.js';
import { domainKeyEnv, parseDomainKeys, parseMasterKeys } from '../../shared/config/keys.js';
import { deriveDomainKeys, generateKeyring } from '../../shared/envelope/index.js';
import { parseCoordinatorConfig } from '../../services/coordinator/config.js';
import { parseShardConfig } from '../../services/shard/config.js';

const QUERY_KEYS = generateKeyring('q1');
const RESULT_KEYS = generateKeyring('r1');
const KEYS: Env = { MEMFLEET_HMAC_KEYS: QUERY_KEYS, MEMFLEET_SHARD_HMAC_KEYS: RESULT_KEYS };
const DOMAIN_KEYS = domainKeyEnv(parseMasterKeys(KEYS), 'moby-dick-1');
const SHARD: Env = { ...DOMAIN_KEYS, SHARD_DOMAIN: 'moby-dick-1', CONTEXTS_DIR: '/srv/contexts' };

/** The secret half of a `kid:secret` spec. */
const secretOf = (spec: string): string => spec.slice(spec.indexOf(':') + 1);

/**
 * Asserts that `fn` throws a ConfigError whose message contains every fragment
 * and none of the secrets, and returns the message.
 */
function configError(fn: () => unknown, fragments: readonly string[], secrets: readonly string[] = []): string {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof ConfigError, `expected a ConfigError, got ${caught instanceof Error ? `${caught.name}: ${caught.message}` : String(caught)}`);
  for (const fragment of fragments) assert.ok(caught.message.includes(fragment), `"${caught.message}" lacks "${fragment}"`);
  const derived = Object.values(DOMAIN_KEYS).map(secretOf);
  for (const secret of [...secrets, secretOf(QUERY_KEYS), secretOf(RESULT_KEYS), ...derived]) {
    assert.ok(!caught.message.includes(secret), `"${caught.message}" leaks a secret`);
  }
  return caught.message;
}

describe('config: defaults', () => {
  test('When only the two keyrings are set, then the common settings take their defaults', () => {
    const config = parseCommonConfig(KEYS);
    assert.equal(config.redisUrl, 'redis://127.0.0.1:6379');
    assert.equal(config.prefix, 'memfleet');
    assert.equal(config.envelopeToleranceSec, 300);
    assert.equal(config.logLevel, 'info');
    const masters = parseMasterKeys(KEYS);
    assert.equal(masters.query.signingKid, 'q1');
    assert.equal(masters.result.signingKid, 'r1');
  });

  test('When only the keyrings are set, then the coordinator takes its documented defaults', () => {
    const config = parseCoordinatorConfig(KEYS);
    assert.equal(config.port, 8080);
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.apiToken, undefined);
    assert.equal(config.defaultTimeoutMs, 10_000);
    assert.equal(config.maxTimeoutMs, 60_000);
    assert.equal(config.queryTtlSec, 86_400);
    assert.equal(config.defaultTopK, 5);
    assert.equal(config.maxBodyBytes, 65_536);
    assert.equal(config.heartbeatTtlMs, 6_000);
    assert.equal(config.redisUrl, 'redis://127.0.0.1:6379');
  });

  test('When only the keyrings, domain and contexts are set, then the shard takes its defaults', () => {
    const config = parseShardConfig(SHARD);
    assert.equal(config.domain, 'moby-dick-1');
    assert.equal(config.contextsDir, '/srv/contexts');
    assert.equal(config.engine, 'lexical');
    assert.equal(config.maxDomainTokens, 200_000);
    assert.equal(config.metricsPort, 9464);
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.concurrency, 8);
    assert.equal(config.heartbeatIntervalMs, 2_000);
    assert.equal(config.heartbeatTtlMs, 6_000);
    assert.equal(config.lockDurationMs, 5_000);
    assert.equal(config.stalledIntervalMs, 2_000);
    assert.equal(config.maxStalledCount, 2);
    assert.equal(config.replica, `${os.hostname()}-${process.pid}`);
  });

  test('When values are set, then they are parsed into the config', () => {
    const config = parseCoordinatorConfig({
      ...KEYS,
      REDIS_URL: 'rediss://:pw@redis.internal:6380/2',
      MEMFLEET_PREFIX: 'fleet_2',
      LOG_LEVEL: 'debug',
      PORT: '0',
      MEMFLEET_API_TOKEN: 'a'.repeat(16),
      QUERY_TIMEOUT_MS: '500',
    });
    assert.equal(config.redisUrl, 'rediss://:pw@redis.internal:6380/2');
    assert.equal(config.prefix, 'fleet_2');
    assert.equal(config.logLevel, 'debug');
    assert.equal(config.port, 0);
    assert.equal(config.apiToken, 'a'.repeat(16));
    assert.equal(config.defaultTimeoutMs, 500);
    assert.equal(parseShardConfig({ ...SHARD, ENGINE: 'noop', REPLICA_ID: 'r-7' }).engine, 'noop');
    assert.equal(parseShardConfig({ ...SHARD, ENGINE: 'noop', REPLICA_ID: 'r-7' }).replica, 'r-7');
  });

  test('When a variable is set to the empty string, then it counts as unset', () => {
    assert.equal(parseCoordinatorConfig({ ...KEYS, PORT: '', MEMFLEET_API_TOKEN: '' }).port, 8080);
    assert.equal(parseCoordinatorConfig({ ...KEYS, MEMFLEET_API_TOKEN: '' }).apiToken, undefined);
  });
});

describe('config: bad values name the variable', () => {
  const cases: Array<[name: string, parse: (env: Env) => unknown, env: Env]> = [
    ['PORT', parseCoordinatorConfig, { ...KEYS, PORT: 'abc' }],
    ['PORT', parseCoordinatorConfig, { ...KEYS, PORT: '70000' }],
    ['DEFAULT_TOP_K', parseCoordinatorConfig, { ...KEYS, DEFAULT_TOP_K: '1.5' }],
    ['ENGINE', parseShardConfig, { ...SHARD, ENGINE: 'gpt' }],
    ['SHARD_DOMAIN', parseShardConfig, { ...SHARD, SHARD_DOMAIN: 'Moby Dick' }],
    ['METRICS_PORT', parseShardConfig, { ...SHARD, METRICS_PORT: '-1' }],
    ['REDIS_URL', parseCoordinatorConfig, { ...KEYS, REDIS_URL: 'http://x' }],
    ['REDIS_URL', parseShardConfig, { ...SHARD, REDIS_URL: 'http://x' }],
    ['LOG_LEVEL', parseCoordinatorConfig, { ...KEYS, LOG_LEVEL: 'loud' }],
    ['MEMFLEET_PREFIX', parseCoordinatorConfig, { ...KEYS, MEMFLEET_PREFIX: 'has space' }],
    ['ENVELOPE_TOLERANCE_SEC', parseCoordinatorConfig, { ...KEYS, ENVELOPE_TOLERANCE_SEC: '0' }],
  ];
  for (const [name, parse, env] of cases) {
    test(`When ${name}=${JSON.stringify(env[name])}, then the ConfigError names ${name}`, () => {
      configError(() => parse(env), [`${name}:`]);
    });
  }

  test('When the shard has no domain or contexts folder, then the error names both and says how to set them', () => {
    configError(() => parseShardConfig(KEYS), ['SHARD_DOMAIN', '--domain', 'CONTEXTS_DIR', '--contexts']);
  });

  test('When QUERY_TIMEOUT_MS is above MAX_QUERY_TIMEOUT_MS, then both are named', () => {
    configError(() => parseCoordinatorConfig({ ...KEYS, QUERY_TIMEOUT_MS: '20000', MAX_QUERY_TIMEOUT_MS: '10000' }), ['QUERY_TIMEOUT_MS', 'MAX_QUERY_TIMEOUT_MS']);
  });

  test('When a redis URL with a password is rejected, then the error does not repeat the password', () => {
    configError(() => parseCoordinatorConfig({ ...KEYS, REDIS_URL: 'http://:Sup3rS3cretRedisPw@x:6379' }), ['REDIS_URL'], ['Sup3rS3cretRedisPw']);
  });
});

describe('config: keyrings', () => {
  test('When MEMFLEET_HMAC_KEYS is missing, then a ConfigError names it and says how to set it', () => {
    configError(() => parseCoordinatorConfig({ MEMFLEET_SHARD_HMAC_KEYS: RESULT_KEYS }), ['MEMFLEET_HMAC_KEYS is not set', 'kid:secret', 'memfleet keys', 'MEMFLEET_HMAC_KEYS_FILE']);
  });

  test('When MEMFLEET_SHARD_HMAC_KEYS is missing, then a ConfigError names it and its _FILE variant', () => {
    configError(() => parseCoordinatorConfig({ ...KEYS, MEMFLEET_SHARD_HMAC_KEYS: undefined }), [
      'MEMFLEET_SHARD_HMAC_KEYS is not set',
      'kid:secret',
      'MEMFLEET_SHARD_HMAC_KEYS_FILE',
    ]);
  });

  test('When MEMFLEET_HMAC_KEYS is empty, then it counts as missing', () => {
    configError(() => parseCoordinatorConfig({ ...KEYS, MEMFLEET_HMAC_KEYS: '' }), ['MEMFLEET_HMAC_KEYS is not set']);
  });

  test('When both keyrings hold the same kid and secret, then the config is refused without printing the secret', () => {
    const spec = generateKeyring('k1');
    configError(() => parseMasterKeys({ MEMFLEET_HMAC_KEYS: spec, MEMFLEET_SHARD_HMAC_KEYS: spec }), ['MEMFLEET_HMAC_KEYS', 'MEMFLEET_SHARD_HMAC_KEYS', 'different secrets'], [secretOf(spec)]);
  });

  test('When both keyrings hold the same secret under different kids, then the config is refused without printing the secret', () => {
    const spec = generateKeyring('q1');
    const secret = secretOf(spec);
    configError(
      () => parseMasterKeys({ MEMFLEET_HMAC_KEYS: `q1:${secret}`, MEMFLEET_SHARD_HMAC_KEYS: `r0:${generateKeyring('x').slice(2)},r1:${secret}` }),
      ['MEMFLEET_HMAC_KEYS', 'MEMFLEET_SHARD_HMAC_KEYS'],
      [secret],
    );
  });

  test('When the two keyrings use one kid with different secrets, then the config is accepted', () => {
    const masters = parseMasterKeys({ MEMFLEET_HMAC_KEYS: generateKeyring('k1'), MEMFLEET_SHARD_HMAC_KEYS: generateKeyring('k1') });
    assert.equal(masters.query.signingKid, 'k1');
    assert.equal(masters.result.signingKid, 'k1');
  });

  test('When a keyring secret is too short, then a ConfigError names the variable without printing the secret', () => {
    configError(() => parseCoordinatorConfig({ ...KEYS, MEMFLEET_HMAC_KEYS: 'k1:tooShortSecretValue' }), ['MEMFLEET_HMAC_KEYS'], ['tooShortSecretValue']);
  });

  test('When a keyring is a bare secret without a kid, then a ConfigError names the variable without printing it', () => {
    const bare = secretOf(generateKeyring());
    configError(() => parseCoordinatorConfig({ ...KEYS, MEMFLEET_SHARD_HMAC_KEYS: bare }), ['MEMFLEET_SHARD_HMAC_KEYS'], [bare]);
  });

  test('When a config holding keyrings is serialised, then no secret appears', () => {
    const text = JSON.stringify(parseCoordinatorConfig(KEYS)) + JSON.stringify(parseShardConfig(SHARD));
    assert.ok(!text.includes(secretOf(QUERY_KEYS)));
    assert.ok(!text.includes(secretOf(RESULT_KEYS)));
    for (const spec of Object.values(DOMAIN_KEYS)) assert.ok(!text.includes(secretOf(spec).slice('base64:'.length)));
  });
});

describe('config: a shard holds only its domain keys', () => {
  test('When a shard gets its derived keys, then they are the ones the coordinator derives for its domain', () => {
    const config = parseShardConfig(SHARD);
    const expected = deriveDomainKeys(parseMasterKeys(KEYS), 'moby-dick-1');
    assert.equal(config.domainKeys.query.signingKid, 'q1');
    assert.equal(config.domainKeys.result.signingKid, 'r1');
    assert.ok(config.domainKeys.query.keys.get('q1')?.equals(expected.query.keys.get('q1') as Buffer));
    assert.ok(config.domainKeys.result.keys.get('r1')?.equals(expected.result.keys.get('r1') as Buffer));
  });

  for (const master of ['MEMFLEET_HMAC_KEYS', 'MEMFLEET_SHARD_HMAC_KEYS']) {
    test(`When a shard is handed ${master} (or its _FILE form), then it refuses to start, naming the variable and the derived keys to use instead`, () => {
      configError(() => parseShardConfig({ ...SHARD, [master]: KEYS[master] }), [`${master} is set for a shard`, 'MEMFLEET_DOMAIN_QUERY_KEYS', 'memfleet keys --derive']);
      configError(() => parseShardConfig({ ...SHARD, [`${master}_FILE`]: '/run/secrets/x' }), [`${master}_FILE is set for a shard`]);
    });
  }

  test('When a derived keyring is missing, then the error names it and how to print it', () => {
    configError(() => parseShardConfig({ ...SHARD, MEMFLEET_DOMAIN_RESULT_KEYS: undefined }), [
      'MEMFLEET_DOMAIN_RESULT_KEYS is not set',
      'moby-dick-1',
      'memfleet keys --derive --domains',
    ]);
    configError(() => parseDomainKeys({ MEMFLEET_DOMAIN_RESULT_KEYS: DOMAIN_KEYS.MEMFLEET_DOMAIN_RESULT_KEYS }, 'x'), ['MEMFLEET_DOMAIN_QUERY_KEYS is not set']);
  });

  test('When both derived keyrings hold the same secret, then the shard refuses them without printing it', () => {
    const same = DOMAIN_KEYS.MEMFLEET_DOMAIN_QUERY_KEYS;
    configError(() => parseShardConfig({ ...SHARD, MEMFLEET_DOMAIN_RESULT_KEYS: same }), ['different secrets'], [secretOf(same)]);
  });
});

describe('config: *_FILE variants', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'memfleet-config-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function secretFile(name: string, content: string): Promise<string> {
    const file = path.join(dir, name);
    await writeFile(file, content, 'utf8');
    return file;
  }

  test('When the keyrings come from *_FILE variables, then the files are read and trimmed', async () => {
    const queryFile = await secretFile('query-keys', `${QUERY_KEYS}\n`);
    const resultFile = await secretFile('result-keys', `  ${RESULT_KEYS}\n\n`);
    const masters = parseMasterKeys({ MEMFLEET_HMAC_KEYS_FILE: queryFile, MEMFLEET_SHARD_HMAC_KEYS_FILE: resultFile });
    assert.equal(masters.query.signingKid, 'q1');
    assert.equal(masters.result.signingKid, 'r1');
    assert.equal(masters.query.keys.get('q1')?.toString('utf8'), secretOf(QUERY_KEYS));
  });

  test('When MEMFLEET_API_TOKEN_FILE is set, then the token is read from the file', async () => {
    const token = 'f'.repeat(40);
    const file = await secretFile('api-token', `${token}\n`);
    assert.equal(parseCoordinatorConfig({ ...KEYS, MEMFLEET_API_TOKEN_FILE: file }).apiToken, token);
  });

  test('When NAME and NAME_FILE are both set, then the config is refused naming both', async () => {
    const file = await secretFile('both', RESULT_KEYS);
    configError(
      () => parseMasterKeys({ ...KEYS, MEMFLEET_SHARD_HMAC_KEYS_FILE: file }),
      ['MEMFLEET_SHARD_HMAC_KEYS and MEMFLEET_SHARD_HMAC_KEYS_FILE are both set'],
    );
    configError(() => readVar({ PORT: '1', PORT_FILE: file }, 'PORT'), ['PORT and PORT_FILE']);
  });

  test('When NAME is empty and NAME_FILE is set, then the file wins', async () => {
    const file = await secretFile('port', '9090\n');
    assert.equal(parseCoordinatorConfig({ ...KEYS, PORT: '', PORT_FILE: file }).port, 9090);
  });

  test('When a *_FILE cannot be read, then the error names the variable, the path and the reason', () => {
    const missing = path.join(dir, 'does-not-exist');
    configError(() => parseMasterKeys({ MEMFLEET_HMAC_KEYS_FILE: missing, MEMFLEET_SHARD_HMAC_KEYS: RESULT_KEYS }), ['MEMFLEET_HMAC_KEYS_FILE', missing, 'ENOENT']);
  });

  test('When a *_FILE points at a directory, then the error names the variable', () => {
    configError(() => parseCoordinatorConfig({ ...KEYS, MEMFLEET_API_TOKEN_FILE: dir }), ['MEMFLEET_API_TOKEN_FILE', 'EISDIR']);
  });
});

describe('config: API token', () => {
  test('When MEMFLEET_API_TOKEN is shorter than 16 characters, then it is refused without printing it', () => {
    configError(() => parseCoordinatorConfig({ ...KEYS, MEMFLEET_API_TOKEN: 'tok-abc-12345' }), ['MEMFLEET_API_TOKEN', '16'], ['tok-abc-12345']);
  });

  test('When MEMFLEET_API_TOKEN has 16 characters, then it is accepted', () => {
    assert.equal(parseCoordinatorConfig({ ...KEYS, MEMFLEET_API_TOKEN: '0123456789abcdef' }).apiToken, '0123456789abcdef');
  });
});

describe('coordinator config: answer confidence thresholds', () => {
  test('When MIN_SCORE and HIGH_SCORE are unset, then the dev-half defaults apply (0.15 nothing found, 0.35 high)', () => {
    const config = parseCoordinatorConfig(KEYS);
    assert.equal(config.minScore, 0.15);
    assert.equal(config.highScore, 0.35);
  });

  test('When HIGH_SCORE is below MIN_SCORE or outside 0-1, then a ConfigError names it and says what to do', () => {
    configError(() => parseCoordinatorConfig({ ...KEYS, MIN_SCORE: '0.4', HIGH_SCORE: '0.3' }), ['HIGH_SCORE (0.3) is below MIN_SCORE (0.4)', 'raise HIGH_SCORE']);
    configError(() => parseCoordinatorConfig({ ...KEYS, HIGH_SCORE: '1.5' }), ['HIGH_SCORE', 'between 0 and 1']);
  });
});
