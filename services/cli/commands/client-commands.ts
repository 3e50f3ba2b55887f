/** `memfleet ask` and `memfleet status`: clients of a running coordinator. Exit codes are a contract (--help). */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { MAX_TOP_K } from '../../../shared/queues/schemas.js';
import { cite } from '../../../shared/api/citation.js';
import { ClientError, CoordinatorClient, type ClientOptions } from '../../../shared/api/client.js';
import { MIN_TIMEOUT_MS, topKField, type QueryResponse } from '../../../shared/api/query.js';
import type { ShardRow } from '../../../shared/api/shards.js';
import { renderProcesses } from '../client/render-processes.js';
import { ageOf, coloursFor, formatMs, startProgress, type Colors } from '../client/terminal.js';

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

const PLAIN: Colors = coloursFor({ isTTY: false, write: () => true }, {});

function fail(err: unknown): never {
  process.stderr.write(`memfleet: ${err instanceof ClientError || err instanceof Error ? err.message : String(err)}\n`);
  process.exit(EXIT.error);
}

/** Shown above an answer whose confidence is low: the best evidence there is, but weak. */
export const LOW_CONFIDENCE_NOTE = 'Weak match (confidence low): these are the closest passages in memory, but they only partly match the question. Check them before relying on the answer.';

/** Plain text unless the caller passes colours (coloursFor(stdout)). */
export function renderAnswer(res: QueryResponse, c: Colors = PLAIN): string {
  const out: string[] = [];
  if (res.confidence === 'low') out.push(c.yellow(LOW_CONFIDENCE_NOTE), '');
  out.push(res.citations.length > 0 ? res.answer : c.yellow(res.answer), '');
  if (res.citations.length > 0) {
    out.push(`${c.bold('Confidence:')} ${res.confidence === 'high' ? c.green('high') : c.yellow(res.confidence)}`, '');
    out.push(c.bold('Citations:'));
    res.citations.forEach((cit, i) => {
      out.push(`  [${i + 1}] ${c.cyan(cite(cit))}  ${c.dim(`(score ${cit.score.toFixed(2)}, confidence ${cit.confidence})`)}`);
      for (const line of cit.text.split('\n')) out.push(c.dim(`      ${line}`));
    });
    out.push('');
  }
  const status = (s: string) => (s === 'ok' ? c.green(s) : s === 'timeout' ? c.yellow(s) : c.red(s));
  const shards = res.shards.map((s) => `${s.shard} ${status(s.status)} ${Math.round(s.latencyMs)}ms${s.error ? ` (${s.error})` : ''}`);
  out.push(`${c.bold('Shards:')} ${shards.join(', ')}`);
  out.push(c.dim(`Query ${res.id} answered in ${Math.round(res.latencyMs)} ms`));
  return out.join('\n');
}

/** The fleet as a table: one row per domain. Columns are padded before colouring so they line up. */
export function renderShards(rows: readonly ShardRow[], c: Colors = PLAIN, now = Date.now()): string {
  const header = ['SHARD', 'STATUS', 'REPLICAS', 'QUEUE', 'P50', 'LAST HEARTBEAT', 'SOURCES', 'TOKENS', 'ENGINE'];
  const body = rows.map((r) => [
    r.shard,
    r.status,
    String(r.replicas),
    r.queue ? `${r.queue.waiting}${r.queue.active > 0 ? `+${r.queue.active}` : ''}` : '-',
    formatMs(r.p50Ms),
    ageOf(r.lastSeen, now),
    String(r.sources),
    String(r.tokens),
    r.engine,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] as string).length)));
  const numeric = new Set([2, 3, 4, 6, 7]);
  const pad = (cell: string, i: number) => (numeric.has(i) ? cell.padStart(widths[i] as number) : cell.padEnd(widths[i] as number));
  const lines = [header.map((h, i) => c.bold(pad(h, i))).join('  ').trimEnd()];
  for (const row of body) {
    lines.push(
      row
        .map((cell, i) => {
          const padded = pad(cell, i);
          if (i === 1) return cell === 'up' ? c.green(padded) : c.red(padded);
          return padded;
        })
        .join('  ')
        .trimEnd(),
    );
  }
  return lines.join('\n');
}

const ASK_HELP = `
Output: the answer, then each citation as shard/source:line with the cited lines, then how each
shard did. --json prints the API response instead (see docs/api.md). While waiting, a progress
line is drawn on stderr when it is a terminal; colours only when stdout is a terminal (NO_COLOR
turns them off, FORCE_COLOR on).

Every answer carries a confidence: high (the passages match the question well), low (the
closest passages in memory, but a weak match: check them), none (nothing found). The first line
says so when it is low; each citation shows its own.

Exit codes:
  0  answered: at least one citation (confidence high or low; --json shows which)
  2  nothing in memory answers the question (no citation, confidence none)
  1  error: bad arguments, coordinator unreachable, or the API refused the query

Examples:
  memfleet ask "Who did Ishmael have to share a bed with at the inn?"
  memfleet ask --shards sotu-modern -k 3 "What did Bush call the axis of evil?"
  memfleet ask --json "Queequeg was a native of which island?" | jq '.confidence, .citations[0]'
(the examples are answered by the demo fleet, npm start)`;

