/** `memfleet up`: start a local fleet and keep it running until Ctrl-C. */
import type { Command } from 'commander';
import { startFleet } from '../up/fleet.js';

export function registerUpCommand(program: Command): void {
  program
    .command('up')
    .description('Start a local fleet as separate processes: one coordinator and one shard per domain folder (× replicas).')
    .requiredOption('-c, --contexts <dir>', 'folder holding one sub-folder per domain')
    .option('-p, --port <port>', 'coordinator HTTP port', process.env.PORT ?? '8080')
    .option('--host <host>', 'coordinator bind address', process.env.HOST ?? '127.0.0.1')
    .option('-r, --replicas <n>', 'shard processes per domain', '1')
    .option('-e, --engine <engine>', 'shard engine: lexical | anthropic | noop (env ENGINE)')
    .addHelpText(
      'after',
      '\nUses REDIS_URL (default redis://127.0.0.1:6379); when nothing answers there and redis-server is\ninstalled, starts a private one on a free port, keeping its data in <contexts>/.memfleet/redis.\nWithout MEMFLEET_HMAC_KEYS it generates keys once and keeps them in <contexts>/.memfleet/keys.env\n(mode 0600), so notes written to the fleet (memfleet remember) survive restarts.\nChild logs at LOG_LEVEL (default warn) are prefixed with the process name. Stop with Ctrl-C.',
    )
    .action(async (opts: { contexts: string; port: string; host: string; replicas: string; engine?: string }) => {
      const port = Number(opts.port);
      const replicas = Number(opts.replicas);
      if (!Number.isInteger(port) || port < 1 || port > 65535) return usage(`--port must be a port number, got "${opts.port}"`);
      if (!Number.isInteger(replicas) || replicas < 1 || replicas > 32) return usage(`--replicas must be an integer from 1 to 32, got "${opts.replicas}"`);
      const say = (line: string) => process.stderr.write(`${line}\n`);
      let fleet;
      try {
        fleet = await startFleet({ contexts: opts.contexts, port, host: opts.host, replicas, redisUrl: process.env.REDIS_URL, engine: opts.engine, say });
      } catch (err) {
        process.stderr.write(`memfleet up: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exit(1);
      }
      process.stdout.write(
        [
          `memfleet is up at ${fleet.url}`,
          `  shards: ${fleet.domains.map((d) => `${d}×${replicas}`).join(', ')}`,
          `  ask:    node dist/services/cli/main.js ask "your question"   (or: curl -s ${fleet.url}/v1/query -H 'content-type: application/json' -d '{"question":"..."}')`,
          `  status: node dist/services/cli/main.js status    metrics: ${fleet.url}/metrics`,
          'Press Ctrl-C to stop.',
          '',
        ].join('\n'),
      );
      let stopping = false;
      const stop = async (why: string) => {
        if (stopping) return;
        stopping = true;
        process.stderr.write(`stopping the fleet (${why})...\n`);
        await fleet.stop();
        process.stderr.write('fleet stopped\n');
        process.exit(why.startsWith('child') ? 1 : 0);
      };
      process.on('SIGINT', () => void stop('SIGINT'));
      process.on('SIGTERM', () => void stop('SIGTERM'));
      void fleet.exited.then((e) => stop(`child ${e.name} exited with code ${e.code}`));
    });
}

function usage(message: string): void {
  process.stderr.write(`memfleet up: ${message}\n`);
  process.exit(1);
}
