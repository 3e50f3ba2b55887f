import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import {
  type Envelope,
  type Keyring,
  type VerifyOptions,
  type VerifyResult,
  DEFAULT_MAX_BODY_BYTES,
  MemoryNonceCache,
  generateKeyring,
  parseKeyring,
  signEnvelope,
  verifyEnvelope,
} from '../../shared/envelope/index.js';

const VAR = 'MEMFLEET_HMAC_KEYS';
const NOW_MS = 1_732_470_000_000;
const NOW_SEC = NOW_MS / 1000;
const TOLERANCE_SEC = 300;
const fixedClock = (): number => NOW_MS;
const at = (offsetSec: number) => (): number => NOW_MS + offsetSec * 1000;

const BODY = JSON.stringify({
  queryId: 'q_abcdefgh12',
  question: 'Who is "Ishmael"? Ça va — 鯨 🐋',
  topK: 5,
  deadline: NOW_MS + 10_000,
  conversation: [],
});

function keyring(kid = 'k1'): Keyring {
  return parseKeyring(generateKeyring(kid), VAR);
}

function verifyWith(keys: Keyring, overrides: Partial<VerifyOptions> = {}) {
  const options: VerifyOptions = {
    keyring: keys,
    toleranceSec: TOLERANCE_SEC,
    nonceCache: new MemoryNonceCache(fixedClock),
    now: fixedClock,
    ...overrides,
  };
  return (input: unknown): Promise<VerifyResult> => verifyEnvelope(input, options);
}

function assertRejected(result: VerifyResult, reason: string): string {
  assert.equal(result.ok, false, 'expected a rejection');
  assert.ok(!result.ok);
  assert.equal(result.reason, reason, `detail: ${result.detail}`);
  assert.ok(!result.detail.includes(BODY), 'detail must not contain the body');
  return result.detail;
}

/** A different character at `index` that keeps the string canonical base64url. */
function flipChar(text: string, index: number): string {
  const replacement = text[index] === 'A' ? 'Q' : 'A';
  return `${text.slice(0, index)}${replacement}${text.slice(index + 1)}`;
}

/** What a job looks like after BullMQ has stored and returned it. */
function overTheWire(envelope: Envelope): unknown {
  return JSON.parse(JSON.stringify(envelope));
}

