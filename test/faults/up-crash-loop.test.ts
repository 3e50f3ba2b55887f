/**
 * `memfleet up` gives up on a process only after repeated crashes in a short
 * window, says which and why, and never stops the healthy ones (issue 15,
 * item 5). A replica whose domain folder disappeared after start-up crashes
 * on every restart; the other domain keeps answering throughout.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { startRedis, type RedisHandle } from '../helpers/redis-server.js';
import { CLI, FIXTURE_CONTEXTS, postQuery } from '../helpers/fleet-processes.js';
import { sleep } from '../helpers/fault-kit.js';
import { alive, startUp, type UpProcess } from '../helpers/up-process.js';

describe('memfleet up: a process that keeps crashing', () => {
  let redis: RedisHandle;
  let contexts: string;
  let up: UpProcess | undefined;

  before(async () => {
    redis = await startRedis();
    contexts = await mkdtemp(path.join(os.tmpdir(), 'memfleet-crashloop-'));
    for (const domain of ['harbor', 'kitchen']) await cp(path.join(FIXTURE_CONTEXTS, domain), path.join(contexts, domain), { recursive: true });
    up = await startUp(contexts, { env: { REDIS_URL: redis.url, MEMFLEET_PREFIX: redis.prefix, HEARTBEAT_INTERVAL_MS: '500', HEARTBEAT_TTL_MS: '3000' } });
  });

  after(async () => {
    await up?.cleanup();
    await redis?.stop();
    await rm(contexts, { recursive: true, force: true });
  });

  test('When a replica crashes on every restart, then up gives up on it after 5 exits, names it and the cause, and the rest keeps serving', async (t) => {
    const fleet = up!;
    const kitchen = fleet.children().find((c) => c.args === 'memfleet shard kitchen#1');
    const others = fleet.children().filter((c) => c.pid !== kitchen?.pid);
    assert.ok(kitchen, 'ps shows the kitchen replica by its title');
    await rm(path.join(contexts, 'kitchen'), { recursive: true });
    process.kill(kitchen.pid, 'SIGKILL');
    const killedAt = Date.now();

    // While up retries, harbor answers every question.
    let asked = 0;
    let harborOk = 0;
    while (!fleet.stderr().includes('giving up on kitchen#1') && Date.now() - killedAt < 90_000) {
      const { status, json } = await postQuery(fleet.url, { question: 'Who is the captain of the schooner Albatross?', shards: ['harbor'] });
      asked++;
      if (status === 200 && (json.shards as { status: string }[])[0]?.status === 'ok') harborOk++;
      await sleep(200);
    }
    const err = fleet.stderr();
    assert.match(
      err,
      /\[up\] giving up on kitchen#1: it exited with code 1, its 5th exit within 60 s\. The other processes keep running; fix the cause and restart memfleet up\./,
      err.slice(-3000),
    );
    assert.match(err, /\[up\] last output of kitchen#1:\n(.*\n)*.*Domain "kitchen" has no folder at/, 'the cause is shown');
    assert.equal((err.match(/\[up\] kitchen#1 \(pid \d+\) (was killed by SIGKILL|exited with code 1); restarting it in/g) ?? []).length, 4, 'restarted four times before giving up');
    assert.equal(harborOk, asked, `harbor answered all ${asked} questions while kitchen crashed`);

    assert.equal(fleet.proc.exitCode, null, 'up keeps running');
    assert.ok(others.every((c) => alive(c.pid)), 'the healthy processes were never stopped');
    const { status } = await postQuery(fleet.url, { question: 'Who is the captain of the schooner Albatross?' });
    assert.equal(status, 200);

    const { stdout } = await promisify(execFile)(process.execPath, [CLI, 'status', '--url', fleet.url], { env: { PATH: process.env.PATH } });
    assert.match(stdout, /^kitchen#1\s+-\s+gave-up\s+4\s+gave up: exited with code 1, its 5th exit within 60 s/m, stdout);
    assert.match(stdout, /^harbor#1\s+\d+\s+running\s+0\s+-/m, stdout);
    t.diagnostic(`gave up ${Date.now() - killedAt} ms after the first crash; harbor answered ${harborOk}/${asked} meanwhile`);
  });
});
