/**
 * Which IDF the engine weighs a question's words with. Without fleet
 * statistics, this domain's own (vocabulary.ts); with them (the job's
 * `termStats`, shared/text/fleet-term-stats.ts), the fleet's, so every shard
 * weighs the same question alike and a passage scores the same whichever
 * domain holds it. Whether the domain uses a word at all is still its own
 * business (the unknown-term weight reads the local count).
 */
import { fleetIdf, type FleetTermStats } from '../../../../shared/text/fleet-term-stats.js';
import type { Vocabulary } from './vocabulary.js';

export function scoringIdf(vocabulary: Vocabulary, stats: FleetTermStats | undefined): (term: string) => number {
  if (stats === undefined) return (term) => vocabulary.idf(term);
  return fleetIdf(stats, (term) => vocabulary.documentFrequency(term));
}
