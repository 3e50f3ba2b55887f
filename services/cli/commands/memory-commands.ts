/**
 * Writing to memory from the shell (docs/api.md, "Writing to memory"):
 * remember, forget, sources, export. Exit codes: 0 done, 1 error.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { MAX_TTL_SEC } from '../../../shared/api/sources.js';
import { ClientError, CoordinatorClient, type ClientOptions } from '../../../shared/api/client.js';
import { DOMAIN_PATTERN } from '../../../shared/queues/names.js';
import type { SourceInfo } from '../../../shared/queues/schemas.js';

interface ClientFlags {
  url?: string;
  token?: string;
}

function clientOptions(flags: ClientFlags): ClientOptions {
  return { url: flags.url ?? process.env.MEMFLEET_URL ?? 'http://127.0.0.1:8080', token: flags.token ?? process.env.MEMFLEET_API_TOKEN };
}

function clientFor(flags: ClientFlags): CoordinatorClient {
  return new CoordinatorClient(clientOptions(flags));
}

function fail(err: unknown): never {
  process.stderr.write(`memfleet: ${err instanceof ClientError || err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}

function parseShard(value: string): string {
  if (!DOMAIN_PATTERN.test(value)) throw new InvalidArgumentError(`expected a shard name (lowercase letters, digits, dashes), got "${value}"`);
  return value;
}

function parseWhole(name: string, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0 || n > max) throw new InvalidArgumentError(`${name}: expected a whole number from 0 to ${max}, got "${value}"`);
    return n;
  };
}

/** The document as UTF-8 text; bytes that are not UTF-8 are an error here, not silently replaced. */
async function readInput(file: string | undefined): Promise<string> {
  let bytes: Buffer;
  if (file !== undefined && file !== '-') {
    bytes = await readFile(file);
  } else {
    if (process.stdin.isTTY) process.stderr.write('memfleet: reading the document from stdin (end with Ctrl-D)…\n');
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    bytes = Buffer.concat(chunks);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new Error(`${file !== undefined && file !== '-' ? file : 'stdin'} is not UTF-8 text: convert it (e.g. iconv -t UTF-8) and try again.`);
  }
}

