/**
 * `memfleet up`: the whole local fleet as separate OS processes, started and
 * stopped by one command.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { deleteKeysWithPrefix, startRedis, type RedisHandle } from '../helpers/redis-server.js';
import { CLI, FIXTURE_CONTEXTS, freePort, postQuery, waitFor } from '../helpers/fleet-processes.js';

function redisServerOnPath(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

describe('memfleet up', () => {
  let redis: RedisHandle;
  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    await redis?.stop();
  });

  test('When up starts two replicas per domain, then it prints the URL, answers, and SIGTERM stops every process cleanly', async () => {
    const port = await freePort();
    const proc = spawn(process.execPath, [CLI, 'up', '--contexts', FIXTURE_CONTEXTS, '--port', String(port), '--replicas', '2'], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, REDIS_URL: redis.url, MEMFLEET_PREFIX: redis.prefix },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
    try {
      await waitFor('"memfleet is up"', async () => stdout.includes('memfleet is up'), 60_000);
      assert.match(stdout, new RegExp(`http://127\\.0\\.0\\.1:${port}`));
      assert.match(stdout, /harbor×2/);
      const url = `http://127.0.0.1:${port}`;
      const rows = (await (await fetch(`${url}/v1/shards`)).json()) as { shard: string; replicas: number }[];
      assert.deepEqual(rows.map((r) => [r.shard, r.replicas]), [['harbor', 2], ['kitchen', 2], ['observatory', 2]]);
      const { status, json } = await postQuery(url, { question: 'When was the Albatross repainted blue and gold?' });
      assert.equal(status, 200);
      assert.equal((json.citations as { shard: string; source: string }[])[0]?.source, 'ships.txt');

      proc.kill('SIGTERM');
      assert.equal(await exited, 0, `up should exit 0 after SIGTERM; stderr:\n${stderr}`);
      assert.match(stderr, /fleet stopped/);
      await assert.rejects(fetch(`${url}/healthz`), 'the coordinator is gone');
      // Graceful shard shutdown withdraws every heartbeat at once.
      const client = new Redis(redis.url);
      try {
        assert.equal(await client.zcard(`${redis.prefix}:fleet:heartbeats`), 0);
      } finally {
        client.disconnect();
      }
    } finally {
      if (proc.exitCode === null) proc.kill('SIGKILL');
    }
  });

  test('When a note is remembered and up is restarted, then the note is still cited (keys and private Redis data kept in <contexts>/.memfleet)', { skip: redisServerOnPath() ? false : 'redis-server is not installed' }, async () => {
    const contexts = mkdtempSync(join(tmpdir(), 'memfleet-up-'));
    cpSync(join(FIXTURE_CONTEXTS, 'harbor'), join(contexts, 'harbor'), { recursive: true });
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    // No REDIS_URL and no keys: up uses 127.0.0.1:6379 when it answers, else starts its private redis-server
    // (append-only, data in <contexts>/.memfleet/redis); either way it generates keys once and keeps them.
    const prefix = `mft-up-${process.pid}-${port}`;
    const start = () => {
      const proc = spawn(process.execPath, [CLI, 'up', '--contexts', contexts, '--port', String(port)], {
        env: { PATH: process.env.PATH, HOME: process.env.HOME, MEMFLEET_PREFIX: prefix },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
      return { proc, exited, out: () => stdout, err: () => stderr };
    };
    let run = start();
    try {
      await waitFor('"memfleet is up"', async () => run.out().includes('memfleet is up'), 60_000);
      const put = await fetch(`${url}/v1/shards/harbor/sources/notes/handover.md`, { method: 'PUT', headers: { 'content-type': 'text/markdown' }, body: 'The harbour cat is called Admiral Whiskers.\n' });
      assert.equal(put.status, 201);
      run.proc.kill('SIGTERM');
      assert.equal(await run.exited, 0, run.err());
      assert.ok(statSync(join(contexts, '.memfleet', 'keys.env')).mode % 0o1000 === 0o600, 'keys.env is private');

      run = start();
      await waitFor('"memfleet is up" again', async () => run.out().includes('memfleet is up'), 60_000);
      const { json } = await postQuery(url, { question: 'What is the harbour cat called?' });
      assert.ok((json.citations as { source: string }[]).some((c) => c.source === 'notes/handover.md'), JSON.stringify(json.citations));
      run.proc.kill('SIGTERM');
      assert.equal(await run.exited, 0, run.err());
    } finally {
      if (run.proc.exitCode === null) run.proc.kill('SIGKILL');
      if (!run.err().includes('started a private redis-server')) await deleteKeysWithPrefix('redis://127.0.0.1:6379', prefix);
      rmSync(contexts, { recursive: true, force: true });
    }
  });

  test('When the contexts folder does not exist, then up exits 1 and says how to lay it out', async () => {
    const proc = spawn(process.execPath, [CLI, 'up', '--contexts', '/nonexistent/memfleet-contexts'], {
      env: { PATH: process.env.PATH, REDIS_URL: redis.url, MEMFLEET_PREFIX: redis.prefix },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => proc.once('exit', (c) => resolve(c)));
    assert.equal(code, 1);
    assert.match(stderr, /does not exist: create it with one sub-folder per domain/);
  });
});
