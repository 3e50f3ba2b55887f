/**
 * deploy/k8s/ against the Kubernetes and KEDA schemas (kubernetes-models), and
 * against what the services read: ports, probes, env names, grace periods and
 * the BullMQ key each ScaledObject watches.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { IContainer } from 'kubernetes-models/v1';
import type { Deployment } from 'kubernetes-models/apps/v1';
import type { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import type { Secret } from 'kubernetes-models/v1';
import type { ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1';
import { DOMAIN_NAMES } from '../../scripts/demo/config.js';
import { shardQueueName } from '../../shared/queues/names.js';
import { REPO_ROOT } from '../helpers/fleet-processes.js';
import { fleetConfigMap, K8S_DIR, loadManifests, manifestFiles, shardScalerTrigger, type LoadedManifest } from '../helpers/k8s-manifests.js';

/** How long a service takes at most to stop on SIGTERM before it exits anyway (services/cli/run-service.ts). */
const SERVICE_STOP_LIMIT_SEC = 30;

const all: LoadedManifest[] = manifestFiles().flatMap((f) => loadManifests(f));
const of = <T>(kindKey: string, name: string): T => {
  const found = all.find((m) => m.kindKey === kindKey && m.object.metadata?.name === name);
  assert.ok(found, `deploy/k8s has no ${kindKey} named ${name}`);
  return found.object as T;
};
const envOf = (c: IContainer) => new Map((c.env ?? []).map((e) => [e.name, e.value]));

function imageContextsDir(): string | undefined {
  return /^\s+CONTEXTS_DIR=(\S+)$/m.exec(readFileSync(join(REPO_ROOT, 'deploy', 'Dockerfile'), 'utf8'))?.[1];
}

/** Every environment variable name some service or shared module lists in a *_VARS array. */
function knownEnvNames(): Set<string> {
  const names = new Set<string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (path.endsWith('.ts')) for (const m of readFileSync(path, 'utf8').matchAll(/'([A-Z][A-Z0-9_]+)'/g)) names.add(m[1]!);
    }
  };
  walk(join(REPO_ROOT, 'services'));
  walk(join(REPO_ROOT, 'shared'));
  return names;
}

