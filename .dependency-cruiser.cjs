/**
 * The import rules of docs/architecture.md ("Import rules"), checked by
 * dependency-cruiser in `npm test` (test/unit/import-rules.test.ts) and by
 * `npm run lint:imports`. Each rule's comment is the one-line reason printed
 * when an import breaks it.
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'shared-imports-no-service',
      severity: 'error',
      comment: 'shared/ is the contract every service and client builds on: it must not depend on any of them (move the code into shared/ instead).',
      from: { path: '^shared/' },
      to: { path: '^services/' },
    },
    {
      name: 'coordinator-not-shard',
      severity: 'error',
      comment: 'The coordinator and the shards meet only through Redis and the wire formats in shared/: move what both need into shared/.',
      from: { path: '^services/coordinator/' },
      to: { path: '^services/shard/' },
    },
    {
      name: 'shard-not-coordinator',
      severity: 'error',
      comment: 'The shards and the coordinator meet only through Redis and the wire formats in shared/: move what both need into shared/.',
      from: { path: '^services/shard/' },
      to: { path: '^services/coordinator/' },
    },
    {
      name: 'services-not-clients',
      severity: 'error',
      comment: 'The services never depend on their clients (CLI, MCP): the clients depend on the API in shared/api.',
      from: { path: '^services/(coordinator|shard)/' },
      to: { path: '^services/(cli|mcp)/' },
    },
    {
      name: 'clients-only-shared',
      severity: 'error',
      comment: 'Clients (CLI, MCP, console) speak to the coordinator over HTTP through shared/api, never through coordinator or shard internals.',
      from: { path: '^services/(cli|mcp|coordinator/console)/', pathNot: '^services/cli/(commands/service-commands|up/fleet)\\.ts$' },
      to: { path: '^services/(coordinator|shard)/', pathNot: '^services/coordinator/console/' },
    },
    {
      name: 'cli-starts-services-only',
      severity: 'error',
      comment: '`memfleet coordinator|shard` may import a service only to parse its config and start it (config.ts, start.ts), nothing else.',
      from: { path: '^services/cli/commands/service-commands\\.ts$' },
      to: { path: '^services/(coordinator|shard)/', pathNot: '^services/(coordinator|shard)/(config|start)\\.ts$' },
    },
    {
      name: 'up-starts-services-only',
      severity: 'error',
      comment: '`memfleet up` starts the services as processes; it may take only the shard\'s node flags (heap-limit.ts) from them.',
      from: { path: '^services/cli/up/fleet\\.ts$' },
      to: { path: '^services/(coordinator|shard)/', pathNot: '^services/shard/heap-limit\\.ts$' },
    },
    {
      name: 'engines-no-redis',
      severity: 'error',
      comment: 'Engines answer from the loaded domain only: Redis belongs to the shard worker (services/shard/worker), so an engine stays testable without it.',
      from: { path: '^services/shard/engines/' },
      to: { path: ['(^|/)node_modules/(ioredis|bullmq)/', '^shared/(redis|queues/result-channel)', '^services/shard/worker/'] },
    },
    {
      name: 'engines-no-http',
      severity: 'error',
      comment: 'Engines do not serve HTTP: routes live in services/*/http, so an engine runs the same under a worker, a benchmark or a test.',
      from: { path: '^services/shard/engines/' },
      to: { path: ['(^|/)node_modules/(fastify|@fastify|@bull-board)/', '^(node:)?(http|https|http2)$', '^services/shard/http/'] },
    },
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import cycle means two modules cannot be understood or tested apart: move the shared part (types, constants) into its own module.',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports count: a cycle through types is still a cycle to a reader.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '(^|/)dist/' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
