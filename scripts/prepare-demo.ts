/**
 * Builds the demo contexts folder (default demo/contexts): four domains of
 * 80-column text, each within the shard token budget, from the Moby-Dick and
 * State of the Union datasets. Does nothing when the folder's manifest shows it
 * is already up to date.
 *
 *   node --import tsx scripts/prepare-demo.ts [--out DIR] [--force]
 */

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { datasetVersions } from './demo/datasets.js';
import { checkUpToDate, formatSummaryTable } from './demo/manifest.js';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
const DEFAULT_OUT = path.join(REPO_ROOT, 'demo', 'contexts');

const USAGE = `Usage: prepare-demo [--out DIR] [--force]

  -o, --out DIR   contexts folder to build (default: demo/contexts in the repo)
  -f, --force     rebuild even if the folder is up to date
  -h, --help      show this help`;

interface Options {
  outDir: string;
  force: boolean;
  help: boolean;
}

function parseOptions(args: string[]): Options {
  const { values } = parseArgs({
    args,
    options: {
      out: { type: 'string', short: 'o' },
      force: { type: 'boolean', short: 'f', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  return {
    outDir: values.out === undefined ? DEFAULT_OUT : path.resolve(values.out),
    force: values.force ?? false,
    help: values.help ?? false,
  };
}

async function main(args: string[]): Promise<number> {
  let options: Options;
  try {
    options = parseOptions(args);
  } catch (error) {
    console.error(`prepare-demo: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    console.log(USAGE);
    return 0;
  }

  const started = performance.now();
  const datasets = await datasetVersions();
  if (!options.force) {
    const status = await checkUpToDate(options.outDir, datasets);
    if (status.upToDate) {
      console.log('demo contexts up to date');
      return 0;
    }
    console.log(`building demo contexts in ${options.outDir} (${status.reason})`);
  } else {
    console.log(`building demo contexts in ${options.outDir} (--force)`);
  }

  // Loaded only when building, so the up-to-date path stays fast.
  const { buildDemoContexts } = await import('./demo/build.js');
  const manifest = await buildDemoContexts(options.outDir);
  console.log(`\n${formatSummaryTable(manifest)}\n`);
  console.log(`done in ${Math.round(performance.now() - started)} ms`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`prepare-demo: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
