/**
 * The HMAC keyring: which key signs, which keys verify.
 *
 * Several keys verify so a key can be rotated without downtime: deploy the new
 * key second everywhere, then first everywhere, then drop the old one.
 */
import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';

/** Key ids travel in every envelope and in logs, so they stay short and boring. */
export const KID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;

/** Shorter secrets make brute-forcing a captured envelope's signature feasible. */
export const MIN_SECRET_BYTES = 32;

const BASE64_PREFIX = 'base64:';
const BASE64_TEXT = /^[A-Za-z0-9+/_-]+={0,2}$/;
const GENERATE_HINT = 'e.g. generate with: openssl rand -base64 48';

export type Keyring = {
  /** The kid of the first key in the spec: every envelope this process signs uses it. */
  readonly signingKid: string;
  /** Every key this process accepts, by kid (the signing key included). */
  readonly keys: ReadonlyMap<string, Buffer>;
};

/**
 * A map that prints its kids but never its secrets, because keyrings end up in
 * config objects and config objects end up in logs and error reports.
 */
class RedactedKeyMap extends Map<string, Buffer> {
  constructor(entries: ReadonlyArray<readonly [string, Buffer]>) {
    super();
    for (const [kid, secret] of entries) super.set(kid, secret);
  }

  // ReadonlyMap only protects TypeScript callers; this protects everyone else.
  override set(): never {
    throw new TypeError('keyring keys are read-only');
  }
  override delete(): never {
    throw new TypeError('keyring keys are read-only');
  }
  override clear(): never {
    throw new TypeError('keyring keys are read-only');
  }

  toJSON(): string[] {
    return [...this.keys()];
  }

  [inspect.custom](): string {
    return `KeyringKeys(${this.size}) [ ${[...this.keys()].map((kid) => `'${kid}'`).join(', ')} ] (secrets hidden)`;
  }
}

class RedactedKeyring implements Keyring {
  readonly signingKid: string;
  readonly keys: ReadonlyMap<string, Buffer>;

  constructor(entries: ReadonlyArray<readonly [string, Buffer]>) {
    const first = entries[0];
    if (!first) throw new Error('a keyring needs at least one key');
    this.signingKid = first[0];
    this.keys = new RedactedKeyMap(entries);
  }

  toJSON(): { signingKid: string; kids: string[] } {
    return { signingKid: this.signingKid, kids: [...this.keys.keys()] };
  }

  [inspect.custom](): string {
    const kids = [...this.keys.keys()].map((kid) => `'${kid}'`).join(', ');
    return `Keyring { signingKid: '${this.signingKid}', kids: [ ${kids} ] } (secrets hidden)`;
  }
}

/**
 * A keyring from keys already in memory (derived keys, tests). The first entry signs.
 * @throws Error when there is no entry, a kid is invalid or repeated, or a secret is too short
 */
export function keyringFromEntries(entries: ReadonlyArray<readonly [string, Buffer]>): Keyring {
  const seen = new Set<string>();
  for (const [kid, secret] of entries) {
    if (!KID_PATTERN.test(kid)) throw new Error('keyringFromEntries: invalid kid; use 1-32 characters from A-Z a-z 0-9 _ -');
    if (seen.has(kid)) throw new Error(`keyringFromEntries: key "${kid}" is listed twice`);
    seen.add(kid);
    if (secret.length < MIN_SECRET_BYTES) throw new Error(`keyringFromEntries: key "${kid}" is ${secret.length} bytes; at least ${MIN_SECRET_BYTES} are needed`);
  }
  return new RedactedKeyring(entries);
}

/**
 * The keyring as a spec `parseKeyring` reads back (`kid:base64:<base64url>,...`, signing key first).
 * The result holds secrets: print it only where the operator asked for it (`memfleet keys`).
 */
export function formatKeyring(keyring: Keyring): string {
  const signing = keyring.keys.get(keyring.signingKid);
  if (!signing) throw new Error(`formatKeyring: keyring has no key for its signing kid ${keyring.signingKid}`);
  const rest = [...keyring.keys].filter(([kid]) => kid !== keyring.signingKid);
  return [[keyring.signingKid, signing] as const, ...rest].map(([kid, secret]) => `${kid}:${BASE64_PREFIX}${secret.toString('base64url')}`).join(',');
}

/**
 * Parses `kid:secret[,kid:secret...]` from an environment variable.
 *
 * A secret is taken as UTF-8 text, or as binary when written `base64:<base64 or base64url>`.
 * Whitespace around entries is ignored, so secrets cannot start or end with it,
 * and cannot contain a comma (use `base64:` for arbitrary bytes).
 *
 * @param spec - the variable's value
 * @param varName - the variable's name, so errors tell the operator what to fix
 * @throws Error naming `varName` and the offending kid or entry number; never the secret
 */
export function parseKeyring(spec: string, varName: string): Keyring {
  const fail = (problem: string): never => {
    throw new Error(`${varName}: ${problem}`);
  };

  if (spec.trim() === '') {
    fail('is empty; set it to one or more kid:secret pairs separated by commas (the first signs), e.g. k1:<secret>, generating each secret with: openssl rand -base64 48');
  }

  const entries: Array<readonly [string, Buffer]> = [];
  const seen = new Set<string>();
  const parts = spec.split(',');

  parts.forEach((raw, index) => {
    // Entries are numbered rather than quoted: a malformed entry may well be a bare secret.
    const where = parts.length > 1 ? `entry ${index + 1}` : 'the value';
    const entry = raw.trim();
    if (entry === '') fail(`${where} is empty; remove the stray comma`);

    const colon = entry.indexOf(':');
    if (colon < 0) fail(`${where} is not kid:secret (no ":" found); write it as kid:secret, e.g. k1:<secret>`);

    const kid = entry.slice(0, colon);
    const secretText = entry.slice(colon + 1);
    if (!KID_PATTERN.test(kid)) {
      fail(`${where} has an invalid kid; use 1-32 characters from A-Z a-z 0-9 _ - before the ":"`);
    }
    if (seen.has(kid)) fail(`key "${kid}" is listed twice; give each key its own kid`);
    seen.add(kid);

    const secret = decodeSecret(secretText, kid, fail);
    if (secret.length < MIN_SECRET_BYTES) {
      fail(`key "${kid}" is ${secret.length} bytes; use at least ${MIN_SECRET_BYTES} random bytes, ${GENERATE_HINT}`);
    }
    entries.push([kid, secret]);
  });

  return new RedactedKeyring(entries);
}

function decodeSecret(text: string, kid: string, fail: (problem: string) => never): Buffer {
  if (!text.startsWith(BASE64_PREFIX)) return Buffer.from(text, 'utf8');
  const encoded = text.slice(BASE64_PREFIX.length);
  // Buffer.from silently skips invalid characters, which would quietly shorten the key.
  if (!BASE64_TEXT.test(encoded)) {
    return fail(`key "${kid}" starts with "${BASE64_PREFIX}" but the rest is not valid base64`);
  }
  return Buffer.from(encoded, 'base64');
}

/**
 * A fresh single-key spec (`kid:<48 random bytes, base64url>`) for demos and tests.
 * The text form is used as the secret as is: 64 characters, 384 bits of entropy.
 */
export function generateKeyring(kid = 'k1'): string {
  if (!KID_PATTERN.test(kid)) {
    throw new Error(`generateKeyring: invalid kid; use 1-32 characters from A-Z a-z 0-9 _ -`);
  }
  return `${kid}:${randomBytes(48).toString('base64url')}`;
}
