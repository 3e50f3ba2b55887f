/** `memfleet ask` and `memfleet status`: clients of a running coordinator. */
import type { Command } from 'commander';
import { ClientError, callCoordinator, type ClientOptions } from '../client/coordinator-client.js';
import type { QueryResponse } from '../../coordinator/domain/types.js';
import { cite } from '../../coordinator/merge/merge.js';

/** Exit codes scripts can rely on. */
export const EXIT = { answered: 0, error: 1, noAnswer: 2 } as const;

interface ClientFlags {
  url?: string;
  token?: string;
}

function clientOptions(flags: ClientFlags): ClientOptions {
  return {
    url: flags.url ?? process.env.MEMFLEET_URL ?? 'http://127.0.0.1:8080',
    token: flags.token ?? process.env.MEMFLEET_API_TOKEN,
  };
}

function fail(err: unknown): never {
  process.stderr.write(`memfleet: ${err instanceof ClientError || err instanceof Error ? err.message : String(err)}\n`);
  process.exit(EXIT.error);
}

export interface ShardRow {
  shard: string;
  status: string;
  replicas: number;
  sources: number;
  lines: number;
  tokens: number;
  engine: string;
  lastSeen: string | null;
}

export function renderAnswer(res: QueryResponse): string {
  const out: string[] = [res.answer, ''];
  if (res.citations.length > 0) {
    out.push('Citations:');
    res.citations.forEach((c, i) => {
      out.push(`  [${i + 1}] ${cite(c)}  (score ${c.score.toFixed(2)})`);
      for (const line of c.text.split('\n')) out.push(`      ${line}`);
    });
    out.push('');
  }
  const shards = res.shards.map((s) => `${s.shard} ${s.status} ${Math.round(s.latencyMs)}ms${s.error ? ` (${s.error})` : ''}`);
  out.push(`Shards: ${shards.join(', ')}`);
  out.push(`Query ${res.id} answered in ${Math.round(res.latencyMs)} ms`);
  return out.join('\n');
}

export function renderShards(rows: readonly ShardRow[]): string {
  const header = ['SHARD', 'STATUS', 'REPLICAS', 'SOURCES', 'LINES', 'TOKENS', 'ENGINE', 'LAST SEEN'];
  const body = rows.map((r) => [r.shard, r.status, String(r.replicas), String(r.sources), String(r.lines), String(r.tokens), r.engine, r.lastSeen ?? '-']);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] as string).length)));
  return [header, ...body].map((row) => row.map((cell, i) => cell.padEnd(widths[i] as number)).join('  ').trimEnd()).join('\n');
}

export function registerClientCommands(program: Command): void {
  program
    .command('ask')
    .description('Ask the fleet a question; prints the answer, then each citation as shard/source:line with the cited text.')
    .argument('<question...>', 'the question (quote it, or pass several words)')
    .option('--url <url>', 'coordinator URL (env MEMFLEET_URL, default http://127.0.0.1:8080)')
    .option('--token <token>', 'API token (env MEMFLEET_API_TOKEN)')
    .option('--shards <list>', 'comma-separated shard names to ask (default: every live shard)')
    .option('--mode <mode>', 'broadcast | routed', 'broadcast')
    .option('-k, --top-k <n>', 'number of citations', '5')
    .option('--timeout <ms>', 'deadline for the shards, in milliseconds')
    .option('--json', 'print the raw JSON response')
    .addHelpText('after', '\nExit codes: 0 answered with citations, 2 nothing found, 1 error.')
    .action(async (words: string[], opts: ClientFlags & { shards?: string; mode: string; topK: string; timeout?: string; json?: boolean }) => {
      const body: Record<string, unknown> = { question: words.join(' '), mode: opts.mode, topK: Number(opts.topK) };
      if (opts.shards) body.shards = opts.shards.split(',').map((s) => s.trim()).filter(Boolean);
      if (opts.timeout) body.timeoutMs = Number(opts.timeout);
      try {
        const res = await callCoordinator<QueryResponse>(clientOptions(opts), 'POST', '/v1/query', body);
        process.stdout.write(opts.json ? `${JSON.stringify(res, null, 2)}\n` : `${renderAnswer(res)}\n`);
        process.exitCode = res.citations.length > 0 ? EXIT.answered : EXIT.noAnswer;
      } catch (err) {
        fail(err);
      }
    });

  program
    .command('status')
    .description('Show the fleet: each shard domain, its live replicas, size and last heartbeat.')
    .option('--url <url>', 'coordinator URL (env MEMFLEET_URL, default http://127.0.0.1:8080)')
    .option('--token <token>', 'API token (env MEMFLEET_API_TOKEN)')
    .option('--json', 'print the raw JSON response')
    .action(async (opts: ClientFlags & { json?: boolean }) => {
      try {
        const rows = await callCoordinator<ShardRow[]>(clientOptions(opts), 'GET', '/v1/shards');
        process.stdout.write(opts.json ? `${JSON.stringify(rows, null, 2)}\n` : `${rows.length ? renderShards(rows) : 'No shard has registered yet.'}\n`);
      } catch (err) {
        fail(err);
      }
    });
}
