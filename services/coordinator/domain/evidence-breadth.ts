/**
 * How broadly a lexical citation supports the question, for its confidence
 * only (the ranking never sees it). Pure.
 *
 * IDF weighting makes a question's rarest word most of its weight: "What is
 * the capital of Australia?" is mostly *Australia* (the speeches use
 * *capital* everywhere), so a passage that only names Australia covers most
 * of the question and scored `high`. A real answer also holds some of the
 * rest: the runbook line "Snapshot retention: 30 days" under "## Backups"
 * holds *snapshot* and *backup*.
 *
 *   breadth = (Σ w(t) over question terms in the cited lines − the largest such w)
 *           ÷ (Σ w(t) over all question terms − that same largest w)
 *
 * i.e. the share of the question's weight beyond its strongest matched term
 * that the cited lines (and the source's name, which the engine indexes as a
 * title) also hold; 1 when the question has nothing beyond that term, 0 when
 * the citation rests on one word (or on synonyms alone). Weights are the
 * fleet-wide IDF the shards scored with (shared/text/fleet-term-stats.ts), so
 * the measure is the same whichever shard cited the lines.
 */
import { analyzeText } from '../../../shared/text/text-analysis.js';
import { bm25Idf, type FleetTermStats } from '../../../shared/text/fleet-term-stats.js';

export interface CitedLines {
  source: string;
  text: string;
}

export function evidenceBreadth(weights: ReadonlyMap<string, number>, cited: ReadonlySet<string>): number {
  let total = 0;
  let found = 0;
  let strongest = 0;
  for (const [term, w] of weights) {
    total += w;
    if (!cited.has(term)) continue;
    found += w;
    strongest = Math.max(strongest, w);
  }
  const rest = total - strongest;
  return rest > 1e-12 ? (found - strongest) / rest : 1;
}

/**
 * The breadth of any citation for one question, weighing the question's terms
 * by the fleet statistics sent with its jobs; undefined without statistics
 * (no lexical shard publishes any), when confidence follows the score alone.
 */
export function breadthFor(stats: FleetTermStats | undefined): ((c: CitedLines) => number) | undefined {
  if (stats === undefined) return undefined;
  const weights = new Map(Object.entries(stats.df).map(([term, df]) => [term, bm25Idf(stats.windows, df)]));
  if (weights.size === 0) return undefined;
  return (c) => evidenceBreadth(weights, new Set(analyzeText(`${c.source.replace(/[/._-]+/g, ' ')}\n${c.text}`)));
}
