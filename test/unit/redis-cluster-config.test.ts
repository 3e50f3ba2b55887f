/** Redis Cluster settings: REDIS_CLUSTER_NODES and redis+cluster:// URLs, the queue prefix, and outage errors. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseCommonConfig } from '../../shared/config/common.js';
import { generateKeyring } from '../../shared/envelope/index.js';
import { shardQueuePrefix } from '../../shared/queues/names.js';
import { clusterUrlFromNodes, isClusterUrl, parseClusterUrl } from '../../shared/redis/cluster-url.js';
import { isRedisOutageError } from '../../shared/redis/outage-error.js';

const KEYS = { MEMFLEET_HMAC_KEYS: generateKeyring('q1'), MEMFLEET_SHARD_HMAC_KEYS: generateKeyring('r1') };

describe('Redis Cluster configuration', () => {
  test('When REDIS_CLUSTER_NODES is set, then the services get a cluster URL with REDIS_URL credentials and TLS', () => {
    assert.equal(parseCommonConfig({ ...KEYS, REDIS_CLUSTER_NODES: '10.0.0.1:7000, 10.0.0.2:7001' }).redisUrl, 'redis+cluster://10.0.0.1:7000,10.0.0.2:7001');
    const withAuth = parseCommonConfig({ ...KEYS, REDIS_CLUSTER_NODES: 'a:7000,b:7000', REDIS_URL: 'rediss://user:pw@ignored:6379' });
    assert.equal(withAuth.redisUrl, 'rediss+cluster://user:pw@a:7000,b:7000');
    assert.deepEqual(parseClusterUrl(withAuth.redisUrl), { nodes: [{ host: 'a', port: 7000 }, { host: 'b', port: 7000 }], tls: true, username: 'user', password: 'pw' });
  });

  test('When REDIS_URL is a redis+cluster:// URL, then it is kept and parsed into nodes', () => {
    const url = 'redis+cluster://:s%40cret@h1:7000,[::1]:7001';
    assert.equal(parseCommonConfig({ ...KEYS, REDIS_URL: url }).redisUrl, url);
    assert.deepEqual(parseClusterUrl(url), { nodes: [{ host: 'h1', port: 7000 }, { host: '::1', port: 7001 }], tls: false, password: 's@cret' });
    assert.equal(isClusterUrl('redis://h:6379'), false);
    assert.equal(clusterUrlFromNodes('h:1'), 'redis+cluster://h:1');
  });

  test('When a node list or cluster URL is malformed, then the error names the variable and the bad entry', () => {
    assert.throws(() => parseCommonConfig({ ...KEYS, REDIS_CLUSTER_NODES: '10.0.0.1:7000,10.0.0.2' }), /REDIS_CLUSTER_NODES.*"10\.0\.0\.2" is not host:port/s);
    assert.throws(() => parseCommonConfig({ ...KEYS, REDIS_CLUSTER_NODES: 'h:70000' }), /"h:70000" is not host:port with a port in 1-65535/);
    assert.throws(() => parseCommonConfig({ ...KEYS, REDIS_URL: 'redis+cluster://' }), /REDIS_URL.*redis\+cluster:\/\//s);
    assert.throws(() => parseCommonConfig({ ...KEYS, REDIS_URL: 'http://h:1' }), /REDIS_URL.*redis\+cluster/s);
  });

  test('When the queue prefix is asked for, then a cluster gets the domain as hash tag and a single Redis the plain prefix', () => {
    assert.equal(shardQueuePrefix('memfleet', 'moby-dick-1', true), 'memfleet:{moby-dick-1}');
    assert.equal(shardQueuePrefix('memfleet', 'moby-dick-1', false), 'memfleet');
    assert.throws(() => shardQueuePrefix('memfleet', 'Bad}{', true), /Invalid domain name/);
  });

  test('When an error comes from a cluster failover, then it counts as a Redis outage, and a programming error does not', () => {
    assert.equal(isRedisOutageError(new Error('CLUSTERDOWN The cluster is down')), true);
    assert.equal(isRedisOutageError(new Error('Connection is closed.')), true);
    const retries = new Error('Reached the max retries per request limit (which is 1).');
    retries.name = 'MaxRetriesPerRequestError';
    assert.equal(isRedisOutageError(retries), true);
    assert.equal(isRedisOutageError(new TypeError("Cannot read properties of undefined (reading 'id')")), false);
    assert.equal(isRedisOutageError('CLUSTERDOWN'), false);
  });
});