describe('Kubernetes manifests (deploy/k8s)', () => {
  test('When every file in deploy/k8s and its secrets example is read, then each object is a kind we check and valid against its schema', () => {
    const files = [...manifestFiles(), ...manifestFiles(join(K8S_DIR, 'secrets'))];
    assert.ok(files.length >= 8, `expected the manifests, found ${files.length} files`);
    for (const file of files) assert.ok(loadManifests(file).length > 0, `${file} holds no object`);
  });

  test('When the schema check meets a wrong field type, then it fails naming the field', () => {
    const bad = join(K8S_DIR, 'secrets', 'example.yaml');
    const objects = loadManifests(bad);
    const secret = objects[0]!.object as Secret;
    (secret as unknown as { type: number }).type = 5;
    assert.throws(() => secret.validate(), /type must be string/);
  });

  for (const domain of DOMAIN_NAMES) {
    test(`When shard-${domain}.yaml is read, then its Deployment, PodDisruptionBudget and ScaledObject fit the shard and each other`, () => {
      const name = `shard-${domain}`;
      const deployment = of<Deployment>('apps/v1/Deployment', name);
      const pod = deployment.spec!.template;
      const container = pod.spec!.containers[0]!;
      const env = envOf(container);
      assert.deepEqual(container.args, ['shard']);
      assert.equal(env.get('SHARD_DOMAIN'), domain);
      // The contexts the image carries (deploy/Dockerfile ENV CONTEXTS_DIR, where the demo domains are copied).
      assert.equal(env.get('CONTEXTS_DIR'), imageContextsDir());

      // Probes on the port that serves /healthz and /readyz: METRICS_PORT (services/shard/http/metrics-server.ts).
      const metricsPort = Number(env.get('METRICS_PORT'));
      const port = container.ports?.find((p) => p.name === 'metrics');
      assert.equal(port?.containerPort, metricsPort);
      assert.equal(container.livenessProbe?.httpGet?.path, '/healthz');
      assert.equal(container.livenessProbe?.httpGet?.port, 'metrics');
      assert.equal(container.readinessProbe?.httpGet?.path, '/readyz');
      assert.equal(container.readinessProbe?.httpGet?.port, 'metrics');
      assert.equal(pod.metadata?.annotations?.['prometheus.io/scrape'], 'true');
      assert.equal(Number(pod.metadata?.annotations?.['prometheus.io/port']), metricsPort);

      // Grace above the job lock and above the services' own stop limit.
      const lockSec = Number(env.get('LOCK_DURATION_MS')) / 1000;
      const grace = pod.spec!.terminationGracePeriodSeconds ?? 30;
      assert.ok(grace > lockSec, `terminationGracePeriodSeconds ${grace} must exceed the ${lockSec} s job lock`);
      assert.ok(grace > SERVICE_STOP_LIMIT_SEC, `terminationGracePeriodSeconds ${grace} must exceed the ${SERVICE_STOP_LIMIT_SEC} s stop limit`);

      // Only this domain's keys.
      const secretRefs = (container.envFrom ?? []).flatMap((e) => (e.secretRef?.name ? [e.secretRef.name] : []));
      assert.deepEqual(secretRefs, [`memfleet-shard-${domain}`]);

      const pdb = of<PodDisruptionBudget>('policy/v1/PodDisruptionBudget', name);
      for (const [k, v] of Object.entries(pdb.spec!.selector!.matchLabels!)) assert.equal(pod.metadata?.labels?.[k], v, `PDB selector ${k}`);
      for (const [k, v] of Object.entries(deployment.spec!.selector.matchLabels!)) assert.equal(pod.metadata?.labels?.[k], v, `Deployment selector ${k}`);

      const scaled = of<ScaledObject>('keda.sh/v1alpha1/ScaledObject', name);
      assert.equal(scaled.spec.scaleTargetRef.name, name);
      const min = scaled.spec.minReplicaCount ?? 0;
      const max = scaled.spec.maxReplicaCount ?? 100;
      assert.ok(min >= 1 && max > min, `replicas ${min}..${max}`);
      const trigger = shardScalerTrigger(domain);
      const prefix = fleetConfigMap().MEMFLEET_PREFIX!;
      assert.equal(trigger.metadata.listName, `${prefix}:${shardQueueName(domain)}:wait`);
      assert.equal(trigger.metadata.address, new URL(fleetConfigMap().REDIS_URL!).host);
    });
  }

  test('When the coordinator manifests are read, then the Service reaches the Deployment port and the probes use the API port', () => {
    const deployment = of<Deployment>('apps/v1/Deployment', 'coordinator');
    const pod = deployment.spec!.template;
    const container = pod.spec!.containers[0]!;
    const port = Number(envOf(container).get('PORT'));
    assert.equal(container.ports?.find((p) => p.name === 'http')?.containerPort, port);
    assert.equal(container.readinessProbe?.httpGet?.path, '/readyz');
    assert.equal(container.livenessProbe?.httpGet?.path, '/healthz');
    assert.equal(Number(pod.metadata?.annotations?.['prometheus.io/port']), port);
    assert.ok((pod.spec!.terminationGracePeriodSeconds ?? 30) > SERVICE_STOP_LIMIT_SEC);
    const service = all.find((m) => m.kindKey === 'v1/Service' && m.object.metadata?.name === 'coordinator')!.object as { spec: { selector: Record<string, string>; ports: { targetPort: string }[] } };
    for (const [k, v] of Object.entries(service.spec.selector)) assert.equal(pod.metadata?.labels?.[k], v);
    assert.equal(service.spec.ports[0]!.targetPort, 'http');
  });

  test('When the manifests set environment variables, then each is one a service reads', () => {
    const known = knownEnvNames();
    known.add('NODE_OPTIONS'); // read by Node.js itself
    const names = new Set<string>(Object.keys(fleetConfigMap()));
    for (const m of all) {
      if (m.kindKey !== 'apps/v1/Deployment') continue;
      for (const c of (m.object as Deployment).spec!.template.spec!.containers) for (const e of c.env ?? []) names.add(e.name);
    }
    for (const secret of loadManifests(join(K8S_DIR, 'secrets', 'example.yaml'))) {
      for (const key of Object.keys((secret.object as Secret).stringData ?? {})) names.add(key);
    }
    const unknown = [...names].filter((n) => !known.has(n));
    assert.deepEqual(unknown, [], `variables no service reads: ${unknown.join(', ')}`);
  });

  test('When the secrets example is read, then the coordinator holds the masters and each shard Secret only its domain keys', () => {
    const secrets = loadManifests(join(K8S_DIR, 'secrets', 'example.yaml')).map((m) => m.object as Secret);
    const coordinator = secrets.find((s) => s.metadata?.name === 'memfleet-coordinator');
    assert.deepEqual(Object.keys(coordinator?.stringData ?? {}).sort(), ['MEMFLEET_API_TOKEN', 'MEMFLEET_HMAC_KEYS', 'MEMFLEET_SHARD_HMAC_KEYS']);
    for (const domain of DOMAIN_NAMES) {
      const shard = secrets.find((s) => s.metadata?.name === `memfleet-shard-${domain}`);
      assert.deepEqual(Object.keys(shard?.stringData ?? {}).sort(), ['MEMFLEET_DOMAIN_QUERY_KEYS', 'MEMFLEET_DOMAIN_RESULT_KEYS'], domain);
    }
  });
});
