/** Per-domain keys derived from the masters (shared/envelope/domain-keys.ts), their .env form, and what each service is given. */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import { renderKeys, parseDomainList } from '../../services/cli/commands/keys-command.js';
import { shardEnv } from '../../services/cli/up/service-env.js';
import { domainKeyEnv, domainKeyEnvNames, parseDomainKeys, parseMasterKeys } from '../../shared/config/keys.js';
import {
  DomainKeyCache,
  MemoryNonceCache,
  deriveDomainKeys,
  deriveRecordKeyring,
  derivationInfo,
  formatKeyring,
  generateKeyring,
  keyringFromEntries,
  parseKeyring,
  sealRecord,
  sealRecordCompressed,
  signEnvelope,
  unsealRecord,
  verifyEnvelope,
  type Keyring,
} from '../../shared/envelope/index.js';

const MASTER_ENV = { MEMFLEET_HMAC_KEYS: `q1:${'a'.repeat(48)}`, MEMFLEET_SHARD_HMAC_KEYS: `r1:${'b'.repeat(48)}` };
const masters = parseMasterKeys(MASTER_ENV);

async function verifies(envelopeKeys: Keyring, verifierKeys: Keyring): Promise<boolean> {
  const envelope = signEnvelope('{"x":1}', envelopeKeys);
  return (await verifyEnvelope(envelope, { keyring: verifierKeys, toleranceSec: 300, nonceCache: new MemoryNonceCache() })).ok;
}

/** RFC 5869 HKDF-SHA256 with an empty salt and one output block, by hand: the derivation is the documented one. */
function hkdfByHand(ikm: Buffer, info: string): Buffer {
  const prk = createHmac('sha256', Buffer.alloc(32)).update(ikm).digest();
  return createHmac('sha256', prk).update(Buffer.concat([Buffer.from(info, 'utf8'), Buffer.from([1])])).digest();
}

describe('per-domain keys', () => {
  test('When a domain key is derived, then it is HKDF-SHA256(master, "memfleet/v1/<purpose>/<domain>") under the master kid', () => {
    const harbor = deriveDomainKeys(masters, 'harbor');
    assert.equal(derivationInfo('query', 'harbor'), 'memfleet/v1/query/harbor');
    assert.deepEqual(harbor.query.keys.get('q1'), hkdfByHand(Buffer.from('a'.repeat(48)), 'memfleet/v1/query/harbor'));
    assert.deepEqual(harbor.result.keys.get('r1'), hkdfByHand(Buffer.from('b'.repeat(48)), 'memfleet/v1/result/harbor'));
    assert.deepEqual(deriveRecordKeyring(masters).keys.get('q1'), hkdfByHand(Buffer.from('a'.repeat(48)), 'memfleet/v1/record'));
  });

  test('When keys of two domains are compared, then every one differs from the others and from the masters', () => {
    const all = [deriveDomainKeys(masters, 'harbor'), deriveDomainKeys(masters, 'kitchen')].flatMap((k) => [k.query, k.result]);
    const secrets = [...all, deriveRecordKeyring(masters), masters.query, masters.result].map((r) => [...r.keys.values()][0]!.toString('hex'));
    assert.equal(new Set(secrets).size, secrets.length);
  });

  test("When a job is signed with one domain's key, then only that domain's key verifies it; neither the master nor a sibling does", async () => {
    const harbor = deriveDomainKeys(masters, 'harbor');
    const kitchen = deriveDomainKeys(masters, 'kitchen');
    assert.equal(await verifies(harbor.query, harbor.query), true);
    assert.equal(await verifies(harbor.query, kitchen.query), false);
    assert.equal(await verifies(masters.query, harbor.query), false);
    assert.equal(await verifies(harbor.result, kitchen.result), false);
    assert.equal(await verifies(harbor.result, harbor.query), false, 'a result key is not a query key');
  });

  test('When the master keyring is rotated (new key first, old key second), then derived keyrings sign with the new kid and still verify the old', async () => {
    const oldDerived = deriveDomainKeys(masters, 'harbor');
    const rotated = parseMasterKeys({ ...MASTER_ENV, MEMFLEET_HMAC_KEYS: `q2:${'c'.repeat(48)},${MASTER_ENV.MEMFLEET_HMAC_KEYS}` });
    const newDerived = deriveDomainKeys(rotated, 'harbor');
    assert.equal(newDerived.query.signingKid, 'q2');
    assert.deepEqual([...newDerived.query.keys.keys()], ['q2', 'q1']);
    assert.equal(await verifies(oldDerived.query, newDerived.query), true, 'jobs signed before the rotation still verify');
    assert.equal(await verifies(newDerived.query, oldDerived.query), false, 'a shard not yet updated refuses the new kid');
  });

  test('When derived keys are printed and read back, then the shard gets exactly the keys the coordinator derives', async () => {
    const env = domainKeyEnv(masters, 'moby-dick-1');
    assert.match(env.MEMFLEET_DOMAIN_QUERY_KEYS, /^q1:base64:[A-Za-z0-9_-]{43}$/);
    const shard = parseDomainKeys(env, 'moby-dick-1');
    const coordinator = new DomainKeyCache(masters).forDomain('moby-dick-1');
    assert.equal(await verifies(coordinator.query, shard.query), true);
    assert.equal(await verifies(shard.result, coordinator.result), true);
    assert.equal(formatKeyring(parseKeyring(formatKeyring(shard.query), 'X')), env.MEMFLEET_DOMAIN_QUERY_KEYS);
    assert.deepEqual(domainKeyEnvNames('moby-dick-1'), {
      MEMFLEET_DOMAIN_QUERY_KEYS: 'MEMFLEET_DOMAIN_QUERY_KEYS_MOBY_DICK_1',
      MEMFLEET_DOMAIN_RESULT_KEYS: 'MEMFLEET_DOMAIN_RESULT_KEYS_MOBY_DICK_1',
    });
  });

  test('When an invalid domain name or keyring entry is given, then derivation refuses it', () => {
    assert.throws(() => deriveDomainKeys(masters, '../x'), /Invalid domain name/);
    assert.throws(() => keyringFromEntries([['k1', Buffer.alloc(8)]]), /8 bytes/);
    assert.throws(() => keyringFromEntries([]), /at least one key/);
  });
});

