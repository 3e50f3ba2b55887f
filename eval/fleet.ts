/**
 * A real fleet for the harness: a private redis-server and `memfleet up` from
 * dist/ (one coordinator and one shard process per domain), asked over HTTP.
 * Never touches a Redis it did not start.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { freePort } from '../services/cli/up/free-port.js';
import { redisServerInstalled, startPrivateRedis, type PrivateRedis } from '../services/cli/up/private-redis.js';
import type { ScoredObservation, System } from './in-process.js';

export interface EvalFleet {
  url: string;
  system(mode: 'broadcast' | 'routed'): System;
  stop(): Promise<void>;
}

interface QueryResponseBody {
  answer: string;
  confidence: 'high' | 'low' | 'none';
  citations: { shard: string; source: string; line: number; endLine: number; score: number }[];
  shards: { shard: string; status: string }[];
}

export async function startEvalFleet(repoRoot: string, contexts: string, env: NodeJS.ProcessEnv = {}): Promise<EvalFleet> {
  const cli = path.join(repoRoot, 'dist', 'services', 'cli', 'main.js');
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run "npm run build" first (npm run eval does).`);
  if (!redisServerInstalled()) throw new Error('redis-server is not installed: the harness starts a private one (sudo apt-get install redis-server).');

  const redis: PrivateRedis = await startPrivateRedis();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  let output = '';
  const stop = async (): Promise<void> => {
    if (child && child.exitCode === null && child.signalCode === null) {
      const gone = new Promise((r) => child?.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child?.kill('SIGKILL'), 20_000);
      await gone;
      clearTimeout(timer);
    }
    await redis.stop();
  };

  try {
    child = spawn(process.execPath, [cli, 'up', '--contexts', contexts, '--port', String(port)], {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        REDIS_URL: redis.url,
        MEMFLEET_PREFIX: `memfleet-eval-${randomBytes(4).toString('hex')}`,
        LOG_LEVEL: 'warn',
        // The question set runs back to back from one address: no rate limit (the default is 600 a minute).
        RATE_LIMIT_PER_MIN: '0',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    const until = Date.now() + 180_000;
    while (!output.includes('memfleet is up at')) {
      if (child.exitCode !== null) throw new Error(`memfleet up exited (code ${child.exitCode}):\n${output.slice(-3000)}`);
      if (Date.now() > until) throw new Error(`the fleet did not start within 180 s:\n${output.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } catch (err) {
    await stop();
    throw err;
  }

  return {
    url,
    stop,
    system: (mode) => ({
      name: `engine ${mode}`,
      close: async () => undefined,
      ask: async (question, topK): Promise<ScoredObservation> => {
        const started = performance.now();
        const res = await fetch(`${url}/v1/query`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ question, topK, mode }),
        });
        const latencyMs = performance.now() - started;
        const body = (await res.json()) as QueryResponseBody;
        if (!res.ok) throw new Error(`POST /v1/query answered ${res.status}: ${JSON.stringify(body).slice(0, 500)}`);
        const failed = body.shards.filter((s) => s.status !== 'ok');
        if (failed.length > 0) throw new Error(`shards did not answer "${question}": ${failed.map((s) => `${s.shard} ${s.status}`).join(', ')}`);
        return {
          id: '',
          answer: body.answer,
          confidence: body.confidence,
          citations: body.citations,
          shardsAsked: body.shards.map((s) => s.shard),
          latencyMs,
        };
      },
    }),
  };
}
