/** Generating a contexts folder: load the datasets, plan the domains, write files and the manifest. */

import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { DOMAIN_TOKEN_BUDGET, MANIFEST_FILE } from './config.js';
import { datasetVersions, loadMobyDick, loadSotu } from './datasets.js';
import { mobyDickDocument, orderAddresses, sotuDocument } from './documents.js';
import { createManifest, domainStats, type DemoManifest, type DomainStats } from './manifest.js';
import { planDomains, type DomainPlan } from './plan.js';
import { plantedDocuments } from './planted.js';

/**
 * Refuses to replace a folder this script did not create: `outDir` must be
 * missing, empty, or hold a manifest.
 */
async function assertReplaceable(outDir: string): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(outDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  if (entries.length > 0 && !entries.includes(MANIFEST_FILE)) {
    throw new Error(`refusing to replace ${outDir}: it is not empty and has no ${MANIFEST_FILE}`);
  }
}

function assertPlanValid(plan: DomainPlan, stats: DomainStats): void {
  if (plan.documents.length === 0) throw new Error(`domain ${plan.name} is empty`);
  if (stats.tokens > DOMAIN_TOKEN_BUDGET) {
    throw new Error(`domain ${plan.name} has ${stats.tokens} tokens, over the ${DOMAIN_TOKEN_BUDGET} budget`);
  }
  const names = new Set(plan.documents.map((d) => d.fileName));
  if (names.size !== plan.documents.length) throw new Error(`domain ${plan.name} has duplicate file names`);
}

/**
 * Builds the demo contexts into `outDir`. Files are written to a sibling
 * staging folder that then replaces `outDir`, so an interrupted run never
 * leaves a half-written folder behind a valid manifest.
 */
export async function buildDemoContexts(outDir: string): Promise<DemoManifest> {
  await assertReplaceable(outDir);
  const [sections, addresses, datasets] = await Promise.all([loadMobyDick(), loadSotu(), datasetVersions()]);
  // Planted documents (facts found nowhere else, for the evaluation harness) come after
  // planning, so they never change which original documents a domain holds.
  const plans = planDomains(
    sections.map(mobyDickDocument),
    orderAddresses(addresses).map(sotuDocument),
    DOMAIN_TOKEN_BUDGET,
  ).map((plan) => ({ ...plan, documents: [...plan.documents, ...plantedDocuments(plan.name)] }));

  const staging = `${outDir}.partial-${process.pid}`;
  await mkdir(path.dirname(outDir), { recursive: true });
  await rm(staging, { recursive: true, force: true });
  try {
    const domains: Record<string, DomainStats> = {};
    for (const plan of plans) {
      const stats = domainStats(plan.documents.map((d) => d.content));
      assertPlanValid(plan, stats);
      const domainDir = path.join(staging, plan.name);
      await mkdir(domainDir, { recursive: true });
      await Promise.all(plan.documents.map((d) => writeFile(path.join(domainDir, d.fileName), d.content, 'utf8')));
      domains[plan.name] = stats;
    }
    const manifest = createManifest(datasets, domains);
    await writeFile(path.join(staging, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`, 'utf8');
    await rm(outDir, { recursive: true, force: true });
    await rename(staging, outDir);
    return manifest;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
