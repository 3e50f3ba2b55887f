/** `memfleet up`: start a local fleet, supervise it, and keep it running until Ctrl-C. */
import type { Command } from 'commander';
import { redisUrlFromEnv, startFleet } from '../up/fleet.js';
import { cliInvocation, startBanner } from '../up/start-banner.js';

const UP_HELP = `
Uses REDIS_URL (default redis://127.0.0.1:6379), or a Redis Cluster named by REDIS_CLUSTER_NODES
(host:port,host:port; it wins over REDIS_URL); when neither is set, nothing answers at the default
and redis-server is installed, starts a private one on a free port, keeping its data (append-only) in
<contexts>/.memfleet/redis. Without MEMFLEET_HMAC_KEYS it generates keys once and keeps them in
<contexts>/.memfleet/keys.env (mode 0600). Both make notes written to the fleet (memfleet
remember) survive a restart of up. Checks that --port is free before starting anything.

Contexts: each sub-folder of --contexts whose name is lowercase letters, digits and dashes is a
domain; other entries are skipped and listed with the reason. Shards skip binary files and
files that are not UTF-8 text (a Latin-1 file is read as Latin-1, with a warning); every skip
is printed.

Supervision: once the fleet is up, a coordinator or shard process that exits is restarted after
a backoff (0.5 s, doubling up to 8 s) while the others keep serving; after 5 exits within 60 s
up gives up on that process, says why, and keeps the rest running. \`memfleet status\` lists each
process with its pid, state and restart count. Children run in their own process groups: Ctrl-C
(or SIGTERM) reaches up alone, and up stops each child gracefully once. Children stop by
themselves when up dies, even by kill -9. \`ps\` shows them as "memfleet shard <domain>#<n>".

Child logs at LOG_LEVEL (default warn) are prefixed with the process name.`;

export function registerUpCommand(program: Command): void {
  program
    .command('up')
    .description('Start a local fleet as separate, supervised processes: one coordinator and one shard per domain folder (× replicas).')
    .requiredOption('-c, --contexts <dir>', 'folder holding one sub-folder per domain')
    .option('-p, --port <port>', 'coordinator HTTP port', process.env.PORT ?? '8080')
    .option('--host <host>', 'coordinator bind address', process.env.HOST ?? '127.0.0.1')
    .option('-r, --replicas <n>', 'shard processes per domain', '1')
    .option('-e, --engine <engine>', 'shard engine: lexical | anthropic | noop (env ENGINE)')
    .addHelpText('after', UP_HELP)
    .action(async (opts: { contexts: string; port: string; host: string; replicas: string; engine?: string }) => {
      const port = Number(opts.port);
      const replicas = Number(opts.replicas);
      if (!Number.isInteger(port) || port < 1 || port > 65535) return usage(`--port must be a port number, got "${opts.port}"`);
      if (!Number.isInteger(replicas) || replicas < 1 || replicas > 32) return usage(`--replicas must be an integer from 1 to 32, got "${opts.replicas}"`);
      const say = (line: string) => process.stderr.write(`${line}\n`);
      let fleet;
      try {
        fleet = await startFleet({ contexts: opts.contexts, port, host: opts.host, replicas, redisUrl: redisUrlFromEnv(process.env), engine: opts.engine, say });
      } catch (err) {
        process.stderr.write(`memfleet up: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exit(1);
      }
      const token = process.env.MEMFLEET_API_TOKEN_FILE
        ? { file: process.env.MEMFLEET_API_TOKEN_FILE }
        : process.env.MEMFLEET_API_TOKEN
          ? { env: 'MEMFLEET_API_TOKEN' as const }
          : undefined;
      process.stdout.write(startBanner({ url: fleet.url, shards: fleet.domains, replicas, token, cli: cliInvocation(process.argv[1] as string, process.cwd()) }));
      let stopping = false;
      const stop = async (why: string, code: number) => {
        if (stopping) {
          process.stderr.write(`already stopping: each process finishes its work first (at most 15 s, then it is killed)\n`);
          return;
        }
        stopping = true;
        process.stderr.write(`stopping the fleet (${why})...\n`);
        await fleet.stop();
        process.stderr.write('fleet stopped\n');
        process.exit(code);
      };
      process.on('SIGINT', () => void stop('SIGINT', 0));
      process.on('SIGTERM', () => void stop('SIGTERM', 0));
      // A closed terminal: the children, in their own process groups, do not get its SIGHUP.
      process.on('SIGHUP', () => void stop('SIGHUP', 0));
      void fleet.allGaveUp.then(() => stop('every process crashed repeatedly; see the messages above', 1));
    });
}

function usage(message: string): void {
  process.stderr.write(`memfleet up: ${message}\n`);
  process.exit(1);
}
