/**
 * Engine variants the harness runs with --ablation: the default engine with
 * one retrieval step changed, so docs/quality.md can show what each step is worth.
 */
import type { LexicalOptions } from '../services/shard/engines/lexical/lexical-engine.js';
import type { EngineSystemOptions } from './in-process.js';

export interface Ablation {
  name: string;
  /** Engine options that differ from the defaults (engines are rebuilt for the variant). */
  engine?: Partial<LexicalOptions>;
  /** Routing/merge options that differ from the defaults. */
  system?: Omit<EngineSystemOptions, 'mode' | 'engine'>;
}

export const ABLATIONS: readonly Ablation[] = [
  { name: 'fixed 6-line windows', engine: { windows: 'lines' } },
  { name: 'no title field', engine: { titleBoost: 0 } },
  { name: 'no synonyms', engine: { synonymWeight: 0 } },
  { name: 'synonyms 0.7', engine: { synonymWeight: 0.7 } },
  { name: 'window coverage only', engine: { sentenceWeight: 0 } },
  { name: 'sentence coverage 0.8', engine: { sentenceWeight: 0.8 } },
  { name: 'candidates: topK visits only', engine: { candidateDepth: 0 } },
  { name: 'candidates: 30', engine: { candidateDepth: 30 } },
  { name: 'no related words', engine: { relatedWeight: 0 } },
  { name: 'related words 0.2', engine: { relatedWeight: 0.2 } },
  { name: 'unknown terms at plain IDF', engine: { unknownTermWeight: 1 } },
  { name: 'unknown terms 2 × IDF', engine: { unknownTermWeight: 2 } },
  { name: 'bm25 k1 0.9 b 0.4', engine: { bm25: { k: 0.9, b: 0.4, d: 0.5 } } },
  { name: 'feedback 3 docs 10 terms 0.3', engine: { feedbackDocs: 3, feedbackTerms: 10, feedbackWeight: 0.3 } },
  { name: 'feedback 2 docs 5 terms 0.1', engine: { feedbackDocs: 2, feedbackTerms: 5, feedbackWeight: 0.1 } },
  { name: 'proximity 12 terms 0.25', engine: { proximityWeight: 0.25, proximitySpan: 12 } },
  { name: 'bm25 k1 1.5 b 0.9', engine: { bm25: { k: 1.5, b: 0.9, d: 0.5 } } },
  { name: 'fusion on 0.2', engine: { semanticFusion: 0.2 } },
  { name: 'fusion on 0.35', engine: { semanticFusion: 0.35 } },
  { name: 'fusion on 0.1', engine: { semanticFusion: 0.1 } },
  { name: 'fusion on 0.2, floor 0.3', engine: { semanticFusion: 0.2, semanticFloor: 0.3 } },
  { name: 'fusion on 0.2, floor 0.7', engine: { semanticFusion: 0.2, semanticFloor: 0.7 } },
  { name: 'expansion 0.3 by vectors', engine: { semanticWeight: 0.3 } },
  { name: 'expansion 0.3 by vectors, 2 neighbours', engine: { semanticWeight: 0.3, semanticNeighbours: 2 } },
  { name: 'rank weight 0.25', engine: { rankWeight: 0.25 } },
  { name: 'rank weight 0', engine: { rankWeight: 0 } },
  { name: 'shard IDF (no fleet statistics)', system: { fleetStats: false } },
  { name: 'rank scale: shard best', engine: { rankScale: 'shard-best' } },
  { name: 'rank scale: ceiling over all terms', engine: { rankScale: 'ceiling-all-terms' } },
  { name: 'confidence: score only (no evidence breadth)', system: { merge: { minBreadth: 0 } } },
  { name: 'confidence: evidence breadth ≥ 0.1', system: { merge: { minBreadth: 0.1 } } },
  { name: 'confidence: evidence breadth ≥ 0.15', system: { merge: { minBreadth: 0.15 } } },
  { name: 'confidence: evidence breadth ≥ 0.2', system: { merge: { minBreadth: 0.2 } } },
  { name: 'shard IDF and rank scale shard best (round 4)', engine: { rankScale: 'shard-best' }, system: { fleetStats: false } },
  // The dense channel (LexicalOptions.dense): window vectors, nearest windows as extra candidates, part of the score.
  { name: 'dense lsa 0.3', engine: { dense: 'lsa', denseWeight: 0.3 } },
  { name: 'dense lsa 0.15', engine: { dense: 'lsa', denseWeight: 0.15 } },
  { name: 'dense lsa 0.5', engine: { dense: 'lsa', denseWeight: 0.5 } },
  { name: 'dense lsa 0.3 floor 0.1', engine: { dense: 'lsa', denseWeight: 0.3, denseFloor: 0.1 } },
  { name: 'dense lsa 0.3 floor 0.35', engine: { dense: 'lsa', denseWeight: 0.3, denseFloor: 0.35 } },
  { name: 'dense lsa 0.3 rescoring only', engine: { dense: 'lsa', denseWeight: 0.3, denseCandidates: 0 } },
  { name: 'dense lsa 0.3 100 candidates', engine: { dense: 'lsa', denseWeight: 0.3, denseCandidates: 100 } },
  { name: 'dense lsa 0.3 rank 0.5', engine: { dense: 'lsa', denseWeight: 0.3, denseRankWeight: 0.5 } },
  { name: 'dense lsa rank 0.5 only', engine: { dense: 'lsa', denseWeight: 0, denseRankWeight: 0.5 } },
  { name: 'dense lsa rank 0.25 only', engine: { dense: 'lsa', denseWeight: 0, denseRankWeight: 0.25 } },
  { name: 'dense lsa 0.3 with expansions', engine: { dense: 'lsa', denseWeight: 0.3, denseExpansions: true } },
  { name: 'dense lsa 0.3 64 dims', engine: { dense: 'lsa', denseWeight: 0.3, denseDimensions: 64 } },
  { name: 'dense lsa 0.3 150 dims', engine: { dense: 'lsa', denseWeight: 0.3, denseDimensions: 150 } },
  { name: 'dense lsa rank max 1', engine: { dense: 'lsa', denseWeight: 0, denseRankWeight: 1, denseRankMode: 'max' } },
  { name: 'dense lsa rank max 0.7', engine: { dense: 'lsa', denseWeight: 0, denseRankWeight: 0.7, denseRankMode: 'max' } },
  { name: 'dense word vectors rank 0.5', engine: { dense: 'word-vectors', denseWeight: 0, denseRankWeight: 0.5 } },
  { name: 'dense word vectors rank max 1', engine: { dense: 'word-vectors', denseWeight: 0, denseRankWeight: 1, denseRankMode: 'max' } },
  { name: 'lsa neighbours 0.2', engine: { dense: 'lsa', denseWeight: 0, denseNeighbourWeight: 0.2 } },
  { name: 'lsa neighbours 0.1', engine: { dense: 'lsa', denseWeight: 0, denseNeighbourWeight: 0.1 } },
  { name: 'lsa neighbours 0.2 cosine 0.5', engine: { dense: 'lsa', denseWeight: 0, denseNeighbourWeight: 0.2, denseNeighbourCosine: 0.5 } },
  { name: 'dense word vectors 0.3 floor 0.5', engine: { dense: 'word-vectors', denseWeight: 0.3, denseFloor: 0.5 } },
  { name: 'dense word vectors 0.3 floor 0.7', engine: { dense: 'word-vectors', denseWeight: 0.3, denseFloor: 0.7 } },
  // Source-level evidence (LexicalOptions.sourceEvidence, source-evidence.ts): the source's coverage of the question mixed into each window's.
  { name: 'source evidence 0.2', engine: { sourceEvidence: 'source', sourceEvidenceWeight: 0.2 } },
  { name: 'source evidence 0.1', engine: { sourceEvidence: 'source', sourceEvidenceWeight: 0.1 } },
  { name: 'source evidence 0.35', engine: { sourceEvidence: 'source', sourceEvidenceWeight: 0.35 } },
  { name: 'source best windows 0.2', engine: { sourceEvidence: 'source-best', sourceEvidenceWeight: 0.2 } },
  // Round 6, each against the round-6 default (answer type 0.5 and neighbour evidence 0.2 on, HIGH_SCORE 0.35).
  { name: 'r6: round 5 engine (no answer type, no neighbour evidence)', engine: { answerTypeWeight: 0, sourceEvidence: 'off' } },
  { name: 'r6: no answer type', engine: { answerTypeWeight: 0 } },
  { name: 'r6: no neighbour evidence', engine: { sourceEvidence: 'off' } },
  { name: 'r6: answer type 0.3', engine: { answerTypeWeight: 0.3 } },
  { name: 'r6: answer type 0.7', engine: { answerTypeWeight: 0.7 } },
  { name: 'r6: answer type, 100 kinds', engine: { answerTypeKinds: 100 } },
  { name: 'r6: answer type, names not checked', engine: { answerTypeNameShare: 0 } },
  { name: 'r6: neighbour evidence 0.1', engine: { sourceEvidenceWeight: 0.1 } },
  { name: 'r6: neighbour evidence 0.35', engine: { sourceEvidenceWeight: 0.35 } },
  { name: 'r6: source cap 1', system: { merge: { sourceCap: 1 } } },
  { name: 'r6: source cap 2', system: { merge: { sourceCap: 2 } } },
  { name: 'r6: other shard third 0.5', system: { merge: { otherShardRatio: 0.5 } } },
  { name: 'r6: other shard third 0.7', system: { merge: { otherShardRatio: 0.7 } } },
  { name: 'r6: HIGH_SCORE 0.32', system: { merge: { highScore: 0.32 } } },
  { name: 'r6: HIGH_SCORE 0.34', system: { merge: { highScore: 0.34 } } },
  { name: 'neighbour evidence 0.2', engine: { sourceEvidence: 'neighbours', sourceEvidenceWeight: 0.2 } },
  { name: 'neighbour evidence 0.35', engine: { sourceEvidence: 'neighbours', sourceEvidenceWeight: 0.35 } },
  { name: 'neighbour evidence 0.1', engine: { sourceEvidence: 'neighbours', sourceEvidenceWeight: 0.1 } },
  { name: 'source evidence prior 0.3', engine: { sourceEvidence: 'source', sourceEvidenceWeight: 0.3, sourceEvidenceMix: 'prior' } },
  { name: 'r7: whole questions (no parts)', system: { parts: false } },
  { name: 'r7: parts of 1 term or more', system: { partMinTerms: 1 } },
  { name: 'r7: parts of 3 terms or more', system: { partMinTerms: 3 } },
  { name: 'r7: parts ordered by score', system: { partOrder: 'score' } },
];
