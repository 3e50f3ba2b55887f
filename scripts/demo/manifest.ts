/** The `.manifest.json` of a contexts folder: what was generated, and the cheap up-to-date check. */

import { readFile } from 'node:fs/promises';
import path from 'node:path';

import { DEMO_FORMAT_VERSION, DOMAIN_NAMES, DOMAIN_TOKEN_BUDGET, MANIFEST_FILE, WRAP_WIDTH } from './config.js';
import { countLines, estimateTokens } from './text.js';
import { domainsMatch } from '../contexts/folder.js';

export interface DomainStats {
  files: number;
  lines: number;
  /** UTF-8 bytes of all files. */
  bytes: number;
  /** Sum over files of ceil(chars / 4). */
  tokens: number;
}

export interface DemoManifest {
  version: number;
  wrapWidth: number;
  tokenBudget: number;
  /** Dataset package name → installed version the text was taken from. */
  datasets: Record<string, string>;
  domains: Record<string, DomainStats>;
  total: DomainStats;
}

/** Statistics of a domain's rendered files. */
export function domainStats(contents: readonly string[]): DomainStats {
  return {
    files: contents.length,
    lines: contents.reduce((n, content) => n + countLines(content), 0),
    bytes: contents.reduce((n, content) => n + Buffer.byteLength(content, 'utf8'), 0),
    tokens: contents.reduce((n, content) => n + estimateTokens(content), 0),
  };
}

export function addStats(all: readonly DomainStats[]): DomainStats {
  return all.reduce(
    (total, s) => ({
      files: total.files + s.files,
      lines: total.lines + s.lines,
      bytes: total.bytes + s.bytes,
      tokens: total.tokens + s.tokens,
    }),
    { files: 0, lines: 0, bytes: 0, tokens: 0 },
  );
}

export function createManifest(datasets: Record<string, string>, domains: Record<string, DomainStats>): DemoManifest {
  return {
    version: DEMO_FORMAT_VERSION,
    wrapWidth: WRAP_WIDTH,
    tokenBudget: DOMAIN_TOKEN_BUDGET,
    datasets,
    domains,
    total: addStats(Object.values(domains)),
  };
}

export async function readManifest(outDir: string): Promise<DemoManifest | undefined> {
  try {
    return JSON.parse(await readFile(path.join(outDir, MANIFEST_FILE), 'utf8')) as DemoManifest;
  } catch {
    return undefined;
  }
}

export type UpToDate = { upToDate: true } | { upToDate: false; reason: string };

function sameKeys(a: Record<string, unknown>, b: readonly string[]): boolean {
  const keys = Object.keys(a);
  return keys.length === b.length && b.every((key) => Object.hasOwn(a, key));
}

/**
 * Whether `outDir` holds what this version of the script would generate: the
 * manifest's version, width, budget and dataset versions match, and every
 * domain folder has the recorded number of files and bytes. Reads only
 * directory listings and sizes, never file contents.
 */
export async function checkUpToDate(outDir: string, datasets: Record<string, string>): Promise<UpToDate> {
  const manifest = await readManifest(outDir);
  if (manifest === undefined) return { upToDate: false, reason: `no readable ${MANIFEST_FILE}` };
  if (manifest.version !== DEMO_FORMAT_VERSION) return { upToDate: false, reason: 'format version changed' };
  if (manifest.wrapWidth !== WRAP_WIDTH || manifest.tokenBudget !== DOMAIN_TOKEN_BUDGET) {
    return { upToDate: false, reason: 'wrap width or token budget changed' };
  }
  const recordedDatasets = manifest.datasets ?? {};
  const datasetNames = Object.keys(datasets);
  if (!sameKeys(recordedDatasets, datasetNames) || datasetNames.some((n) => recordedDatasets[n] !== datasets[n])) {
    return { upToDate: false, reason: 'dataset versions changed' };
  }
  const domains = manifest.domains ?? {};
  if (!sameKeys(domains, DOMAIN_NAMES)) return { upToDate: false, reason: 'domain list changed' };
  return domainsMatch(outDir, DOMAIN_NAMES, domains);
}

function statCells(stats: DomainStats): string[] {
  return [stats.files, stats.lines, stats.tokens].map((n) => n.toLocaleString('en-US'));
}

/** Plain-text table: domain, files, lines, est. tokens, then the total. */
export function formatSummaryTable(manifest: DemoManifest): string {
  const rows: string[][] = [
    ['domain', 'files', 'lines', 'est. tokens'],
    ...Object.entries(manifest.domains).map(([name, s]) => [name, ...statCells(s)]),
    ['total', ...statCells(manifest.total)],
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  const render = (row: string[]): string =>
    row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ');
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  const body = rows.slice(1, -1).map(render);
  return [render(rows[0]!), rule, ...body, rule, render(rows.at(-1)!)].join('\n');
}
