/**
 * The synthesiser cites by number ([1], [2][3], [1, 4]) the passages the
 * shards cited, and nothing else. This checks every marker and turns the
 * numbers into the fleet's `[shard/source:line-endLine]` tags. Pure.
 */
import { cite } from '../../../../shared/api/citation.js';
import type { MergedCitation } from '../../../../shared/api/query.js';

export type MarkerCheck =
  | { ok: true; answer: string; used: number[] }
  | { ok: false; reason: string };

/** The reply the synthesiser gives when the passages do not answer the question. */
export const NOT_ANSWERED = 'NOT_ANSWERED';

const MARKER = /\[(\s*\d+(?:\s*,\s*\d+)*\s*)\]/g;

/**
 * Accepts an answer only when it cites at least one passage and every number
 * it cites exists; an invented number means a claim with no source, so the
 * whole answer is refused rather than quietly trimmed.
 */
export function resolveMarkers(answer: string, citations: readonly MergedCitation[]): MarkerCheck {
  const text = answer.trim();
  if (text === '' || text === NOT_ANSWERED) return { ok: false, reason: 'the synthesiser found no answer in the passages' };
  const used = new Set<number>();
  const invalid: number[] = [];
  const replaced = text.replace(MARKER, (_m, list: string) => {
    const numbers = list.split(',').map((n) => Number(n.trim()));
    const tags: string[] = [];
    for (const n of numbers) {
      const c = citations[n - 1];
      if (!Number.isInteger(n) || c === undefined) {
        invalid.push(n);
        continue;
      }
      used.add(n);
      tags.push(`[${cite(c)}]`);
    }
    return tags.join('');
  });
  if (invalid.length > 0) {
    return { ok: false, reason: `it cited passage${invalid.length === 1 ? '' : 's'} ${[...new Set(invalid)].join(', ')}, which the shards did not give (there are ${citations.length})` };
  }
  if (used.size === 0) return { ok: false, reason: 'it cited none of the passages' };
  return { ok: true, answer: replaced, used: [...used].sort((a, b) => a - b) };
}
