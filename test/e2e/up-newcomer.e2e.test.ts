/**
 * `memfleet up` as a newcomer meets it (issue 15, item 7), with real processes:
 * - the start banner's commands work as printed, off the default port and with a token;
 * - contexts entries and files it cannot use are named, with the reason;
 * - Ctrl-C in a terminal (SIGINT to the whole process group) gives each child one graceful stop;
 * - after `kill -9` of `up` its children exit, and the next `up` on the port starts;
 * - a port in use is named, with the fix, before anything starts.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { startRedis, type RedisHandle } from '../helpers/redis-server.js';
import { FIXTURE_CONTEXTS, freePort, postQuery, REPO_ROOT } from '../helpers/fleet-processes.js';
import { alive, spawnUp, startUp, type UpProcess } from '../helpers/up-process.js';

const run = promisify(execFile);
const TOKEN = 'newcomer-token-0123456789abcdef';
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52]);
const LATIN1_MENU = Buffer.concat([Buffer.from('Le caf'), Buffer.from([0xe9]), Buffer.from(' cr'), Buffer.from([0xe8]), Buffer.from('me du port est servi le dimanche.\n')]);

async function waitUntil(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return Date.now() - started;
}

describe('memfleet up, as a newcomer meets it', () => {
  let redis: RedisHandle;
  let contexts: string;
  const ups: UpProcess[] = [];

  before(async () => {
    redis = await startRedis();
    contexts = await mkdtemp(path.join(os.tmpdir(), 'memfleet-newcomer-'));
    await cp(path.join(FIXTURE_CONTEXTS, 'harbor'), path.join(contexts, 'harbor'), { recursive: true });
    await writeFile(path.join(contexts, 'harbor', 'photo.txt'), PNG);
    await writeFile(path.join(contexts, 'harbor', 'menu.txt'), LATIN1_MENU);
    for (const dir of ['My Notes', 'Recipes']) {
      await mkdir(path.join(contexts, dir));
      await writeFile(path.join(contexts, dir, 'a.md'), 'a note\n');
    }
  });

  after(async () => {
    for (const up of ups) await up.cleanup();
    await redis?.stop();
    await rm(contexts, { recursive: true, force: true });
  });

  describe('one up in its own process group, on a chosen port, with a token', () => {
    let up: UpProcess;
    before(async () => {
      up = await startUp(contexts, {
        args: ['--replicas', '2'],
        env: { REDIS_URL: redis.url, MEMFLEET_PREFIX: redis.prefix, MEMFLEET_API_TOKEN: TOKEN, LOG_LEVEL: 'info' },
        ownGroup: true,
      });
      ups.push(up);
    });

    test('When up starts on --port with a token, then the printed ask, status and curl commands work as printed and the token is not printed', async () => {
      const out = up.stdout();
      assert.ok(!out.includes(TOKEN) && !up.stderr().includes(TOKEN), 'the token itself is never printed');
      const hint = (label: string) => out.split('\n').find((l) => l.trimStart().startsWith(`${label}:`))?.replace(/^\s*\w+:\s*/, '') ?? '';
      assert.match(hint('ask'), new RegExp(`--url ${up.url} --token "\\$MEMFLEET_API_TOKEN"$`));
      assert.match(hint('status'), new RegExp(`--url ${up.url} --token "\\$MEMFLEET_API_TOKEN"$`));
      assert.match(hint('curl'), /-H "authorization: Bearer \$MEMFLEET_API_TOKEN"/);

      // Run them as a user pasting them would: in a shell, from the checkout, with the token in the environment.
      const shell = (cmd: string) => run('sh', ['-c', cmd], { cwd: REPO_ROOT, env: { PATH: process.env.PATH, MEMFLEET_API_TOKEN: TOKEN } });
      const ask = await shell(hint('ask').replace('"your question"', '"Which tugboat left the east quay at dawn?"'));
      assert.match(ask.stdout, /harbor\/ships\.txt:\d+/);
      const status = await shell(hint('status'));
      assert.match(status.stdout, /^harbor\s+up\s+2\b/m);
      const curl = await shell(hint('curl').replace('"..."', '"Which tugboat left the east quay at dawn?"'));
      assert.match(curl.stdout, /"source":"ships\.txt"/);
    });

    test('When folders break the naming rules and files are binary or Latin-1, then up says what it skipped or read and why, once per domain', async () => {
      const err = up.stderr();
      assert.match(err, new RegExp(`skipped ${path.join(contexts, 'My Notes').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: folder name is not a valid domain name .*rename it to "my-notes"`));
      assert.match(err, /skipped .*Recipes: folder name is not a valid domain name .*rename it to "recipes"/);
      const skippedLines = err.split('\n').filter((l) => /\[harbor#\d\] warn: source skipped \(source=photo\.txt, reason=binary: it holds NUL bytes/.test(l));
      assert.equal(skippedLines.length, 1, `the binary file is reported once, not once per replica:\n${err}`);
      const latin1Lines = err.split('\n').filter((l) => /\[harbor#\d\] warn: source read as Latin-1 \(source=menu\.txt, warning=not UTF-8: read as Latin-1/.test(l));
      assert.equal(latin1Lines.length, 1, err);

      const { status, json } = await postQuery(up.url, { question: 'café crème dimanche', shards: ['harbor'] }, TOKEN);
      assert.equal(status, 200);
      const citations = json.citations as { source: string; text: string }[];
      assert.ok(citations.every((c) => c.source !== 'photo.txt'), 'the binary file is never cited');
      const menu = citations.find((c) => c.source === 'menu.txt');
      assert.equal(menu?.text, 'Le café crème du port est servi le dimanche.');
    });

    test('When Ctrl-C signals the whole process group, then every child stops gracefully exactly once and up exits 0', async () => {
      const children = up.children();
      assert.equal(children.length, 3, `coordinator and two harbor replicas: ${JSON.stringify(children)}`);
      assert.ok(children.every((c) => c.pgid !== up.proc.pid), 'children run outside the terminal\'s process group');
      process.kill(-(up.proc.pid as number), 'SIGINT');
      const { code } = await up.exited;
      const err = up.stderr();
      assert.equal(code, 0, err.slice(-2000));
      assert.doesNotMatch(err, /second (SIGTERM|SIGINT)/);
      for (const name of ['harbor#1', 'harbor#2']) {
        assert.equal(err.split('\n').filter((l) => l === `[${name}] info: shard stopped`).length, 1, `${name} stopped gracefully once:\n${err.slice(-3000)}`);
      }
      assert.equal(err.split('\n').filter((l) => l === '[coordinator] info: coordinator stopped').length, 1, err.slice(-3000));
      assert.ok(children.every((c) => !alive(c.pid)));
      const client = new Redis(redis.url);
      try {
        assert.equal(await client.zcard(`${redis.prefix}:fleet:heartbeats`), 0, 'every replica withdrew its heartbeat');
      } finally {
        client.disconnect();
      }
    });
  });

  test('When up is killed with kill -9, then its children exit by themselves and the next up on that port starts', async (t) => {
    const env = { REDIS_URL: redis.url, MEMFLEET_PREFIX: `${redis.prefix}-orphans` };
    const first = await startUp(FIXTURE_CONTEXTS, { env });
    ups.push(first);
    const children = first.children();
    assert.equal(children.length, 4, JSON.stringify(children));
    first.proc.kill('SIGKILL');
    await first.exited;
    const ms = await waitUntil('the children of the killed up to exit', () => children.every((c) => !alive(c.pid)), 30_000);
    t.diagnostic(`children gone ${ms} ms after kill -9 of up`);

    const second = await startUp(FIXTURE_CONTEXTS, { env, port: first.port });
    ups.push(second);
    const { status } = await postQuery(second.url, { question: 'Who is the captain of the schooner Albatross?' });
    assert.equal(status, 200);
    assert.doesNotMatch(second.stderr(), /EADDRINUSE/);
    await second.cleanup();
    assert.equal((await second.exited).code, 0);
  });

  test('When the port is taken, then up names it and the --port fix, and starts nothing', async () => {
    const port = await freePort();
    const holder: Server = createServer();
    await new Promise<void>((resolve) => holder.listen(port, '127.0.0.1', resolve));
    try {
      const up = await spawnUp(FIXTURE_CONTEXTS, { port, env: { REDIS_URL: redis.url, MEMFLEET_PREFIX: `${redis.prefix}-port` } });
      ups.push(up);
      const { code } = await up.exited;
      assert.equal(code, 1);
      assert.equal(up.stdout(), '', 'nothing announced');
      assert.match(up.stderr(), new RegExp(`memfleet up: Port ${port} on 127\\.0\\.0\\.1 is already in use: stop what holds it \\(lsof -i :${port} shows it\\), or start on another port with --port ${port + 1}\\.`));
      assert.equal(up.seen.size, 0);
    } finally {
      holder.close();
    }
  });
  test('When REDIS_CLUSTER_NODES names nodes where no cluster answers, then up says so, names the variables, and starts nothing', async () => {
    const port = await freePort();
    const dead = await freePort();
    const up = await spawnUp(FIXTURE_CONTEXTS, { env: { REDIS_CLUSTER_NODES: `127.0.0.1:${dead}`, MEMFLEET_PREFIX: `${redis.prefix}-nocluster` }, port });
    ups.push(up);
    const { code } = await up.exited;
    assert.equal(code, 1);
    assert.match(up.stderr(), /memfleet up: No Redis Cluster in state ok answers at redis\+cluster:\/\/127\.0\.0\.1:\d+ \(REDIS_CLUSTER_NODES or REDIS_URL\)/);
    assert.doesNotMatch(up.stderr(), /private redis-server/);
    assert.equal(up.seen.size, 0);
  });
});
