/**
 * Per-domain keys, derived from the two master keyrings with HKDF-SHA256
 * (RFC 5869), so that each shard holds only the keys of its own domain.
 *
 * The coordinator holds the masters (MEMFLEET_HMAC_KEYS signs queries,
 * MEMFLEET_SHARD_HMAC_KEYS verifies results) and derives, per domain:
 *
 *   query key of d  = HKDF(query master,  info "memfleet/v1/query/<d>")   coordinator signs, shard d verifies
 *   result key of d = HKDF(result master, info "memfleet/v1/result/<d>")  shard d signs, coordinator verifies
 *   record key      = HKDF(query master,  info "memfleet/v1/record")      coordinator only (stored query records)
 *
 * A shard of domain d receives only d's two derived keyrings: it can verify
 * jobs for d and sign results for d, and nothing for any other domain, since
 * HKDF output reveals neither the master nor a sibling's key. Every derived
 * key keeps its master key's kid, so rotation works as before: add the new
 * master key second, redistribute the derived keys, then make it first.
 */
import { hkdfSync } from 'node:crypto';
import { assertDomainName } from '../queues/names.js';
import { keyringFromEntries, type Keyring } from './keyring.js';

/** Length of every derived key: SHA-256's output size. */
export const DERIVED_KEY_BYTES = 32;

/** What a derived key is for; part of its HKDF info, so keys for different purposes never coincide. */
export type KeyPurpose = 'query' | 'result';

/** The two master keyrings (coordinator only). */
export interface MasterKeys {
  /** MEMFLEET_HMAC_KEYS: the root of every query (job) key. */
  readonly query: Keyring;
  /** MEMFLEET_SHARD_HMAC_KEYS: the root of every result key. */
  readonly result: Keyring;
}

/** One domain's keys: everything a shard of that domain holds. */
export interface DomainKeys {
  readonly domain: string;
  /** Verifies jobs for this domain (the coordinator signs them with the same derived key). */
  readonly query: Keyring;
  /** Signs this domain's results and failures (the coordinator verifies them with the same derived key). */
  readonly result: Keyring;
}

/** HKDF info of a domain key: `memfleet/v1/<purpose>/<domain>`. */
export function derivationInfo(purpose: KeyPurpose, domain: string): string {
  return `memfleet/v1/${purpose}/${assertDomainName(domain)}`;
}

/** HKDF info of the coordinator's query-record key. */
export const RECORD_KEY_INFO = 'memfleet/v1/record';

// RFC 5869 allows an empty salt (it becomes zeros); the masters are already uniformly random.
const SALT = Buffer.alloc(0);

/** Derives one key per master key, each under the master's kid, in the master's order (so the same key signs). */
export function deriveKeyring(master: Keyring, info: string): Keyring {
  return keyringFromEntries(
    [...master.keys].map(([kid, secret]) => [kid, Buffer.from(hkdfSync('sha256', secret, SALT, info, DERIVED_KEY_BYTES))] as const),
  );
}

export function deriveDomainKeyring(master: Keyring, purpose: KeyPurpose, domain: string): Keyring {
  return deriveKeyring(master, derivationInfo(purpose, domain));
}

/** A domain's keys from the masters: what the coordinator uses for that domain, and what its shards receive. */
export function deriveDomainKeys(masters: MasterKeys, domain: string): DomainKeys {
  return {
    domain,
    query: deriveDomainKeyring(masters.query, 'query', domain),
    result: deriveDomainKeyring(masters.result, 'result', domain),
  };
}

/** The key that seals stored query records: derived from the query master, so no shard can derive it. */
export function deriveRecordKeyring(masters: MasterKeys): Keyring {
  return deriveKeyring(masters.query, RECORD_KEY_INFO);
}

/**
 * The coordinator's view: each domain's keys, derived on first use and kept.
 * Domain names come from the coordinator's own fan-out (validated), and the
 * cache forgets everything past `maxDomains` so it cannot grow without bound.
 */
export class DomainKeyCache {
  readonly #byDomain = new Map<string, DomainKeys>();

  constructor(
    readonly masters: MasterKeys,
    private readonly maxDomains = 4096,
  ) {}

  forDomain(domain: string): DomainKeys {
    let keys = this.#byDomain.get(domain);
    if (!keys) {
      if (this.#byDomain.size >= this.maxDomains) this.#byDomain.clear();
      keys = deriveDomainKeys(this.masters, domain);
      this.#byDomain.set(domain, keys);
    }
    return keys;
  }
}
