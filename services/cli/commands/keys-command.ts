/**
 * `memfleet keys`: prints the fleet's secrets in .env form, so setting up the
 * compose stack is `memfleet keys --domains a,b >> .env`.
 *
 * Fresh master keyrings and an API token for the coordinator, and each named
 * domain's keys derived from those masters for its shard (shared/envelope/domain-keys.ts).
 * With --derive, the masters come from the environment instead, and only the
 * domain keys are printed: for a domain added later, or after a rotation.
 */
import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { domainKeyEnv, domainKeyEnvNames, parseMasterKeys } from '../../../shared/config/keys.js';
import { generateKeyring, KID_PATTERN, type MasterKeys } from '../../../shared/envelope/index.js';
import { DOMAIN_PATTERN } from '../../../shared/queues/names.js';

export interface KeysOptions {
  domains: readonly string[];
  /** Masters to derive from; undefined generates fresh ones (and a token). */
  masters?: MasterKeys | undefined;
  queryKid: string;
  resultKid: string;
  /** Print one domain's keys under the names a shard reads (MEMFLEET_DOMAIN_*_KEYS) rather than .env's per-domain names. */
  shardNames: boolean;
}

/** The .env text. Pure apart from the random secrets it generates. */
export function renderKeys(opts: KeysOptions): string {
  const lines: string[] = [];
  let masters = opts.masters;
  if (!masters) {
    const query = generateKeyring(opts.queryKid);
    const result = generateKeyring(opts.resultKid);
    masters = parseMasterKeys({ MEMFLEET_HMAC_KEYS: query, MEMFLEET_SHARD_HMAC_KEYS: result });
    lines.push(
      `# memfleet keys, generated ${new Date().toISOString()}. Secrets: keep this file out of git.`,
      '# Master keyrings: the coordinator only. Every domain key below is derived from them.',
      `MEMFLEET_HMAC_KEYS=${query}`,
      `MEMFLEET_SHARD_HMAC_KEYS=${result}`,
      '# Bearer token for every /v1 route: the coordinator and clients (memfleet ask, mcp), never a shard.',
      `MEMFLEET_API_TOKEN=${randomBytes(32).toString('hex')}`,
    );
  }
  for (const domain of opts.domains) {
    const env = domainKeyEnv(masters, domain);
    const names = opts.shardNames ? { MEMFLEET_DOMAIN_QUERY_KEYS: 'MEMFLEET_DOMAIN_QUERY_KEYS', MEMFLEET_DOMAIN_RESULT_KEYS: 'MEMFLEET_DOMAIN_RESULT_KEYS' } : domainKeyEnvNames(domain);
    lines.push(
      `# Domain ${domain}: its shards only (docker-compose.yml passes them as MEMFLEET_DOMAIN_QUERY_KEYS / _RESULT_KEYS).`,
      `${names.MEMFLEET_DOMAIN_QUERY_KEYS}=${env.MEMFLEET_DOMAIN_QUERY_KEYS}`,
      `${names.MEMFLEET_DOMAIN_RESULT_KEYS}=${env.MEMFLEET_DOMAIN_RESULT_KEYS}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** Splits and validates `--domains a,b`; throws with a message naming the bad entry. */
export function parseDomainList(text: string): string[] {
  const domains = text
    .split(',')
    .map((d) => d.trim())
    .filter((d) => d !== '');
  if (domains.length === 0) throw new Error('--domains is empty: list domain names separated by commas, e.g. --domains moby-dick-1,sotu-early');
  for (const d of domains) {
    if (!DOMAIN_PATTERN.test(d)) {
      throw new Error(`--domains: "${d}" is not a domain name; use lowercase letters, digits and dashes (1-63 chars, starting with a letter or digit), e.g. moby-dick-1`);
    }
  }
  return [...new Set(domains)];
}

export function registerKeysCommand(program: Command): void {
  program
    .command('keys')
    .description('Print fresh master keyrings, an API token and per-domain shard keys, in .env form.')
    .option('-d, --domains <list>', 'comma-separated domains to derive shard keys for, e.g. moby-dick-1,sotu-early')
    .option('--derive', 'derive the domain keys from the masters in the environment (MEMFLEET_HMAC_KEYS, MEMFLEET_SHARD_HMAC_KEYS, or their _FILE forms) and print only those')
    .option('--shard-names', 'with one domain: print its keys as MEMFLEET_DOMAIN_QUERY_KEYS / MEMFLEET_DOMAIN_RESULT_KEYS, the names a shard reads')
    .option('--query-kid <kid>', 'key id of a fresh query master', 'q1')
    .option('--result-kid <kid>', 'key id of a fresh result master', 'r1')
    .addHelpText(
      'after',
      [
        '',
        'Compose setup (one shard service per demo domain):',
        '  memfleet keys --domains moby-dick-1,moby-dick-2,sotu-early,sotu-civil-war,sotu-modern >> .env',
        'A domain added later, keys derived from the masters already in .env:',
        '  set -a; . ./.env; set +a; memfleet keys --derive --domains new-domain >> .env',
        '',
        'The coordinator holds the masters and the token; each shard only its own domain\'s keys (docs/reliability.md).',
        'The output holds secrets: redirect it into a file that stays out of git, never into a log.',
      ].join('\n'),
    )
    .action((opts: { domains?: string; derive?: boolean; shardNames?: boolean; queryKid: string; resultKid: string }) => {
      try {
        const domains = opts.domains === undefined ? [] : parseDomainList(opts.domains);
        if (opts.derive && domains.length === 0) throw new Error('--derive needs --domains: name the domains to derive keys for');
        if (opts.shardNames && domains.length !== 1) throw new Error('--shard-names needs exactly one domain in --domains');
        for (const [flag, kid] of [['--query-kid', opts.queryKid], ['--result-kid', opts.resultKid]] as const) {
          if (!KID_PATTERN.test(kid)) throw new Error(`${flag}: use 1-32 characters from A-Z a-z 0-9 _ -`);
        }
        const masters = opts.derive ? parseMasterKeys(process.env) : undefined;
        process.stdout.write(renderKeys({ domains, masters, queryKid: opts.queryKid, resultKid: opts.resultKid, shardNames: Boolean(opts.shardNames) }));
      } catch (err) {
        process.stderr.write(`memfleet keys: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exit(1);
      }
    });
}
