/**
 * What `memfleet up` keeps between runs, so memory written to a local fleet
 * (docs/api.md, "Writing to memory") survives a restart: `<contexts>/.memfleet/`
 * holds the private redis-server's data (append-only file) and the HMAC keys
 * generated for the fleet (written sources are signed with them; new keys
 * would make every stored note unverifiable). The folder loader skips
 * dot-folders, so this never becomes a domain.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyring } from '../../../shared/envelope/index.js';

export interface FleetKeys {
  MEMFLEET_HMAC_KEYS: string;
  MEMFLEET_SHARD_HMAC_KEYS: string;
}

/** `<contexts>/.memfleet`, created when missing; undefined when the contexts folder is not writable. */
export function stateDir(contexts: string): string | undefined {
  const dir = join(contexts, '.memfleet');
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    return dir;
  } catch {
    return undefined;
  }
}

/** The keys kept in `dir/keys.env` (mode 0600), generated on first use. */
export function loadOrCreateKeys(dir: string): FleetKeys {
  const file = join(dir, 'keys.env');
  if (existsSync(file)) {
    const vars = Object.fromEntries(
      readFileSync(file, 'utf8')
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => line && !line.startsWith('#') && line.includes('='))
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
    if (vars.MEMFLEET_HMAC_KEYS && vars.MEMFLEET_SHARD_HMAC_KEYS) return { MEMFLEET_HMAC_KEYS: vars.MEMFLEET_HMAC_KEYS, MEMFLEET_SHARD_HMAC_KEYS: vars.MEMFLEET_SHARD_HMAC_KEYS };
  }
  const keys = { MEMFLEET_HMAC_KEYS: generateKeyring('coord1'), MEMFLEET_SHARD_HMAC_KEYS: generateKeyring('shard1') };
  writeFileSync(
    file,
    `# memfleet up: the fleet's HMAC keys, kept so written sources stay verifiable across restarts. Keep this file private.\nMEMFLEET_HMAC_KEYS=${keys.MEMFLEET_HMAC_KEYS}\nMEMFLEET_SHARD_HMAC_KEYS=${keys.MEMFLEET_SHARD_HMAC_KEYS}\n`,
    { mode: 0o600 },
  );
  chmodSync(file, 0o600);
  return keys;
}
