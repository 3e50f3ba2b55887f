/**
 * Builds the demo contexts folder (default demo/contexts): five domains of
 * 80-column text, each within the shard token budget, from the Moby-Dick and
 * State of the Union datasets. Does nothing when the folder's manifest shows it
 * is already up to date.
 *
 *   node --import tsx scripts/prepare-demo.ts [--out DIR] [--force]
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { mainOf } from './contexts/prepare-command.js';
import { datasetVersions } from './demo/datasets.js';
import { checkUpToDate } from './demo/manifest.js';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

mainOf({
  command: 'prepare-demo',
  what: 'demo contexts',
  defaultOut: path.join(REPO_ROOT, 'demo', 'contexts'),
  defaultLabel: 'demo/contexts',
  upToDate: async (outDir) => checkUpToDate(outDir, await datasetVersions()),
  // Loaded only when building, so the up-to-date path stays fast.
  build: async (outDir) => (await import('./demo/build.js')).buildDemoContexts(outDir),
});
