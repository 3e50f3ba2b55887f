/**
 * The coordinator's HTTP API as one contract (docs/api.md): request and
 * response schemas, one file per resource, the citation format, the error
 * messages, and a typed client. The coordinator, the CLI, the MCP server and
 * the tests all use it; it imports nothing from services/.
 */
export * from './citation.js';
export * from './client.js';
export * from './errors.js';
export * from './health.js';
export * from './query.js';
export * from './routes.js';
export * from './shards.js';
export * from './sources.js';
export * from './supervisor.js';
