/** The shard's small HTTP side: /metrics for Prometheus, /healthz and /readyz for orchestrators. */
import Fastify, { type FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';

export interface ShardProbe {
  /** True while the worker is consuming and Redis answers. */
  ready(): Promise<{ ok: boolean; detail: string }>;
}

export async function startMetricsServer(registry: Registry, probe: ShardProbe, host: string, port: number): Promise<{ server: FastifyInstance; port: number }> {
  const server = Fastify({ logger: false });
  server.get('/metrics', async (_req, reply) => {
    reply.header('content-type', registry.contentType);
    return registry.metrics();
  });
  server.get('/healthz', async () => ({ status: 'ok' }));
  server.get('/readyz', async (_req, reply) => {
    const state = await probe.ready();
    reply.code(state.ok ? 200 : 503);
    return { status: state.ok ? 'ready' : 'not_ready', detail: state.detail };
  });
  await server.listen({ host, port });
  const address = server.server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  return { server, port: bound };
}
