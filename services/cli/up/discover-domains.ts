/** The domains of a contexts folder: its sub-folders whose names are valid domain names. */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DOMAIN_PATTERN } from '../../../shared/queues/names.js';

export function discoverDomains(contextsDir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(contextsDir);
  } catch {
    throw new Error(`Contexts folder ${contextsDir} does not exist: create it with one sub-folder per domain (e.g. ${join(contextsDir, 'my-notes')}/*.md), or run "npm run demo:prepare" for the demo set.`);
  }
  const domains = entries.filter((name) => DOMAIN_PATTERN.test(name) && statSync(join(contextsDir, name)).isDirectory()).sort();
  if (domains.length === 0) {
    throw new Error(`Contexts folder ${contextsDir} has no domain sub-folders: add one folder per domain (lowercase letters, digits, dashes) holding .md or .txt files.`);
  }
  return domains;
}