/** SOURCE ORIGIN LINES TOKENS VERSION EXPIRES, padded. */
export function renderSources(sources: readonly SourceInfo[]): string {
  const header = ['SOURCE', 'ORIGIN', 'LINES', 'TOKENS', 'VERSION', 'EXPIRES'];
  const rows = sources.map((s) => [
    s.source,
    s.origin ?? 'folder',
    String(s.lines),
    String(s.tokens),
    s.version !== undefined ? String(s.version) : '-',
    s.expiresAt ? new Date(s.expiresAt).toISOString() : '-',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  return [header, ...rows].map((r) => r.map((cell, i) => cell.padEnd(widths[i] as number)).join('  ').trimEnd()).join('\n');
}

const REMEMBER_HELP = `
Writes the document (FILE, or stdin when FILE is "-" or left out) as a source of the shard's
domain: created, or replaced when it exists. Every replica answers from it at once, and it is
kept in Redis across restarts. Names follow the folder rules: a relative path ending in .md or
.txt, no dot-files (e.g. notes/2026-12-01-handover.md).

Examples:
  memfleet remember --shard harbor --source notes/handover.md handover.md
  echo "The spare key is under the blue anchor." | memfleet remember --shard harbor --source notes/key.md
  memfleet remember --shard harbor --source notes/today.md --ttl 86400 today.md
  memfleet remember --shard harbor --source notes/shared.md --if-match 7 shared.md`;

export function registerMemoryCommands(program: Command): void {
  const common = (cmd: Command) =>
    cmd
      .option('--url <url>', 'coordinator URL (env MEMFLEET_URL, default http://127.0.0.1:8080)')
      .option('--token <token>', 'API token (env MEMFLEET_API_TOKEN)')
      .requiredOption('--shard <name>', 'the domain to write to', parseShard);

  common(program.command('remember'))
    .description('Write a document into a domain\'s memory (create or replace); every replica cites it from the next question on.')
    .argument('[file]', 'the document; "-" or nothing reads stdin')
    .requiredOption('--source <name>', 'its name in the domain, e.g. notes/handover.md')
    .option('--ttl <seconds>', 'forget it after this many seconds', parseWhole('--ttl', MAX_TTL_SEC))
    .option('--if-match <version>', 'write only if the source is still at this version (0: only if it does not exist)', parseWhole('--if-match', Number.MAX_SAFE_INTEGER))
    .option('--json', 'print the API response')
    .addHelpText('after', REMEMBER_HELP)
    .action(async (file: string | undefined, opts: ClientFlags & { shard: string; source: string; ttl?: number; ifMatch?: number; json?: boolean }) => {
      try {
        const text = await readInput(file);
        const res = await clientFor(opts).remember({ shard: opts.shard, source: opts.source, text, ttlSec: opts.ttl, ifMatch: opts.ifMatch });
        process.stdout.write(
          opts.json
            ? `${JSON.stringify(res, null, 2)}\n`
            : `${res.created ? 'Remembered' : 'Replaced'} ${res.shard}/${res.source}: ${res.lines} ${res.lines === 1 ? 'line' : 'lines'}, ${res.tokens} tokens, version ${res.version}${res.expiresAt ? `, forgotten at ${res.expiresAt}` : ''}.\n`,
        );
      } catch (err) {
        fail(err);
      }
    });

  common(program.command('forget'))
    .description('Forget a written source: no replica cites it from the next question on.')
    .requiredOption('--source <name>', 'the written source, e.g. notes/handover.md')
    .option('--if-match <version>', 'forget only if the source is still at this version', parseWhole('--if-match', Number.MAX_SAFE_INTEGER))
    .option('--json', 'print the API response')
    .action(async (opts: ClientFlags & { shard: string; source: string; ifMatch?: number; json?: boolean }) => {
      try {
        const res = await clientFor(opts).forget({ shard: opts.shard, source: opts.source, ifMatch: opts.ifMatch });
        process.stdout.write(opts.json ? `${JSON.stringify(res, null, 2)}\n` : `Forgot ${res.shard}/${res.source} (version ${res.version}).\n`);
      } catch (err) {
        fail(err);
      }
    });

  common(program.command('sources'))
    .description('List a domain\'s sources: the folder\'s (read-only) and the written ones, with lines, tokens, version and expiry.')
    .option('--json', 'print the API response')
    .action(async (opts: ClientFlags & { shard: string; json?: boolean }) => {
      try {
        const res = await clientFor(opts).sources(opts.shard);
        process.stdout.write(opts.json ? `${JSON.stringify(res, null, 2)}\n` : `${renderSources(res.sources)}\n${res.truncated ? `(first ${res.sources.length} of ${res.total})\n` : ''}`);
      } catch (err) {
        fail(err);
      }
    });

  common(program.command('export'))
    .description('Write a domain\'s written sources as files under DIR (a backup, or to move them into the domain folder).')
    .requiredOption('--out <dir>', 'folder to write into (created if missing); files keep their source paths')
    .action(async (opts: ClientFlags & { shard: string; out: string }) => {
      try {
        const client = clientFor(opts);
        const list = await client.sources(opts.shard);
        const written = list.sources.filter((s) => s.origin === 'written');
        const root = path.resolve(opts.out);
        for (const s of written) {
          const doc = await client.writtenSource(opts.shard, s.source);
          const target = path.resolve(root, doc.source);
          // Names are checked by the coordinator; this keeps a hostile one from leaving DIR anyway.
          if (!target.startsWith(root + path.sep)) throw new Error(`refusing to write ${doc.source} outside ${root}`);
          await mkdir(path.dirname(target), { recursive: true });
          await writeFile(target, doc.text);
        }
        process.stdout.write(`Exported ${written.length} written source${written.length === 1 ? '' : 's'} of ${opts.shard} to ${root}.\n`);
      } catch (err) {
        fail(err);
      }
    });
}
