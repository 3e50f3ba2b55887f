/** Small domains built in memory for engine and merge tests: no folder, deterministic text. */
import type { DomainContext } from '../../services/shard/domain/domain-context.js';

/** A domain from `{source: lines}`, sources in name order as a shard loads them. */
export function domain(name: string, files: Record<string, string[]>): DomainContext {
  const sources = Object.entries(files)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([source, lines]) => ({ source, lines, tokens: lines.join(' ').split(/\s+/).length }));
  return { domain: name, root: `/nowhere/${name}`, sources, totalLines: sources.reduce((n, s) => n + s.lines.length, 0), tokens: sources.reduce((n, s) => n + s.tokens, 0) };
}

/** Filler prose, one sentence a line, from a fixed vocabulary (deterministic). */
export function prose(count: number, seed: number, words: readonly string[]): string[] {
  return Array.from({ length: count }, (_, i) => {
    const pick = (k: number) => words[(seed * 7 + i * 13 + k * 5) % words.length];
    return `The ${pick(0)} and the ${pick(1)} passed the ${pick(2)} near the ${pick(3)} that day.`;
  });
}

/** A small runbook (backups, signing keys) the confidence tests ask in other words; its lines 1-8. */
export const RUNBOOK_LINES: readonly string[] = [
  '# Operations notes',
  '',
  '## Backups',
  'Database snapshots are taken every night at 02:00 UTC.',
  'Snapshot retention: 30 days, then they are deleted.',
  '',
  '## Signing keys',
  'To replace a key, list the new one second in keys.json, deploy, then remove the old one.',
];
