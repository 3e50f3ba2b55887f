/**
 * Scenario 7, memory that grows: two lexical replicas of the ~199K-token
 * domain, written to through the HTTP API.
 * - Write to visible on every replica: PUT a note, then poll both replicas'
 *   memfleet_memory_version gauge until each has applied the write (the
 *   notification path, with no question asked).
 * - Write to cited: PUT a note, then ask about it at once; the answer must
 *   cite it (the query carries the version, so the replica catches up first).
 * - Query latency while writes run (a writer PUTting notes to 20 sources at
 *   WRITES_PER_SEC, an agent fleet taking notes busily) against the same
 *   closed loop of questions with no writes, in the same run, as a ratio.
 */
import { request } from 'node:http';
import type { BenchContext } from '../context.js';
import { waitForReplicas } from '../fleet.js';
import { askFleet, JsonClient } from '../http-client.js';
import { closedLoop, type ClosedLoopResult } from '../load.js';
import { DEMO_QUESTIONS } from '../questions.js';
import { startShard, type BenchProcess, type Coordinator } from '../services.js';
import { summarize, type Summary } from '../stats.js';

/** The writer's pace during the "with writes" loop. */
const WRITES_PER_SEC = 20;

export interface WritesResult {
  domain: string;
  replicas: number;
  /** PUT round trip, ms. */
  put: Summary;
  /** PUT sent → every replica has applied it (version gauge), ms. */
  visibleEverywhere: Summary;
  /** PUT sent → an answer citing the note, ms. */
  cited: Summary;
  /** Writes PUT during the "with writes" loop, per second. */
  writesPerSec: number;
  withoutWrites: ClosedLoopResult;
  withWrites: ClosedLoopResult;
}

interface PutReply {
  version?: number;
  error?: { code: string; message: string };
}

function put(url: URL, path: string, text: string): Promise<PutReply> {
  return new Promise((resolve, reject) => {
    const body = Buffer.from(text);
    const req = request(
      { host: url.hostname, port: url.port, method: 'PUT', path, headers: { 'content-type': 'text/markdown', 'content-length': body.length } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const reply = JSON.parse(Buffer.concat(chunks).toString('utf8')) as PutReply;
          if ((res.statusCode ?? 0) >= 300) reject(new Error(`PUT ${path}: HTTP ${res.statusCode} ${reply.error?.message ?? ''}`));
          else resolve(reply);
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function versionOf(metricsPort: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  const m = /^memfleet_memory_version\{[^}]*\} (\d+)/m.exec(text);
  return m ? Number(m[1]) : -1;
}

export async function runWrites(ctx: BenchContext, coordinator: Coordinator, contexts: string, domain: string): Promise<WritesResult> {
  const { settings, say } = ctx;
  const samples = settings.quick ? 10 : 40;
  const loopMs = settings.quick ? 1_500 : 5_000;
  // Room for the notes above the folder's ~199K tokens.
  const env = { ...ctx.fleetEnv, MAX_DOMAIN_TOKENS: '220000' };
  const replicas: { proc: BenchProcess; metricsPort: number }[] = [];
  const base = new URL(coordinator.url);
  const client = new JsonClient(coordinator.url, settings.concurrency * 2);
  const notePath = (i: number) => `/v1/shards/${domain}/sources/notes/bench-${i}.md`;
  try {
    for (let n = 1; n <= 2; n++) {
      say(`writes: starting replica ${n} of ${domain}`);
      const proc = await startShard({ domain, contexts, engine: 'lexical' }, env, ctx.nodeFlags);
      replicas.push({ proc, metricsPort: proc.metricsPort });
    }
    await waitForReplicas(coordinator.url, { [domain]: 2 });
    for (let i = 0; i < DEMO_QUESTIONS.length; i++) await askFleet(client, { question: DEMO_QUESTIONS[i] as string, shards: [domain] });

    say(`writes: ${samples} writes to visible on both replicas, ${samples} writes to cited`);
    const putMs: number[] = [];
    const visibleMs: number[] = [];
    const citedMs: number[] = [];
    for (let i = 0; i < samples * 2; i++) {
      const word = `quorvex${i}`;
      const t0 = performance.now();
      const reply = await put(base, notePath(i % 20), `The ${word} ledger was sealed at berth ${i} by the night clerk.\n`);
      putMs.push(performance.now() - t0);
      const version = reply.version ?? 0;
      if (i % 2 === 0) {
        for (;;) {
          const versions = await Promise.all(replicas.map((r) => versionOf(r.metricsPort)));
          if (versions.every((v) => v >= version)) break;
          await new Promise((r) => setTimeout(r, 5));
        }
        visibleMs.push(performance.now() - t0);
      } else {
        const { json } = await client.post('/v1/query', { question: `Where was the ${word} ledger sealed?`, shards: [domain], topK: 3 });
        const cited = ((json as { citations?: { source: string; text: string }[] }).citations ?? []).some((c) => c.text.includes(word));
        if (!cited) throw new Error(`write ${i}: the answer right after the PUT did not cite the note`);
        citedMs.push(performance.now() - t0);
      }
    }

    const ask = (i: number) => askFleet(client, { question: DEMO_QUESTIONS[i % DEMO_QUESTIONS.length] as string, shards: [domain], topK: 5 });
    say('writes: closed-loop questions without writes, then with a writer running');
    const withoutWrites = await closedLoop(ask, settings.concurrency, loopMs, settings.concurrentWarmupMs);
    let writing = true;
    let written = 0;
    const writer = (async () => {
      const start = performance.now();
      for (let i = 0; writing; i++) {
        const due = start + (i * 1000) / WRITES_PER_SEC;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        if (!writing) break;
        await put(base, notePath(i % 20), `Entry ${i}: the harbour pilot logged ${i % 7} tugs and ${i % 11} barges at dawn.\n`);
        written++;
      }
    })();
    const t0 = performance.now();
    const withWrites = await closedLoop(ask, settings.concurrency, loopMs, settings.concurrentWarmupMs);
    const seconds = (performance.now() - t0) / 1000;
    writing = false;
    await writer;
    return {
      domain,
      replicas: 2,
      put: summarize(putMs),
      visibleEverywhere: summarize(visibleMs),
      cited: summarize(citedMs),
      writesPerSec: written / seconds,
      withoutWrites,
      withWrites,
    };
  } finally {
    client.close();
    await Promise.all(replicas.map((r) => r.proc.stop()));
  }
}
