/** The README's example questions and the citation it promises for each (its example table). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './fleet-processes.js';

export interface ReadmeExample {
  question: string;
  /** `shard/source:line-end`, as the README prints it. */
  cite: string;
}

/** Rows of the README's example table: | question | `shard/source:line-end` (…) | */
export function readmeExamples(): ReadmeExample[] {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const rows = [...readme.matchAll(/^\| ([^|`]+\?) \| `([a-z0-9-]+\/[^`]+:\d+(?:-\d+)?)`/gm)];
  return rows.map((m) => ({ question: (m[1] as string).trim(), cite: m[2] as string }));
}

/** A citation as the README writes it: `shard/source:line` or `shard/source:line-end`. */
export function citeOf(c: { shard: string; source: string; line: number; endLine: number }): string {
  return `${c.shard}/${c.source}:${c.line}${c.endLine > c.line ? `-${c.endLine}` : ''}`;
}
