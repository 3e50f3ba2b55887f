/**
 * The command line both context builders share (scripts/prepare-demo.ts,
 * scripts/prepare-outside.ts): `[--out DIR] [--force] [--help]`, an up-to-date
 * check against the folder's manifest, then a build and its summary table.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';

import { formatSummaryTable, type DemoManifest, type UpToDate } from '../demo/manifest.js';

export interface ContextsBuilder {
  /** The command's name in messages, e.g. `prepare-demo`. */
  command: string;
  /** What it builds, e.g. `demo contexts`. */
  what: string;
  /** The default folder, absolute; `defaultLabel` is how the help names it. */
  defaultOut: string;
  defaultLabel: string;
  upToDate(outDir: string): Promise<UpToDate>;
  build(outDir: string): Promise<DemoManifest>;
}

export function usage(builder: ContextsBuilder): string {
  return `Usage: ${builder.command} [--out DIR] [--force]

  -o, --out DIR   contexts folder to build (default: ${builder.defaultLabel} in the repo)
  -f, --force     rebuild even if the folder is up to date
  -h, --help      show this help`;
}

export async function runContextsBuilder(builder: ContextsBuilder, args: readonly string[]): Promise<number> {
  let values: { out?: string; force?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: {
        out: { type: 'string', short: 'o' },
        force: { type: 'boolean', short: 'f', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    console.error(`${builder.command}: ${(error as Error).message}\n\n${usage(builder)}`);
    return 2;
  }
  if (values.help === true) {
    console.log(usage(builder));
    return 0;
  }
  const outDir = values.out === undefined ? builder.defaultOut : path.resolve(values.out);
  const started = performance.now();
  if (values.force !== true) {
    const status = await builder.upToDate(outDir);
    if (status.upToDate) {
      console.log(`${builder.what} up to date`);
      return 0;
    }
    console.log(`building ${builder.what} in ${outDir} (${status.reason})`);
  } else {
    console.log(`building ${builder.what} in ${outDir} (--force)`);
  }
  const manifest = await builder.build(outDir);
  console.log(`\n${formatSummaryTable(manifest)}\n`);
  console.log(`done in ${Math.round(performance.now() - started)} ms`);
  return 0;
}

/** Runs the command on this process's arguments and sets its exit code (1 with the message on a failure). */
export function mainOf(builder: ContextsBuilder): void {
  runContextsBuilder(builder, process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(`${builder.command}: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
    },
  );
}
