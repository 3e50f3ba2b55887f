/**
 * The README promises what the demo cites for its example questions. This
 * test asks the real demo fleet those questions, so the README stays true.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startRedis, type RedisHandle } from '../helpers/redis-server.js';
import { citeOf, readmeExamples } from '../helpers/readme-examples.js';
import { REPO_ROOT, newKeys, postQuery, startCoordinatorProcess, startShardProcess, waitForShards, type CoordinatorProcess, type ServiceProcess } from '../helpers/fleet-processes.js';

const DEMO = join(REPO_ROOT, 'demo', 'contexts');

describe('README examples on the demo fleet', () => {
  let redis: RedisHandle;
  let coordinator: CoordinatorProcess;
  const shards: ServiceProcess[] = [];
  const domains = ['moby-dick-1', 'moby-dick-2', 'sotu-early', 'sotu-civil-war', 'sotu-modern'];

  before(async () => {
    const prep = spawnSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'scripts', 'prepare-demo.ts')], { cwd: REPO_ROOT, encoding: 'utf8' });
    assert.equal(prep.status, 0, `demo:prepare failed: ${prep.stderr}`);
    redis = await startRedis();
    const env = { REDIS_URL: redis.url, MEMFLEET_PREFIX: redis.prefix, ...newKeys() };
    coordinator = await startCoordinatorProcess(env);
    for (const d of domains) shards.push(await startShardProcess(d, env, DEMO));
    // Five demo domains (~860K tokens) index at once: on a loaded 2-core CI machine that took over 30 s.
    await waitForShards(coordinator.url, Object.fromEntries(domains.map((d) => [d, 1])), undefined, 120_000);
  });

  after(async () => {
    await Promise.all(shards.map((s) => s.stop()));
    await coordinator?.stop();
    await redis?.stop();
  });

  test('When the README example questions are asked, then the demo cites first exactly what the README says', async () => {
    const examples = readmeExamples();
    assert.equal(examples.length, 3, 'the README shows three example questions');
    for (const { question, cite } of examples) {
      const { status, json } = await postQuery(coordinator.url, { question, topK: 3 });
      assert.equal(status, 200);
      const top = (json.citations as { shard: string; source: string; line: number; endLine: number }[])[0];
      assert.ok(top, `no citation for "${question}"`);
      assert.equal(citeOf(top), cite, `README says "${question}" cites ${cite}`);
    }
  });
});