describe('envelope signing and verification', () => {
  test('When a signed envelope is verified, then it is accepted and returns the identical body string and kid', async () => {
    const keys = keyring('k2026a');
    const envelope = signEnvelope(BODY, keys, fixedClock);

    const result = await verifyWith(keys)(overTheWire(envelope));

    assert.deepEqual(result, { ok: true, body: BODY, kid: 'k2026a', ts: NOW_SEC });
    assert.equal(envelope.v, 1);
    assert.equal(envelope.ts, NOW_SEC);
    assert.match(envelope.nonce, /^[A-Za-z0-9_-]{22}$/);
    assert.match(envelope.sig, /^[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(Object.keys(envelope).sort(), ['body', 'kid', 'nonce', 'sig', 'ts', 'v']);
  });

  test('When a body is signed twice, then each envelope gets its own nonce', () => {
    const keys = keyring();
    assert.notEqual(signEnvelope(BODY, keys).nonce, signEnvelope(BODY, keys).nonce);
  });

  test('When the body is tampered with, then the envelope is rejected as bad_signature', async () => {
    const keys = keyring();
    const envelope = signEnvelope(BODY, keys, fixedClock);
    const tampered = { ...envelope, body: BODY.replace('"topK":5', '"topK":50') };

    assertRejected(await verifyWith(keys)(tampered), 'bad_signature');
  });

  test('When the body is re-serialised with different whitespace, then the envelope is rejected as bad_signature', async () => {
    const keys = keyring();
    const envelope = signEnvelope(BODY, keys, fixedClock);
    const reserialised = { ...envelope, body: JSON.stringify(JSON.parse(BODY), null, 2) };

    assertRejected(await verifyWith(keys)(reserialised), 'bad_signature');
  });

  test('When the signature is tampered with, then the envelope is rejected as bad_signature', async () => {
    const keys = keyring();
    const envelope = signEnvelope(BODY, keys, fixedClock);

    assertRejected(await verifyWith(keys)({ ...envelope, sig: flipChar(envelope.sig, 0) }), 'bad_signature');
  });

  test('When ts or nonce is altered, then the envelope is rejected as bad_signature because both are signed', async () => {
    const keys = keyring();
    const envelope = signEnvelope(BODY, keys, fixedClock);

    assertRejected(await verifyWith(keys)({ ...envelope, ts: envelope.ts - 1 }), 'bad_signature');
    assertRejected(await verifyWith(keys)({ ...envelope, nonce: flipChar(envelope.nonce, 0) }), 'bad_signature');
  });

  test('When the verifier holds the same kid with a different secret, then the envelope is rejected as bad_signature', async () => {
    const envelope = signEnvelope(BODY, keyring('k1'), fixedClock);

    const detail = assertRejected(await verifyWith(keyring('k1'))(envelope), 'bad_signature');
    assert.match(detail, /k1/);
  });

  test('When the kid is not in the keyring, then the envelope is rejected as unknown_kid', async () => {
    const envelope = signEnvelope(BODY, keyring('k9'), fixedClock);

    const detail = assertRejected(await verifyWith(keyring('k1'))(envelope), 'unknown_kid');
    assert.equal(detail, 'kid k9 not in keyring');
  });

  test('When the envelope is older than the tolerance, then it is rejected as stale', async () => {
    const keys = keyring();
    const envelope = signEnvelope(BODY, keys, at(-(TOLERANCE_SEC + 1)));

    const detail = assertRejected(await verifyWith(keys)(envelope), 'stale');
    assert.equal(detail, `ts ${TOLERANCE_SEC + 1} s old (tolerance ${TOLERANCE_SEC} s)`);
  });

  test('When the envelope is exactly as old as the tolerance, then it is still accepted', async () => {
    const keys = keyring();
    const envelope = signEnvelope(BODY, keys, at(-TOLERANCE_SEC));

    assert.equal((await verifyWith(keys)(envelope)).ok, true);
  });

  test('When the envelope is dated beyond the tolerance in the future, then it is rejected as future', async () => {
    const keys = keyring();
    const envelope = signEnvelope(BODY, keys, at(120));

    const detail = assertRejected(await verifyWith(keys, { toleranceSec: 60 })(envelope), 'future');
    assert.equal(detail, 'ts 120 s in the future (tolerance 60 s)');
  });

  test('When the same envelope arrives twice, then the second is rejected as replay', async () => {
    const keys = keyring();
    const envelope = signEnvelope(BODY, keys, fixedClock);
    const verify = verifyWith(keys);

    assert.equal((await verify(overTheWire(envelope))).ok, true);
    assertRejected(await verify(overTheWire(envelope)), 'replay');
  });

  test('When a future-dated envelope is replayed later but still within tolerance, then it is rejected as replay', async () => {
    const keys = keyring();
    let nowMs = NOW_MS;
    const clock = (): number => nowMs;
    const envelope = signEnvelope(BODY, keys, at(TOLERANCE_SEC));
    const verify = verifyWith(keys, { now: clock, nonceCache: new MemoryNonceCache(clock) });

    assert.equal((await verify(envelope)).ok, true);
    nowMs += (2 * TOLERANCE_SEC - 10) * 1000;
    assertRejected(await verify(envelope), 'replay');
  });

  test('When a forged copy arrives before the genuine envelope, then the forgery does not burn the nonce', async () => {
    const keys = keyring();
    const envelope = signEnvelope(BODY, keys, fixedClock);
    const verify = verifyWith(keys);

    assertRejected(await verify({ ...envelope, body: '{}' }), 'bad_signature');
    assertRejected(await verify({ ...envelope, ts: envelope.ts + 1 }), 'bad_signature');
    assert.equal((await verify(envelope)).ok, true);
  });

  test('When the body check refuses a genuine envelope, then its reason is returned and the nonce stays unclaimed', async () => {
    const keys = keyring();
    const envelope = signEnvelope(BODY, keys, fixedClock);
    const cache = new MemoryNonceCache(fixedClock);
    const seen: string[] = [];
    const misaddressed = await verifyWith(keys, {
      nonceCache: cache,
      checkBody: (body) => {
        seen.push(body);
        return { reason: 'wrong_shard', detail: 'signed for shard a, received by shard b' };
      },
    })(envelope);

    assert.deepEqual(misaddressed, { ok: false, reason: 'wrong_shard', detail: 'signed for shard a, received by shard b' });
    assert.deepEqual(seen, [BODY], 'the check sees the exact signed body');
    assert.equal((await verifyWith(keys, { nonceCache: cache, checkBody: () => undefined })(envelope)).ok, true, 'the real delivery still passes');
  });

  test('When an envelope fails its signature, then the body check never runs', async () => {
    const keys = keyring();
    let ran = false;
    const forged = { ...signEnvelope(BODY, keys, fixedClock), body: '{"x":1}' };
    assertRejected(await verifyWith(keys, { checkBody: () => ((ran = true), undefined) })(forged), 'bad_signature');
    assert.equal(ran, false);
  });

  test('When a replayed envelope has expired, then it is rejected as stale rather than accepted', async () => {
    const keys = keyring();
    let nowMs = NOW_MS;
    const clock = (): number => nowMs;
    const envelope = signEnvelope(BODY, keys, fixedClock);
    const verify = verifyWith(keys, { now: clock, nonceCache: new MemoryNonceCache(clock) });

    assert.equal((await verify(envelope)).ok, true);
    nowMs += (TOLERANCE_SEC + 5) * 1000;
    assertRejected(await verify(envelope), 'stale');
  });

  describe('malformed input', () => {
    const keys = keyring();
    const good = (): Envelope => signEnvelope(BODY, keys, fixedClock);
    const cases: Array<[string, () => unknown]> = [
      ['a string', () => JSON.stringify(good())],
      ['null', () => null],
      ['undefined', () => undefined],
      ['an array', () => [good()]],
      ['a number', () => 42],
      ['missing its sig', () => {
        const { sig: _sig, ...rest } = good();
        return rest;
      }],
      ['missing its nonce', () => {
        const { nonce: _nonce, ...rest } = good();
        return rest;
      }],
      ['version 2', () => ({ ...good(), v: 2 })],
      ['version "1" as a string', () => ({ ...good(), v: '1' })],
      ['a non-string body', () => ({ ...good(), body: JSON.parse(BODY) })],
      ['a sig of the wrong length (too short)', () => ({ ...good(), sig: good().sig.slice(0, 40) })],
      ['a sig of the wrong length (too long)', () => ({ ...good(), sig: `${good().sig}AAAA` })],
      ['a sig with a non-canonical last character', () => ({ ...good(), sig: `${good().sig.slice(0, 42)}B` })],
      ['a sig in standard base64 with padding', () => ({ ...good(), sig: Buffer.from(good().sig, 'base64url').toString('base64') })],
      ['a nonce of the wrong length', () => ({ ...good(), nonce: randomBytes(8).toString('base64url') })],
      ['a fractional ts', () => ({ ...good(), ts: NOW_SEC + 0.5 })],
      ['a kid with a dot', () => ({ ...good(), kid: 'k.1' })],
      ['an extra field', () => ({ ...good(), alg: 'none' })],
      ['a body with a lone surrogate', () => ({ ...good(), body: '{"q":"\uD800"}' })],
    ];
    for (const [name, make] of cases) {
      test(`When the envelope is ${name}, then it is rejected as malformed`, async () => {
        assertRejected(await verifyWith(keys)(make()), 'malformed');
      });
    }
  });

  test('When the body exceeds the default 256 KiB, then it is rejected as too_large before any key is looked up', async () => {
    const keys = keyring();
    let lookups = 0;
    const spyKeys: Keyring = {
      signingKid: keys.signingKid,
      keys: new (class extends Map<string, Buffer> {
        override get(kid: string): Buffer | undefined {
          lookups += 1;
          return super.get(kid);
        }
      })([...keys.keys]),
    };
    const envelope = signEnvelope('x'.repeat(DEFAULT_MAX_BODY_BYTES + 1), keys, fixedClock);

    const detail = assertRejected(await verifyWith(spyKeys)(envelope), 'too_large');
    assert.equal(detail, `body is ${DEFAULT_MAX_BODY_BYTES + 1} bytes; the limit is ${DEFAULT_MAX_BODY_BYTES}`);
    assert.equal(lookups, 0);
    assert.equal((await verifyWith(spyKeys)(signEnvelope('x'.repeat(DEFAULT_MAX_BODY_BYTES), keys, fixedClock))).ok, true);
  });

  test('When the body is small in characters but over the limit in UTF-8 bytes, then it is rejected as too_large', async () => {
    const keys = keyring();
    const envelope = signEnvelope('é'.repeat(600), keys, fixedClock);

    assertRejected(await verifyWith(keys, { maxBodyBytes: 1000 })(envelope), 'too_large');
  });

  test('When a body has a lone surrogate, then signing refuses it', () => {
    assert.throws(() => signEnvelope('\uDC00', keyring()), /lone surrogate/);
  });

  test('When keys rotate, then the new key signs and envelopes from the old key still verify', async () => {
    const oldSpec = generateKeyring('k2025');
    const newSpec = `${generateKeyring('k2026')},${oldSpec}`;
    const before = parseKeyring(oldSpec, VAR);
    const after = parseKeyring(newSpec, VAR);

    assert.equal(after.signingKid, 'k2026');
    assert.deepEqual([...after.keys.keys()], ['k2026', 'k2025']);

    const fromOldSigner = signEnvelope(BODY, before, fixedClock);
    assert.equal((await verifyWith(after)(fromOldSigner)).ok, true);

    const fromNewSigner = signEnvelope(BODY, after, fixedClock);
    assert.equal(fromNewSigner.kid, 'k2026');
    assert.deepEqual(await verifyWith(after)(fromNewSigner), { ok: true, body: BODY, kid: 'k2026', ts: NOW_SEC });
    assertRejected(await verifyWith(before)(fromNewSigner), 'unknown_kid');
  });

  test("When an envelope is signed with the coordinator's keyring, then a verifier holding only the shard keyring rejects it", async () => {
    const coordinator = keyring('coord1');
    const shard = keyring('shard1');
    const query = signEnvelope(BODY, coordinator, fixedClock);

    assertRejected(await verifyWith(shard)(query), 'unknown_kid');

    const shardWithSameKidName = keyring('coord1');
    assertRejected(await verifyWith(shardWithSameKidName)(query), 'bad_signature');
  });

  test('When a shard signs a result, then only a verifier holding the shard keyring accepts it', async () => {
    const coordinator = keyring('coord1');
    const shard = keyring('shard1');
    const result = signEnvelope('{"answer":"call me Ishmael"}', shard, fixedClock);

    assert.equal((await verifyWith(shard)(result)).ok, true);
    assertRejected(await verifyWith(coordinator)(result), 'unknown_kid');
  });

  test('When toleranceSec is negative, then verification throws instead of rejecting everything', async () => {
    await assert.rejects(verifyEnvelope({}, { keyring: keyring(), toleranceSec: -1, nonceCache: new MemoryNonceCache() }), RangeError);
  });
});

describe('keyring', () => {
  const secret = 'this-is-a-secret-of-exactly-40-bytes-ok!';

  test('When a spec lists several keys, then the first signs and all verify', () => {
    const keys = parseKeyring(` a:${secret} , b_2-x:${secret}xyz `, VAR);

    assert.equal(keys.signingKid, 'a');
    assert.deepEqual([...keys.keys.keys()], ['a', 'b_2-x']);
    assert.equal(keys.keys.get('a')?.toString('utf8'), secret);
  });

  test('When a secret is written base64:..., then its decoded bytes become the key', () => {
    const bytes = randomBytes(32);
    assert.deepEqual(parseKeyring(`k1:base64:${bytes.toString('base64')}`, VAR).keys.get('k1'), bytes);
    assert.deepEqual(parseKeyring(`k1:base64:${bytes.toString('base64url')}`, VAR).keys.get('k1'), bytes);
  });

  test('When a keyring is generated, then it parses, uses the given kid and differs every time', () => {
    const spec = generateKeyring('demo');
    const keys = parseKeyring(spec, VAR);

    assert.equal(keys.signingKid, 'demo');
    assert.ok((keys.keys.get('demo')?.length ?? 0) >= 48);
    assert.equal(parseKeyring(generateKeyring(), VAR).signingKid, 'k1');
    assert.notEqual(generateKeyring(), generateKeyring());
    assert.throws(() => generateKeyring('not ok'), /invalid kid/);
  });

  const short = 'tooshort-secret!'; // 16 bytes, as text and as the payload of base64:
  const badSpecs: Array<[string, string, RegExp, string]> = [
    ['a short secret', `k1:${short}`, /key "k1" is 16 bytes; use at least 32 random bytes, e\.g\. generate with: openssl rand -base64 48/, short],
    ['a short base64 secret', `k1:base64:${Buffer.from(short).toString('base64')}`, /key "k1" is 16 bytes/, Buffer.from(short).toString('base64')],
    ['an invalid base64 secret', `k1:base64:${secret}!!`, /not valid base64/, secret],
    ['a bare secret without a kid', secret, /not kid:secret/, secret],
    ['an invalid kid', `bad kid!:${secret}`, /invalid kid/, secret],
    ['a kid longer than 32 characters', `${'k'.repeat(33)}:${secret}`, /invalid kid/, secret],
    ['an empty kid', `:${secret}`, /invalid kid/, secret],
    ['a duplicate kid', `k1:${secret},k1:${secret}2`, /key "k1" is listed twice/, secret],
    ['a trailing comma', `k1:${secret},`, /entry 2 is empty/, secret],
    ['an empty value', '', /is empty/, '\u0000'],
    ['only whitespace', '   ', /is empty/, '\u0000'],
  ];
  for (const [name, spec, message, leaked] of badSpecs) {
    test(`When the spec has ${name}, then parsing fails naming the variable and never the secret`, () => {
      assert.throws(
        () => parseKeyring(spec, VAR),
        (error: unknown) => {
          assert.ok(error instanceof Error);
          assert.ok(error.message.startsWith(`${VAR}: `), error.message);
          assert.match(error.message, message);
          assert.ok(!error.message.includes(leaked), `message leaks the secret: ${error.message}`);
          return true;
        },
      );
    });
  }

  test('When a keyring is serialised or inspected, then only kids appear, never secrets', () => {
    const binary = randomBytes(32);
    const keys = parseKeyring(`k1:${secret},k2:base64:${binary.toString('base64')}`, VAR);
    const secretForms = [secret, binary.toString('base64'), binary.toString('hex'), Buffer.from(secret).toString('hex')];
    const renderings = [
      JSON.stringify(keys),
      JSON.stringify({ config: { hmac: keys } }),
      JSON.stringify(keys.keys),
      inspect(keys, { depth: 10 }),
      inspect({ config: { hmac: keys } }, { depth: 10 }),
      inspect(keys.keys, { depth: 10 }),
      inspect({ ...keys }, { depth: 10 }),
      `${String(keys)}`,
    ];

    for (const rendering of renderings) {
      for (const form of secretForms) assert.ok(!rendering.includes(form), `leaked in: ${rendering}`);
      // Buffer's inspect output shows bytes as spaced hex pairs.
      assert.ok(!/<Buffer/.test(rendering), `leaked in: ${rendering}`);
    }
    assert.deepEqual(JSON.parse(JSON.stringify(keys)), { signingKid: 'k1', kids: ['k1', 'k2'] });
    assert.match(inspect(keys), /k1.*k2/);
  });

  test('When code tries to change a parsed keyring, then it is refused', () => {
    const keys = parseKeyring(`k1:${secret}`, VAR);
    const mutable = keys.keys as Map<string, Buffer>;

    assert.throws(() => mutable.set('evil', Buffer.alloc(32)), TypeError);
    assert.throws(() => mutable.delete('k1'), TypeError);
    assert.throws(() => mutable.clear(), TypeError);
    assert.deepEqual([...keys.keys.keys()], ['k1']);
  });
});

describe('memory nonce cache', () => {
  test('When a nonce is claimed again after its TTL, then it counts as new', async () => {
    let nowMs = NOW_MS;
    const cache = new MemoryNonceCache(() => nowMs);

    assert.equal(await cache.claim('n1', 10), true);
    assert.equal(await cache.claim('n1', 10), false);
    nowMs += 9_999;
    assert.equal(await cache.claim('n1', 10), false);
    nowMs += 1;
    assert.equal(await cache.claim('n1', 10), true);
  });
});
