/**
 * Reads deploy/k8s/ and checks every object against the Kubernetes (and KEDA)
 * OpenAPI schemas shipped by kubernetes-models, so tests see the manifests as
 * typed objects that a cluster's API server would also accept.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { z } from 'zod';
import { ConfigMap, Secret, Service } from 'kubernetes-models/v1';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1';
import { REPO_ROOT } from './fleet-processes.js';

export const K8S_DIR = join(REPO_ROOT, 'deploy', 'k8s');

/** The kinds deploy/k8s may hold, each with the model that validates it. */
const MODELS = {
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'apps/v1/StatefulSet': StatefulSet,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'keda.sh/v1alpha1/ScaledObject': ScaledObject,
} as const;

type Models = typeof MODELS;
export type ManifestObject = { [K in keyof Models]: InstanceType<Models[K]> }[keyof Models];

export interface LoadedManifest {
  file: string;
  kindKey: string;
  object: ManifestObject;
}

/** Every YAML file directly in `dir` (what `kubectl apply -f dir` applies), or one file. */
export function manifestFiles(dir = K8S_DIR): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
    .sort()
    .map((f) => join(dir, f));
}

/**
 * Parses and validates every document of `file`.
 * @throws naming the file, document and schema error on YAML errors, unknown kinds and invalid objects
 */
export function loadManifests(file: string): LoadedManifest[] {
  const docs = parseAllDocuments(readFileSync(file, 'utf8'));
  if (!Array.isArray(docs)) throw new Error(`${file}: not a YAML stream`);
  return docs.map((doc, i) => {
    if (doc.errors.length > 0) throw new Error(`${file} document ${i + 1}: ${doc.errors[0]?.message}`);
    const raw = doc.toJS() as { apiVersion?: string; kind?: string };
    const kindKey = `${raw.apiVersion}/${raw.kind}`;
    const Model = (MODELS as Record<string, new (data: unknown) => ManifestObject>)[kindKey];
    if (!Model) throw new Error(`${file} document ${i + 1}: ${kindKey} is not a kind deploy/k8s is checked for (${Object.keys(MODELS).join(', ')})`);
    const object = new Model(raw);
    try {
      object.validate();
    } catch (err) {
      throw new Error(`${file} document ${i + 1} (${kindKey}): ${err instanceof Error ? err.message : String(err)}`);
    }
    return { file, kindKey, object };
  });
}

/**
 * KEDA's CRD types trigger metadata only as a string map; this is what the
 * `redis` (Redis Lists) scaler needs from it (keda.sh/docs/scalers/redis-lists).
 */
export const RedisListsTriggerSchema = z
  .object({
    type: z.literal('redis'),
    metadata: z
      .object({
        address: z.string().regex(/^[a-z0-9.-]+:\d{1,5}$/, 'expected host:port'),
        listName: z.string().min(1),
        listLength: z.string().regex(/^[1-9]\d*$/, 'expected a positive integer as a string'),
        activationListLength: z.string().regex(/^\d+$/, 'expected a non-negative integer as a string'),
        databaseIndex: z.string().regex(/^\d+$/).optional(),
      })
      .strict(),
  })
  .strict();
export type RedisListsTrigger = z.infer<typeof RedisListsTriggerSchema>;

/** The one Redis Lists trigger of a shard domain's ScaledObject (file deploy/k8s/shard-<domain>.yaml). */
export function shardScalerTrigger(domain: string): RedisListsTrigger {
  const file = join(K8S_DIR, `shard-${domain}.yaml`);
  const scaled = loadManifests(file).filter((m) => m.kindKey === 'keda.sh/v1alpha1/ScaledObject');
  if (scaled.length !== 1) throw new Error(`${file}: expected one ScaledObject, found ${scaled.length}`);
  const triggers = (scaled[0]!.object as ScaledObject).spec?.triggers ?? [];
  if (triggers.length !== 1) throw new Error(`${file}: expected one trigger, found ${triggers.length}`);
  return RedisListsTriggerSchema.parse(triggers[0]);
}

/** The data of the memfleet-config ConfigMap (deploy/k8s/config.yaml). */
export function fleetConfigMap(): Record<string, string> {
  const maps = loadManifests(join(K8S_DIR, 'config.yaml')).filter((m) => m.kindKey === 'v1/ConfigMap');
  const data = (maps[0]?.object as ConfigMap | undefined)?.data;
  if (!data) throw new Error('deploy/k8s/config.yaml: no ConfigMap data');
  return data;
}
