/** File-system checks both context builders share (scripts/demo, scripts/outside). */
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { domainStats, type DemoManifest, type DomainStats } from '../demo/manifest.js';

/** Files of a domain folder (dot files excluded): count and total bytes, or undefined if it is missing. */
export async function folderFiles(dir: string): Promise<{ files: number; bytes: number } | undefined> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((name) => !name.startsWith('.'));
  } catch {
    return undefined;
  }
  const sizes = await Promise.all(names.map(async (name) => (await stat(path.join(dir, name))).size));
  return { files: names.length, bytes: sizes.reduce((a, b) => a + b, 0) };
}

/** Refuses to replace a folder a builder did not create: `outDir` must be missing, empty, or hold `manifestFile`. */
export async function assertReplaceable(outDir: string, manifestFile: string): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(outDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  if (entries.length > 0 && !entries.includes(manifestFile)) {
    throw new Error(`refusing to replace ${outDir}: it is not empty and has no ${manifestFile}`);
  }
}

/** Whether every domain folder still holds what the manifest recorded (file count and bytes); the first difference is the reason. */
export async function domainsMatch(
  outDir: string,
  names: readonly string[],
  recorded: Readonly<Record<string, { files: number; bytes: number }>>,
): Promise<{ upToDate: true } | { upToDate: false; reason: string }> {
  for (const name of names) {
    const [want, actual] = [recorded[name], await folderFiles(path.join(outDir, name))];
    if (want === undefined || actual === undefined) return { upToDate: false, reason: `${name} is missing` };
    if (actual.files !== want.files || actual.bytes !== want.bytes) return { upToDate: false, reason: `${name} does not match the manifest` };
  }
  return { upToDate: true };
}

export interface DomainPlanFiles {
  name: string;
  documents: readonly { fileName: string; content: string }[];
}

/**
 * Writes every domain and the manifest into a sibling staging folder, then
 * swaps it in for `outDir`, so an interrupted run never leaves a half-written
 * folder behind a valid manifest. `check` may refuse a domain (it throws).
 * Callers check assertReplaceable first, before loading their texts.
 */
export async function writeContextsFolder<P extends DomainPlanFiles>(
  outDir: string,
  manifestFile: string,
  plans: readonly P[],
  check: (plan: P, stats: DomainStats) => void,
  manifestOf: (domains: Record<string, DomainStats>) => DemoManifest,
): Promise<DemoManifest> {
  const staging = `${outDir}.partial-${process.pid}`;
  await mkdir(path.dirname(outDir), { recursive: true });
  await rm(staging, { recursive: true, force: true });
  try {
    const domains: Record<string, DomainStats> = {};
    for (const plan of plans) {
      const stats = domainStats(plan.documents.map((d) => d.content));
      check(plan, stats);
      const domainDir = path.join(staging, plan.name);
      await mkdir(domainDir, { recursive: true });
      await Promise.all(plan.documents.map((d) => writeFile(path.join(domainDir, d.fileName), d.content, 'utf8')));
      domains[plan.name] = stats;
    }
    const manifest = manifestOf(domains);
    await writeFile(path.join(staging, manifestFile), `${JSON.stringify(manifest, null, 2)}\n`, 'utf8');
    await rm(outDir, { recursive: true, force: true });
    await rename(staging, outDir);
    return manifest;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
