/**
 * The domains of a contexts folder: its sub-folders whose names are valid
 * domain names. Every other visible entry is reported as skipped with the
 * reason, so a folder named "My Notes" is not dropped without a word.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DOMAIN_PATTERN } from '../../../shared/queues/names.js';

export interface SkippedEntry {
  name: string;
  reason: string;
}

export interface DiscoveredDomains {
  domains: string[];
  skipped: SkippedEntry[];
}

/** A valid domain name close to `name`: "My Notes" → "my-notes". */
export function suggestDomainName(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63);
}

export function discoverDomains(contextsDir: string): DiscoveredDomains {
  let entries: string[];
  try {
    entries = readdirSync(contextsDir);
  } catch {
    throw new Error(`Contexts folder ${contextsDir} does not exist: create it with one sub-folder per domain (e.g. ${join(contextsDir, 'my-notes')}/*.md), or run "npm run demo:prepare" for the demo set.`);
  }
  const domains: string[] = [];
  const skipped: SkippedEntry[] = [];
  for (const name of entries.sort()) {
    if (name.startsWith('.')) continue; // .git, .DS_Store: never meant as domains
    let isDir: boolean;
    try {
      isDir = statSync(join(contextsDir, name)).isDirectory();
    } catch {
      skipped.push({ name, reason: 'cannot be read (a broken link?)' });
      continue;
    }
    if (!isDir) {
      skipped.push({ name, reason: 'not a folder (each domain is a sub-folder holding .md/.txt files)' });
    } else if (!DOMAIN_PATTERN.test(name)) {
      const suggestion = suggestDomainName(name);
      skipped.push({
        name,
        reason: `folder name is not a valid domain name (lowercase letters, digits and dashes)${suggestion && DOMAIN_PATTERN.test(suggestion) ? `: rename it to "${suggestion}"` : ''}`,
      });
    } else {
      domains.push(name);
    }
  }
  if (domains.length === 0) {
    const why = skipped.length ? ` Skipped: ${skipped.map((s) => `"${s.name}" (${s.reason})`).join('; ')}.` : '';
    throw new Error(`Contexts folder ${contextsDir} has no domain sub-folders: add one folder per domain (lowercase letters, digits, dashes) holding .md or .txt files.${why}`);
  }
  return { domains, skipped };
}
