/**
 * `memfleet mcp`: the MCP server on stdin/stdout. stdout carries the protocol,
 * so anything human goes to stderr.
 */
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { CoordinatorClient, type ClientOptions } from '../../shared/api/client.js';
import { createMcpServer } from './server.js';

export async function runMcpStdio(opts: ClientOptions): Promise<void> {
  const api = new CoordinatorClient(opts);
  const server = createMcpServer(api);
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
  });
  await server.connect(transport);
  process.stderr.write(`memfleet mcp: serving over stdio for the coordinator at ${opts.url}${opts.token ? ' (with API token)' : ''}\n`);
  // The client closing stdin ends the session.
  process.stdin.once('end', () => void server.close());
  await closed;
}
