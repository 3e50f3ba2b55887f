/** `memfleet coordinator` and `memfleet shard`: the two services, one per container. */
import type { Command } from 'commander';
import { parseCoordinatorConfig } from '../../coordinator/config.js';
import { parseShardConfig } from '../../shard/config.js';
import { setProcessTitle } from '../lifeline.js';
import { runUntilSignal } from '../run-service.js';

/** Flags win over environment variables. */
function withFlags(flags: Record<string, string | number | undefined>): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const [name, value] of Object.entries(flags)) if (value !== undefined) env[name] = String(value);
  return env;
}

export function registerServiceCommands(program: Command): void {
  program
    .command('coordinator')
    .description('Run the coordinator: the HTTP API that fans questions out to shard queues and merges the answers.')
    .option('-p, --port <port>', 'HTTP port (env PORT, default 8080)')
    .option('--host <host>', 'address to bind (env HOST, default 127.0.0.1; 0.0.0.0 in containers)')
    .addHelpText('after', '\nConfiguration comes from environment variables; see README.md#configuration.\nRequired: the master keyrings MEMFLEET_HMAC_KEYS, MEMFLEET_SHARD_HMAC_KEYS (or their *_FILE variants; print fresh ones with: memfleet keys).')
    .action(async (opts: { port?: string; host?: string }) => {
      // Each service imports only its own code: a shard does not pay for the coordinator's HTTP stack at start-up, nor the reverse.
      setProcessTitle('coordinator', `:${opts.port ?? process.env.PORT ?? '8080'}`);
      const { startCoordinator } = await import('../../coordinator/start.js');
      await runUntilSignal('coordinator', async () => startCoordinator(parseCoordinatorConfig(withFlags({ PORT: opts.port, HOST: opts.host }))));
    });

  program
    .command('shard')
    .description('Run one shard replica: load a domain folder, answer its queue (shard.<domain>) with line citations.')
    .option('-d, --domain <name>', 'domain to serve, a sub-folder of --contexts (env SHARD_DOMAIN)')
    .option('-c, --contexts <dir>', 'folder holding one sub-folder per domain (env CONTEXTS_DIR)')
    .option('-e, --engine <engine>', 'lexical (offline) | anthropic (Claude) | noop (benchmarks) (env ENGINE, default lexical)')
    .option('--metrics-port <port>', 'port of /metrics, /healthz, /readyz; 0 picks a free one (env METRICS_PORT, default 9464)')
    .option('--max-tokens <n>', 'refuse to start when the domain is larger (env MAX_DOMAIN_TOKENS, default 200000)')
    .addHelpText(
      'after',
      '\nConfiguration comes from environment variables; see README.md#configuration.\nRequired: this domain\'s keys MEMFLEET_DOMAIN_QUERY_KEYS, MEMFLEET_DOMAIN_RESULT_KEYS (or their *_FILE variants),\nderived from the masters with: memfleet keys --derive --domains <domain> --shard-names. A shard refuses the master keyrings.',
    )
    .action(async (opts: { domain?: string; contexts?: string; engine?: string; metricsPort?: string; maxTokens?: string }) => {
      setProcessTitle('shard', opts.domain ?? process.env.SHARD_DOMAIN);
      const { startShard } = await import('../../shard/start.js');
      await runUntilSignal('shard', async () =>
        startShard(
          parseShardConfig(
            withFlags({
              SHARD_DOMAIN: opts.domain,
              CONTEXTS_DIR: opts.contexts,
              ENGINE: opts.engine,
              METRICS_PORT: opts.metricsPort,
              MAX_DOMAIN_TOKENS: opts.maxTokens,
            }),
          ),
        ),
      );
    });
}
