#!/usr/bin/env node
/** memfleet: one CLI for the services (coordinator, shard), the local fleet (up) and clients (ask, status, mcp). */
import { Command } from 'commander';
import { registerClientCommands } from './commands/client-commands.js';
import { registerMcpCommand } from './commands/mcp-command.js';
import { registerMemoryCommands } from './commands/memory-commands.js';
import { registerServiceCommands } from './commands/service-commands.js';
import { registerUpCommand } from './commands/up-command.js';

const program = new Command()
  .name('memfleet')
  .description('Distributed memory for AI agents: a coordinator fans a question out to domain shards and merges their cited answers.')
  .version('0.1.0')
  .showHelpAfterError();

registerServiceCommands(program);
registerUpCommand(program);
registerClientCommands(program);
registerMemoryCommands(program);
registerMcpCommand(program);

await program.parseAsync(process.argv);
