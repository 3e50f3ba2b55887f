/** Generating a contexts folder: load the datasets, plan the domains, write files and the manifest. */

import { DOMAIN_TOKEN_BUDGET, MANIFEST_FILE } from './config.js';
import { datasetVersions, loadMobyDick, loadSotu } from './datasets.js';
import { mobyDickDocument, orderAddresses, sotuDocument } from './documents.js';
import { createManifest, type DemoManifest, type DomainStats } from './manifest.js';
import { planDomains, type DomainPlan } from './plan.js';
import { plantedDocuments } from './planted.js';
import { assertReplaceable, writeContextsFolder } from '../contexts/folder.js';

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
  await assertReplaceable(outDir, MANIFEST_FILE);
  const [sections, addresses, datasets] = await Promise.all([loadMobyDick(), loadSotu(), datasetVersions()]);
  // Planted documents (facts found nowhere else, for the evaluation harness) come after
  // planning, so they never change which original documents a domain holds.
  const plans = planDomains(
    sections.map(mobyDickDocument),
    orderAddresses(addresses).map(sotuDocument),
    DOMAIN_TOKEN_BUDGET,
  ).map((plan) => ({ ...plan, documents: [...plan.documents, ...plantedDocuments(plan.name)] }));

  return writeContextsFolder(outDir, MANIFEST_FILE, plans, assertPlanValid, (domains) => createManifest(datasets, domains));
}
