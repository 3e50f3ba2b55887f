/**
 * Source-level evidence for passage ranking: how well the source around a
 * window (the whole chapter or speech, or the window's neighbours) answers the
 * question, mixed into the window's own coverage. A question in other words
 * often has its words spread over the chapter that answers it rather than
 * gathered in the one answering window; this lets the chapter vouch for it.
 *
 * Pure: the engine passes its BM25 hits (every window holding a query term or
 * expansion, with the terms it matched) and its own coverage function, so the
 * evidence is on the same scale (IDF share of the question) as the window's.
 */

/**
 * `source`: the coverage of every term the source's windows hold together;
 * `source-best`: the mean coverage of the source's best `SOURCE_BEST_WINDOWS`
 * windows (fewer windows count 0); `neighbours`: the coverage of the terms the
 * window and the windows right before and after it hold together; `off`: none.
 */
export type SourceEvidenceForm = 'off' | 'source' | 'source-best' | 'neighbours';

/** A BM25 hit as the evidence sees it: its window id (consecutive within a source), its source and the terms it matched. */
export interface EvidenceHit {
  id: number;
  sourceIndex: number;
  matched: readonly string[];
}

/** How many of a source's best windows `source-best` averages. */
export const SOURCE_BEST_WINDOWS = 3;

/**
 * Each hit's evidence in [0, 1] by window id. `coverageOf` is the IDF-weighted
 * share of the question a set of matched terms holds (termCoverage), so the
 * evidence is never below the window's own coverage for `source` and `neighbours`.
 */
export function sourceEvidence(
  form: SourceEvidenceForm,
  hits: readonly EvidenceHit[],
  coverageOf: (...matched: readonly (readonly string[])[]) => number,
  /** A hit's own coverage when the caller has it already (the neighbours form reuses it for a window with no neighbouring hit). */
  ownCoverage: (hit: EvidenceHit) => number = (hit) => coverageOf(hit.matched),
): Map<number, number> {
  const evidence = new Map<number, number>();
  if (form === 'off' || hits.length === 0) return evidence;
  if (form === 'neighbours') {
    // Hits by window id in a typed array: this runs over every hit of a question (a thousand and more).
    let maxId = 0;
    for (const h of hits) if (h.id > maxId) maxId = h.id;
    const at = new Int32Array(maxId + 2).fill(-1);
    hits.forEach((h, i) => {
      at[h.id] = i;
    });
    const neighbour = (id: number, sourceIndex: number): readonly string[] => {
      const i = id < 0 ? -1 : (at[id] ?? -1);
      const n = i === -1 ? undefined : hits[i];
      return n !== undefined && n.sourceIndex === sourceIndex ? n.matched : NONE;
    };
    for (const hit of hits) {
      const prev = neighbour(hit.id - 1, hit.sourceIndex);
      const next = neighbour(hit.id + 1, hit.sourceIndex);
      // Most hits have no neighbouring hit: their evidence is their own coverage.
      evidence.set(hit.id, clamp(prev.length + next.length === 0 ? ownCoverage(hit) : coverageOf(hit.matched, prev, next)));
    }
    return evidence;
  }
  const bySource = new Map<number, EvidenceHit[]>();
  for (const hit of hits) {
    const list = bySource.get(hit.sourceIndex);
    if (list === undefined) bySource.set(hit.sourceIndex, [hit]);
    else list.push(hit);
  }
  for (const list of bySource.values()) {
    let value: number;
    if (form === 'source') {
      value = coverageOf(...list.map((h) => h.matched));
    } else {
      const best = list.map((h) => coverageOf(h.matched)).sort((a, b) => b - a).slice(0, SOURCE_BEST_WINDOWS);
      value = best.reduce((s, c) => s + c, 0) / SOURCE_BEST_WINDOWS;
    }
    for (const h of list) evidence.set(h.id, clamp(value));
  }
  return evidence;
}

/**
 * How the evidence enters a window's coverage: `blend`, (1 − weight) ×
 * coverage + weight × evidence; `prior`, coverage × (1 − weight + weight ×
 * evidence) (a multiplicative prior: it can only lower a window's score).
 */
const NONE: readonly string[] = [];

export type EvidenceMix = 'blend' | 'prior';

/**
 * A window's coverage with its source's evidence mixed in, in [0, 1] and
 * non-decreasing in the coverage (so an upper bound of the coverage gives an
 * upper bound of the mix).
 */
export function mixEvidence(coverage: number, evidence: number, weight: number, mix: EvidenceMix = 'blend'): number {
  const w = clamp(weight);
  const c = clamp(coverage);
  const e = clamp(evidence);
  return clamp(mix === 'prior' ? c * (1 - w + w * e) : (1 - w) * c + w * e);
}

function clamp(x: number): number {
  return Math.min(1, Math.max(0, x));
}
