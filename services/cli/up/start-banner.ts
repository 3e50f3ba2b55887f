/**
 * What `memfleet up` prints once the fleet answers: where it is and commands
 * that work as printed. Off the default URL, `ask` and `status` carry `--url`;
 * with an API token, the `/v1` hints carry it (`/metrics` needs none), by
 * reference to the variable or file it came from: the token is a secret and
 * is never printed.
 */
import { basename, isAbsolute, relative } from 'node:path';

export const DEFAULT_CLIENT_URL = 'http://127.0.0.1:8080';

export interface BannerInput {
  url: string;
  shards: string[];
  replicas: number;
  /** Where the API token comes from, when the coordinator requires one. */
  token?: { env: 'MEMFLEET_API_TOKEN' } | { file: string } | undefined;
  /** How to run the CLI: "memfleet", or "node dist/services/cli/main.js" from a checkout. */
  cli: string;
}

export function startBanner(b: BannerInput): string {
  const tokenRef = b.token === undefined ? undefined : 'env' in b.token ? '"$MEMFLEET_API_TOKEN"' : `"$(cat ${shellQuote(b.token.file)})"`;
  const flags = [b.url !== DEFAULT_CLIENT_URL ? `--url ${b.url}` : '', tokenRef ? `--token ${tokenRef}` : ''].filter(Boolean).join(' ');
  const withFlags = (cmd: string) => `${b.cli} ${cmd}${flags ? ` ${flags}` : ''}`;
  const auth = tokenRef ? ` -H "authorization: Bearer ${tokenRef.slice(1, -1)}"` : '';
  return [
    `memfleet is up at ${b.url}`,
    `  shards:  ${b.shards.map((d) => `${d}×${b.replicas}`).join(', ')}`,
    `  ask:     ${withFlags('ask "your question"')}`,
    `  curl:    curl -s ${b.url}/v1/query${auth} -H 'content-type: application/json' -d '{"question":"..."}'`,
    `  status:  ${withFlags('status')}`,
    `  metrics: curl -s ${b.url}/metrics`,
    'Press Ctrl-C to stop.',
    '',
  ].join('\n');
}

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** How the user ran this CLI, to print commands they can paste: "memfleet" or "node dist/services/cli/main.js". */
export function cliInvocation(script: string, cwd: string): string {
  if (basename(script) === 'memfleet') return 'memfleet';
  const rel = relative(cwd, script);
  return `node ${shellQuote(rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : script)}`;
}
