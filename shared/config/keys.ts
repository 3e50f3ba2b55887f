/**
 * Which keys each service reads from its environment (docs/reliability.md, "Keys").
 *
 * - The coordinator reads the two master keyrings and derives every domain's keys.
 * - A shard reads only its own domain's derived keyrings, and refuses to start
 *   when it is handed a master: a shard that held one could forge traffic for
 *   every domain, which is exactly what per-domain keys exist to prevent.
 */
import { formatKeyring, parseKeyring, type Keyring } from '../envelope/keyring.js';
import { deriveDomainKeys, type DomainKeys, type MasterKeys } from '../envelope/domain-keys.js';
import { pickVars, type Env } from './env.js';
import { ConfigError } from './errors.js';

/** Coordinator only. */
export const MASTER_KEY_VARS = ['MEMFLEET_HMAC_KEYS', 'MEMFLEET_SHARD_HMAC_KEYS'] as const;
/** Shard only: its domain's keyrings, derived from the masters (`memfleet keys --derive --domains <d>`). */
export const DOMAIN_KEY_VARS = ['MEMFLEET_DOMAIN_QUERY_KEYS', 'MEMFLEET_DOMAIN_RESULT_KEYS'] as const;

export type DomainKeyEnv = Record<(typeof DOMAIN_KEY_VARS)[number], string>;

const KEY_HINT = 'set it to "kid:secret" with a secret of at least 32 bytes (print a fresh set with: memfleet keys), or point NAME_FILE at a file holding it';
const DERIVE_HINT = 'print them with: memfleet keys --derive --domains <domain> (reads the masters from the environment); memfleet up and docker-compose.yml pass them for you';

/** The master keyrings (coordinator). */
export function parseMasterKeys(env: Env): MasterKeys {
  const raw = pickVars(env, MASTER_KEY_VARS);
  if (!raw.MEMFLEET_HMAC_KEYS) {
    throw new ConfigError(`MEMFLEET_HMAC_KEYS is not set: the coordinator derives every domain's query keys from it; ${KEY_HINT.replace('NAME', 'MEMFLEET_HMAC_KEYS')}.`);
  }
  if (!raw.MEMFLEET_SHARD_HMAC_KEYS) {
    throw new ConfigError(
      `MEMFLEET_SHARD_HMAC_KEYS is not set: the coordinator derives every domain's result keys from it; ${KEY_HINT.replace('NAME', 'MEMFLEET_SHARD_HMAC_KEYS')}.`,
    );
  }
  const query = keyringOrConfigError(raw.MEMFLEET_HMAC_KEYS, 'MEMFLEET_HMAC_KEYS');
  const result = keyringOrConfigError(raw.MEMFLEET_SHARD_HMAC_KEYS, 'MEMFLEET_SHARD_HMAC_KEYS');
  assertDistinct(query, 'MEMFLEET_HMAC_KEYS', result, 'MEMFLEET_SHARD_HMAC_KEYS');
  return { query, result };
}

/** One domain's derived keyrings (shard of `domain`). */
export function parseDomainKeys(env: Env, domain: string): DomainKeys {
  for (const master of MASTER_KEY_VARS) {
    if (env[master] || env[`${master}_FILE`]) {
      throw new ConfigError(
        `${env[master] ? master : `${master}_FILE`} is set for a shard: shards hold only their own domain's derived keys (MEMFLEET_DOMAIN_QUERY_KEYS, MEMFLEET_DOMAIN_RESULT_KEYS), so that a compromised shard cannot forge jobs or results for other domains. Remove the master keyrings from the shard's environment (the coordinator alone holds them) and pass the derived keys; ${DERIVE_HINT}.`,
      );
    }
  }
  const raw = pickVars(env, DOMAIN_KEY_VARS);
  for (const name of DOMAIN_KEY_VARS) {
    if (!raw[name]) {
      const role = name === 'MEMFLEET_DOMAIN_QUERY_KEYS' ? 'verifies the jobs for this domain' : 'signs this domain\'s results';
      throw new ConfigError(`${name} is not set: the shard of domain ${domain} ${role} with it; ${DERIVE_HINT}.`);
    }
  }
  const query = keyringOrConfigError(raw.MEMFLEET_DOMAIN_QUERY_KEYS as string, 'MEMFLEET_DOMAIN_QUERY_KEYS');
  const result = keyringOrConfigError(raw.MEMFLEET_DOMAIN_RESULT_KEYS as string, 'MEMFLEET_DOMAIN_RESULT_KEYS');
  assertDistinct(query, 'MEMFLEET_DOMAIN_QUERY_KEYS', result, 'MEMFLEET_DOMAIN_RESULT_KEYS');
  return { domain, query, result };
}

/** The environment a shard of `domain` needs for its keys: derived from the masters, never the masters. */
export function domainKeyEnv(masters: MasterKeys, domain: string): DomainKeyEnv {
  const keys = deriveDomainKeys(masters, domain);
  return { MEMFLEET_DOMAIN_QUERY_KEYS: formatKeyring(keys.query), MEMFLEET_DOMAIN_RESULT_KEYS: formatKeyring(keys.result) };
}

/**
 * Where `.env` keeps a domain's derived keys for docker-compose.yml, which maps
 * them onto the shard's MEMFLEET_DOMAIN_*_KEYS: e.g. moby-dick-1 →
 * MEMFLEET_DOMAIN_QUERY_KEYS_MOBY_DICK_1. Domain names hold no "_", so the mapping is one-to-one.
 */
export function domainKeyEnvNames(domain: string): DomainKeyEnv {
  const suffix = domain.toUpperCase().replaceAll('-', '_');
  return { MEMFLEET_DOMAIN_QUERY_KEYS: `MEMFLEET_DOMAIN_QUERY_KEYS_${suffix}`, MEMFLEET_DOMAIN_RESULT_KEYS: `MEMFLEET_DOMAIN_RESULT_KEYS_${suffix}` };
}

/** A secret in both directions would let a result key sign a query. */
function assertDistinct(a: Keyring, aName: string, b: Keyring, bName: string): void {
  for (const [aKid, aSecret] of a.keys) {
    for (const [bKid, bSecret] of b.keys) {
      if (aSecret.equals(bSecret)) {
        throw new ConfigError(
          `${aName} key "${aKid}" and ${bName} key "${bKid}" hold the same secret: use different secrets for the two directions, so a shard's result key can never sign a query.`,
        );
      }
    }
  }
}

/** Keyring syntax errors are configuration errors: the operator fixes them, not the code. */
function keyringOrConfigError(spec: string, varName: string): Keyring {
  try {
    return parseKeyring(spec, varName);
  } catch (err) {
    throw new ConfigError(err instanceof Error ? err.message : String(err));
  }
}
