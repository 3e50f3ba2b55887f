import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jobFieldsByShard } from '../../shared/fleet/heartbeat-store.js';

const info = (shard: string, replica: string, jobFields?: string[]) => ({ shard, replica, host: 'h', pid: 1, metricsPort: 0, startedAt: 0, ...(jobFields ? { jobFields } : {}) });

test('When every live replica of a domain lists a job field, then the domain gets it; one older replica (or one without a record) withholds it', () => {
  const live = [
    { shard: 'alpha', replicas: ['a1', 'a2'], lastSeen: 0 },
    { shard: 'beta', replicas: ['b1', 'b2'], lastSeen: 0 },
    { shard: 'gamma', replicas: ['g1'], lastSeen: 0 },
  ];
  const infos = [info('alpha', 'a1', ['termStats']), info('alpha', 'a2', ['termStats', 'later']), info('beta', 'b1', ['termStats']), info('beta', 'b2'), info('delta', 'd1', ['termStats'])];
  const fields = jobFieldsByShard(live, infos);
  assert.deepEqual([...(fields.get('alpha') ?? [])], ['termStats']);
  assert.deepEqual([...(fields.get('beta') ?? [])], []);
  assert.deepEqual([...(fields.get('gamma') ?? [])], [], 'no replica record: treated as older');
  assert.equal(fields.has('delta'), false, 'only live shards');
});
