/**
 * The environment each service of a local fleet gets: only the secrets it uses.
 *
 * The coordinator gets the master keyrings and the API token. A shard gets its
 * own domain's derived keys instead of the masters, no API token, and the
 * Anthropic key only when its engine calls Claude: a shard process's
 * environment (/proc/<pid>/environ) then holds nothing that works for another
 * domain or for the HTTP API. docker-compose.yml follows the same rule.
 */
import { domainKeyEnv, MASTER_KEY_VARS, parseMasterKeys } from '../../../shared/config/keys.js';

/** Read only by the coordinator (or by clients): never passed to a shard. */
export const COORDINATOR_ONLY_VARS = [...MASTER_KEY_VARS, 'MEMFLEET_API_TOKEN'] as const;
/** Read by a shard only with ENGINE=anthropic. */
const CLAUDE_SECRET_VARS = ['ANTHROPIC_API_KEY'] as const;

/**
 * A shard's environment, built from one holding the masters (the coordinator's):
 * the masters and the token removed (with their *_FILE forms), the domain's
 * derived keys added.
 * @throws ConfigError when `base` holds no valid master keyrings
 */
export function shardEnv(base: NodeJS.ProcessEnv, domain: string): NodeJS.ProcessEnv {
  const masters = parseMasterKeys(base);
  const env: NodeJS.ProcessEnv = { ...base };
  const drop = env.ENGINE === 'anthropic' ? COORDINATOR_ONLY_VARS : [...COORDINATOR_ONLY_VARS, ...CLAUDE_SECRET_VARS];
  for (const name of drop) {
    delete env[name];
    delete env[`${name}_FILE`];
  }
  return { ...env, ...domainKeyEnv(masters, domain) };
}
