import assert from 'node:assert/strict';
import { test } from 'node:test';
import { redisUrlFromEnv } from '../../services/cli/up/fleet.js';

test('When REDIS_CLUSTER_NODES is set, then up uses the cluster (it wins over REDIS_URL, whose credentials it borrows)', () => {
  assert.equal(redisUrlFromEnv({ REDIS_CLUSTER_NODES: '10.0.0.1:7000,10.0.0.2:7001' }), 'redis+cluster://10.0.0.1:7000,10.0.0.2:7001');
  assert.match(redisUrlFromEnv({ REDIS_CLUSTER_NODES: '10.0.0.1:7000', REDIS_URL: 'rediss://:s3cret@old:6379' }) ?? '', /^rediss\+cluster:\/\/:s3cret@10\.0\.0\.1:7000/);
});

test('When only REDIS_URL is set, then up uses it; when neither is, up looks for a local Redis or starts its own (undefined)', () => {
  assert.equal(redisUrlFromEnv({ REDIS_URL: 'redis://cache:6379/2' }), 'redis://cache:6379/2');
  assert.equal(redisUrlFromEnv({}), undefined);
  assert.equal(redisUrlFromEnv({ REDIS_URL: '', REDIS_CLUSTER_NODES: ' ' }), undefined);
});

test('When REDIS_CLUSTER_NODES is not a node list, then the error names the variable and the expected form', () => {
  assert.throws(() => redisUrlFromEnv({ REDIS_CLUSTER_NODES: 'redis-1' }), /^Error: REDIS_CLUSTER_NODES: "redis-1" is not host:port with a port in 1-65535; expected host:port,host:port/);
});