describe('sealed query records', () => {
  const recordKeys = deriveRecordKeyring(masters);
  test('When a record is sealed, then it opens only with the record key and for its own context', () => {
    const sealed = sealRecord(recordKeys, 'query:q_a', '{"id":"q_a"}');
    assert.deepEqual(unsealRecord(recordKeys, 'query:q_a', sealed), { ok: true, body: '{"id":"q_a"}' });
    assert.deepEqual(unsealRecord(recordKeys, 'query:q_b', sealed), { ok: false, reason: 'bad_signature' });
    assert.deepEqual(unsealRecord(deriveDomainKeys(masters, 'harbor').query, 'query:q_a', sealed), { ok: false, reason: 'bad_signature' });
    assert.deepEqual(unsealRecord(parseKeyring(generateKeyring('zz'), 'Z'), 'query:q_a', sealed), { ok: false, reason: 'unknown_kid' });
    assert.deepEqual(unsealRecord(recordKeys, 'query:q_a', '{"id":"q_a"}'), { ok: false, reason: 'malformed' });
    assert.deepEqual(unsealRecord(recordKeys, 'query:q_a', 'not json'), { ok: false, reason: 'malformed' });
  });

  test('When a record is sealed compressed, then it is smaller, opens only with the record key for its own context, and an edited byte does not open', () => {
    const body = JSON.stringify({ id: 'q_a', text: 'the harbour master keeps the tide tables. '.repeat(40) });
    const sealed = sealRecordCompressed(recordKeys, 'query:q_a', body);
    assert.ok(sealed.length < body.length / 3, `${sealed.length} bytes sealed for ${body.length} of JSON`);
    assert.deepEqual(unsealRecord(recordKeys, 'query:q_a', sealed), { ok: true, body });
    assert.deepEqual(unsealRecord(recordKeys, 'query:q_b', sealed), { ok: false, reason: 'bad_signature' });
    assert.deepEqual(unsealRecord(deriveDomainKeys(masters, 'harbor').query, 'query:q_a', sealed), { ok: false, reason: 'bad_signature' });
    assert.deepEqual(unsealRecord(parseKeyring(generateKeyring('zz'), 'Z'), 'query:q_a', sealed), { ok: false, reason: 'unknown_kid' });
    const edited = Buffer.from(sealed);
    edited[edited.length - 3] = (edited[edited.length - 3] ?? 0) ^ 0x01;
    assert.deepEqual(unsealRecord(recordKeys, 'query:q_a', edited), { ok: false, reason: 'bad_signature' });
    assert.deepEqual(unsealRecord(recordKeys, 'query:q_a', Buffer.from('2.k1.short.xyz')), { ok: false, reason: 'malformed' });
    // A v1 record read as bytes still opens.
    assert.deepEqual(unsealRecord(recordKeys, 'query:q_a', Buffer.from(sealRecord(recordKeys, 'query:q_a', body))), { ok: true, body });
  });
});

