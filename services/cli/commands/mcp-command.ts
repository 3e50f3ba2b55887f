/** `memfleet mcp`: a Model Context Protocol server over stdio for agents (Claude Code, Claude Desktop, …). */
import type { Command } from 'commander';
import { runMcpStdio } from '../../mcp/stdio.js';

const MCP_HELP = `
Speaks MCP on stdin/stdout (stdout is the protocol: logs go to stderr) and answers through
a running coordinator. Tools: ask_memory, list_shards, read_source. Resources:
memfleet://<shard>/<source> (numbered lines, the first 500) and
memfleet://<shard>/<source>?from=N&to=M.

Add it to Claude Code:
  claude mcp add memfleet -e MEMFLEET_URL=http://127.0.0.1:8080 -- memfleet mcp

Claude Desktop and other clients (mcpServers in their JSON config):
  { "mcpServers": { "memfleet": { "command": "memfleet", "args": ["mcp"],
      "env": { "MEMFLEET_URL": "http://127.0.0.1:8080", "MEMFLEET_API_TOKEN": "..." } } } }

Exit codes: 0 when the client closes the session, 1 on error.`;

export function registerMcpCommand(program: Command): void {
  program
    .command('mcp')
    .description('Run an MCP server over stdio so agents can ask the fleet (tools ask_memory, list_shards; sources as resources).')
    .option('--url <url>', 'coordinator URL (env MEMFLEET_URL, default http://127.0.0.1:8080)')
    .option('--token <token>', 'API token (env MEMFLEET_API_TOKEN)')
    .addHelpText('after', MCP_HELP)
    .action(async (opts: { url?: string; token?: string }) => {
      try {
        await runMcpStdio({
          url: opts.url ?? process.env.MEMFLEET_URL ?? 'http://127.0.0.1:8080',
          token: opts.token ?? process.env.MEMFLEET_API_TOKEN,
        });
      } catch (err) {
        process.stderr.write(`memfleet mcp: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exit(1);
      }
    });
}
