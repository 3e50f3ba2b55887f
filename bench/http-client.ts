/**
 * A lean JSON-over-HTTP client for the coordinator: node:http with keep-alive
 * sockets (what a production client holds), so the benchmark measures the
 * coordinator rather than connection set-up or fetch()'s extra layers.
 */
import { Agent, request } from 'node:http';

export class JsonClient {
  private readonly agent: Agent;
  private readonly url: URL;

  constructor(baseUrl: string, maxSockets = 64) {
    this.url = new URL(baseUrl);
    this.agent = new Agent({ keepAlive: true, maxSockets });
  }

  post(path: string, body: unknown): Promise<{ status: number; json: unknown }> {
    const payload = Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const req = request(
        {
          agent: this.agent,
          host: this.url.hostname,
          port: this.url.port,
          method: 'POST',
          path,
          headers: { 'content-type': 'application/json', 'content-length': payload.length },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            try {
              resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) as unknown });
            } catch {
              reject(new Error(`POST ${path}: HTTP ${res.statusCode}, body is not JSON: ${text.slice(0, 200)}`));
            }
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

interface QueryReply {
  shards?: { shard: string; status: string; error?: string }[];
  error?: { code: string; message: string };
}

/**
 * POST /v1/query and check every shard answered: a benchmark that counted
 * timeouts or errors as fast answers would flatter the fleet.
 */
export async function askFleet(client: JsonClient, body: { question: string; shards: string[]; topK?: number; timeoutMs?: number }): Promise<void> {
  const { status, json } = await client.post('/v1/query', body);
  const reply = json as QueryReply;
  if (status !== 200) throw new Error(`HTTP ${status}: ${reply.error?.code ?? ''} ${reply.error?.message ?? ''}`);
  const bad = (reply.shards ?? []).filter((s) => s.status !== 'ok');
  if (bad.length > 0 || (reply.shards ?? []).length !== body.shards.length) {
    throw new Error(`shards not ok: ${bad.map((s) => `${s.shard} ${s.status} ${s.error ?? ''}`).join('; ') || 'missing shards'}`);
  }
}