describe('memfleet keys and service environments', () => {
  test('When memfleet keys prints a fresh set, then it is valid .env whose domain keys are derived from its masters', async () => {
    const text = renderKeys({ domains: ['moby-dick-1', 'sotu-early'], queryKid: 'q1', resultKid: 'r1', shardNames: false });
    const env = Object.fromEntries(
      text
        .split('\n')
        .filter((l) => l && !l.startsWith('#'))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    assert.deepEqual(Object.keys(env).sort(), [
      'MEMFLEET_API_TOKEN',
      'MEMFLEET_DOMAIN_QUERY_KEYS_MOBY_DICK_1',
      'MEMFLEET_DOMAIN_QUERY_KEYS_SOTU_EARLY',
      'MEMFLEET_DOMAIN_RESULT_KEYS_MOBY_DICK_1',
      'MEMFLEET_DOMAIN_RESULT_KEYS_SOTU_EARLY',
      'MEMFLEET_HMAC_KEYS',
      'MEMFLEET_SHARD_HMAC_KEYS',
    ]);
    assert.match(String(env.MEMFLEET_API_TOKEN), /^[0-9a-f]{64}$/);
    const printedMasters = parseMasterKeys(env);
    assert.deepEqual(domainKeyEnv(printedMasters, 'sotu-early'), {
      MEMFLEET_DOMAIN_QUERY_KEYS: env.MEMFLEET_DOMAIN_QUERY_KEYS_SOTU_EARLY,
      MEMFLEET_DOMAIN_RESULT_KEYS: env.MEMFLEET_DOMAIN_RESULT_KEYS_SOTU_EARLY,
    });
    // Two runs never print the same secrets.
    assert.notEqual(renderKeys({ domains: [], queryKid: 'q1', resultKid: 'r1', shardNames: false }).split('\n')[2], text.split('\n')[2]);
  });

  test('When memfleet keys --derive runs, then it prints only domain keys, the ones the coordinator derives', () => {
    const text = renderKeys({ domains: ['harbor'], masters, queryKid: 'q1', resultKid: 'r1', shardNames: true });
    const env = domainKeyEnv(masters, 'harbor');
    assert.equal(text.split('\n').filter((l) => l && !l.startsWith('#')).join('\n'), `MEMFLEET_DOMAIN_QUERY_KEYS=${env.MEMFLEET_DOMAIN_QUERY_KEYS}\nMEMFLEET_DOMAIN_RESULT_KEYS=${env.MEMFLEET_DOMAIN_RESULT_KEYS}`);
    assert.ok(!text.includes('a'.repeat(48)) && !text.includes('MEMFLEET_API_TOKEN'), 'no master, no token');
  });

  test('When --domains holds an invalid name, then the error names it and the rule', () => {
    assert.deepEqual(parseDomainList(' harbor, kitchen,harbor '), ['harbor', 'kitchen']);
    assert.throws(() => parseDomainList('harbor,Bad_Name'), /"Bad_Name" is not a domain name; use lowercase letters/);
    assert.throws(() => parseDomainList(','), /--domains is empty/);
  });

  test("When a shard's environment is built from the coordinator's, then it holds its domain keys and no master, token or unused Claude key", () => {
    const base = { ...MASTER_ENV, MEMFLEET_API_TOKEN: 't'.repeat(32), MEMFLEET_API_TOKEN_FILE: '/x', ANTHROPIC_API_KEY: 'sk-test', PATH: '/bin', LOG_LEVEL: 'warn' };
    const env = shardEnv(base, 'harbor');
    for (const name of ['MEMFLEET_HMAC_KEYS', 'MEMFLEET_SHARD_HMAC_KEYS', 'MEMFLEET_API_TOKEN', 'MEMFLEET_API_TOKEN_FILE', 'ANTHROPIC_API_KEY']) assert.equal(env[name], undefined, name);
    assert.deepEqual({ PATH: env.PATH, LOG_LEVEL: env.LOG_LEVEL }, { PATH: '/bin', LOG_LEVEL: 'warn' });
    assert.equal(env.MEMFLEET_DOMAIN_QUERY_KEYS, domainKeyEnv(masters, 'harbor').MEMFLEET_DOMAIN_QUERY_KEYS);
    assert.equal(shardEnv({ ...base, ENGINE: 'anthropic' }, 'harbor').ANTHROPIC_API_KEY, 'sk-test', 'a Claude shard keeps its API key');
  });
});