const STATUS_HELP = `
Columns: SHARD (domain), STATUS (up: a live replica; down: seen recently, none live now),
REPLICAS (live), QUEUE (jobs waiting, +active), P50 (median round trip of the last 100 answered
queries this coordinator sent to the shard), LAST HEARTBEAT, SOURCES, TOKENS (estimated), ENGINE.

Under memfleet up, a second table lists each process up supervises (GET /v1/supervisor):
PROCESS (coordinator, <domain>#<n>), PID, STATE (running; restarting: waiting out its backoff;
gave-up: it crashed too often), RESTARTS, LAST EXIT (how it last exited, or why up gave up).
--json prints only the shard rows.

Exit codes:
  0  the fleet was listed (even when no shard is up)
  1  error: coordinator unreachable or the API refused the request`;

/** -k: the API's own check and message ("topK must be an integer from 1 to 50, got 0"). */
function parseTopK(value: string): number {
  const parsed = topKField().safeParse(value.trim() === '' ? Number.NaN : Number(value));
  if (!parsed.success) throw new InvalidArgumentError(parsed.error.issues[0]?.message ?? `topK must be an integer from 1 to ${MAX_TOP_K}`);
  return parsed.data;
}

/** --timeout: the upper bound is the coordinator's MAX_QUERY_TIMEOUT_MS, which it checks itself. */
function parseTimeout(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < MIN_TIMEOUT_MS) throw new InvalidArgumentError(`expected milliseconds (an integer ≥ ${MIN_TIMEOUT_MS}), got "${value}"`);
  return n;
}

export function registerClientCommands(program: Command): void {
  program
    .command('ask')
    .description('Ask the fleet a question; prints the answer, then each citation as shard/source:line with the cited text.')
    .argument('<question...>', 'the question (quote it, or pass several words)')
    .option('--url <url>', 'coordinator URL (env MEMFLEET_URL, default http://127.0.0.1:8080)')
    .option('--token <token>', 'API token (env MEMFLEET_API_TOKEN)')
    .option('--shards <list>', 'comma-separated shard names to ask (default: every live shard)')
    .addOption(new Option('--mode <mode>', 'broadcast: every selected shard; routed: the most relevant ones').choices(['broadcast', 'routed']).default('broadcast'))
    .option('-k, --top-k <n>', `number of citations, 1-${MAX_TOP_K}`, parseTopK, 5)
    .option('--timeout <ms>', 'deadline for the shards, in milliseconds (default: the coordinator\'s QUERY_TIMEOUT_MS)', parseTimeout)
    .option('--json', 'print the raw JSON response (exit codes unchanged)')
    .addHelpText('after', ASK_HELP)
    .action(async (words: string[], opts: ClientFlags & { shards?: string; mode: string; topK: number; timeout?: number; json?: boolean }) => {
      const shards = opts.shards?.split(',').map((s) => s.trim()).filter(Boolean);
      const progress = startProgress(process.stderr, `asking ${shards && shards.length > 0 ? shards.join(', ') : 'the fleet'}…`);
      let res: QueryResponse;
      try {
        res = await new CoordinatorClient(clientOptions(opts)).ask({ question: words.join(' '), mode: opts.mode as 'broadcast' | 'routed', topK: opts.topK, shards, timeoutMs: opts.timeout });
      } catch (err) {
        progress.stop();
        fail(err);
      }
      progress.stop();
      process.stdout.write(opts.json ? `${JSON.stringify(res, null, 2)}\n` : `${renderAnswer(res, coloursFor(process.stdout))}\n`);
      process.exitCode = res.citations.length > 0 ? EXIT.answered : EXIT.noAnswer;
    });

  program
    .command('status')
    .description('Show the fleet as a table: each domain, its live replicas, queue depth, p50 latency and last heartbeat.')
    .option('--url <url>', 'coordinator URL (env MEMFLEET_URL, default http://127.0.0.1:8080)')
    .option('--token <token>', 'API token (env MEMFLEET_API_TOKEN)')
    .option('--json', 'print the raw JSON response')
    .addHelpText('after', STATUS_HELP)
    .action(async (opts: ClientFlags & { json?: boolean }) => {
      try {
        const client = new CoordinatorClient(clientOptions(opts));
        const rows = await client.shards();
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
          return;
        }
        const colours = coloursFor(process.stdout);
        // Present only under `memfleet up`; a coordinator without the route (older) or a Redis hiccup just leaves it out.
        const supervised = await client.supervisors().catch(() => undefined);
        const processes = supervised?.supervisors.length ? `${renderProcesses(supervised.supervisors, colours)}\n` : '';
        process.stdout.write(`${rows.length ? renderShards(rows, colours) : 'No shard has registered yet.'}\n${processes}`);
      } catch (err) {
        fail(err);
      }
    });
}
