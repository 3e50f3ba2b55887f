/**
 * The signed envelope every job and every result travels in (DESIGN.md, "Envelope"),
 * and how it is signed.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { KID_PATTERN, type Keyring } from './keyring.js';

export const ENVELOPE_VERSION = 1;

const NONCE_BYTES = 16;

/*
 * Canonical base64url only: the last character of an unpadded encoding carries
 * spare bits, and accepting any value there would let a captured signature or
 * nonce be rewritten into a second, still-valid spelling.
 * 16 bytes → 22 chars (last one carries 2 bits), 32 bytes → 43 chars (last one carries 4 bits).
 */
const NONCE_PATTERN = /^[A-Za-z0-9_-]{21}[AQgw]$/;
const SIG_PATTERN = /^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/;

/*
 * UTF-8 turns every lone surrogate into U+FFFD, so two different bodies would share
 * one signature. JSON.stringify never produces them; anything else is refused.
 */
const LONE_SURROGATE = /\p{Cs}/u;

export const EnvelopeSchema = z
  .object({
    v: z.literal(ENVELOPE_VERSION),
    kid: z.string().regex(KID_PATTERN, 'must be 1-32 characters from A-Z a-z 0-9 _ -'),
    /** Epoch seconds at signing. */
    ts: z.number().int().nonnegative(),
    nonce: z.string().regex(NONCE_PATTERN, 'must be base64url of 16 bytes'),
    /** The payload exactly as signed; parse it only after verifying. */
    body: z.string().refine((s) => !LONE_SURROGATE.test(s), 'must be well-formed UTF-16 (no lone surrogates)'),
    sig: z.string().regex(SIG_PATTERN, 'must be base64url of 32 bytes'),
  })
  .strict();

export type Envelope = z.infer<typeof EnvelopeSchema>;

/**
 * The MAC over `v.kid.ts.nonce.body`. The join is unambiguous because no field
 * before the body can contain a ".", and the body comes last.
 */
export function envelopeMac(key: Buffer, fields: Omit<Envelope, 'sig'>): Buffer {
  return createHmac('sha256', key)
    .update(`${fields.v}.${fields.kid}.${fields.ts}.${fields.nonce}.${fields.body}`, 'utf8')
    .digest();
}

/**
 * Signs `body` with the keyring's signing key.
 *
 * @param body - the exact string the receiver will get back (usually `JSON.stringify(payload)`)
 * @param now - clock in epoch milliseconds, like `Date.now` (the default); `ts` is whole seconds
 * @throws Error when the keyring lacks its signing key or the body has lone surrogates
 */
export function signEnvelope(body: string, keyring: Keyring, now: () => number = Date.now): Envelope {
  const kid = keyring.signingKid;
  const key = keyring.keys.get(kid);
  if (!key) throw new Error(`signEnvelope: keyring has no key for its signing kid ${kid}`);
  if (LONE_SURROGATE.test(body)) {
    throw new Error('signEnvelope: body has a lone surrogate, which no verifier would accept; serialise it with JSON.stringify');
  }
  const fields = {
    v: ENVELOPE_VERSION,
    kid,
    ts: Math.floor(now() / 1000),
    nonce: randomBytes(NONCE_BYTES).toString('base64url'),
    body,
  } as const;
  return { ...fields, sig: envelopeMac(key, fields).toString('base64url') };
}
