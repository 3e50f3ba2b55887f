/**
 * The systems the harness can run without a fleet: the naive baseline, and
 * the lexical engine behind the coordinator's own pure routing and merge
 * functions. In-process runs are for the baseline (always) and for quick
 * iteration on the engine (`--in-process`); `npm run eval` measures the engine
 * through a real fleet over HTTP.
 */
import type { DomainContext } from '../services/shard/domain/domain-context.js';
import { LexicalEngine, type LexicalOptions } from '../services/shard/engines/lexical/lexical-engine.js';
import { DEFAULT_HIGH_SCORE, DEFAULT_MIN_SCORE, mergeReplies, type Merged, type MergeOptions, type ShardReply } from '../services/coordinator/domain/merge.js';
import { combineParts, questionParts, type PartOrder } from '../services/coordinator/domain/question-parts.js';
import { routeQuestion, type RoutingOptions } from '../services/coordinator/domain/routing/route-by-terms.js';
import type { RoutableDomain } from '../services/coordinator/domain/routing/route-by-terms.js';
import { EMPTY_USAGE, type ShardResult } from '../shared/queues/schemas.js';
import { analyzeText } from '../shared/text/text-analysis.js';
import { fleetTermStats } from '../shared/text/fleet-term-stats.js';
import { breadthFor } from '../services/coordinator/domain/evidence-breadth.js';
import { BaselineEngine } from './baseline-engine.js';
import type { Observation } from './metrics.js';

/** What an observation needs beyond the metrics: citation scores, for the abstention curve. */
export interface ScoredObservation extends Observation {
  citations: (Observation['citations'][number] & { score: number })[];
}

export interface System {
  name: string;
  ask(question: string, topK: number): Promise<ScoredObservation>;
  close(): Promise<void>;
}

export function baselineSystem(domains: ReadonlyMap<string, DomainContext>): System {
  const engines = [...domains.entries()].map(([shard, ctx]) => ({ shard, engine: new BaselineEngine(ctx) }));
  return {
    name: 'baseline',
    ask: async (question, topK) => {
      const started = performance.now();
      // Raw BM25 scores, merged as they are: the naive way to combine shards.
      const citations = engines
        .flatMap(({ shard, engine }) => engine.search(question, topK).map((c) => ({ shard, ...c })))
        .sort((a, b) => b.score - a.score)
        .slice(0, topK);
      const top = citations[0];
      return {
        id: '',
        answer: top === undefined ? '' : top.text,
        citations,
        shardsAsked: engines.map((e) => e.shard),
        latencyMs: performance.now() - started,
      };
    },
    close: async () => undefined,
  };
}

/**
 * Reference for cross-shard comparability: every domain's sources in ONE
 * lexical index (one IDF, one BM25 scale), citations mapped back to their
 * domain. What a fleet whose scores were perfectly comparable would rank; not
 * a deployable system (it is the single-process memory the fleet replaces).
 */
export function oneIndexSystem(domains: ReadonlyMap<string, DomainContext>): System {
  const SEP = '\u0000';
  const sources = [...domains.entries()].flatMap(([shard, ctx]) => ctx.sources.map((s) => ({ ...s, source: `${shard}${SEP}${s.source}` })));
  const engine = LexicalEngine.build({ domain: 'all', root: '/one-index', sources, totalLines: 0, tokens: 0 });
  return {
    name: 'one index over every domain (reference)',
    ask: async (question, topK) => {
      const started = performance.now();
      const answer = await engine.answer({ question, topK, conversation: [] });
      const citations = answer.citations.map((c) => {
        const [shard = '', source = ''] = c.source.split(SEP);
        return { ...c, shard, source };
      });
      const top = citations[0]?.score ?? 0;
      return {
        id: '',
        answer: answer.answer,
        confidence: top < DEFAULT_MIN_SCORE ? 'none' : top >= DEFAULT_HIGH_SCORE ? 'high' : 'low',
        citations: top < DEFAULT_MIN_SCORE ? [] : citations,
        shardsAsked: [...domains.keys()],
        latencyMs: performance.now() - started,
      };
    },
    close: async () => undefined,
  };
}

export interface EngineSystemOptions {
  mode: 'broadcast' | 'routed';
  engine?: Partial<LexicalOptions>;
  merge?: Omit<MergeOptions, 'topK'>;
  routing?: Partial<RoutingOptions>;
  /**
   * Send fleet-wide term statistics with each question, as the coordinator
   * does (shared/text/fleet-term-stats.ts, over every domain's manifest terms);
   * false: each shard weighs terms with its own IDF. @defaultValue true
   */
  fleetStats?: boolean;
  /** Ask each part of a two-part question on its own and interleave them, as the coordinator does (question-parts.ts). @defaultValue true */
  parts?: boolean;
  /** questionParts' MIN_PART_TERMS. */
  partMinTerms?: number;
  /** combineParts' order of one rank's citations. */
  partOrder?: PartOrder;
}

/** Lexical engines built once per domain, shared by every variant that uses the same engine options. */
export function buildEngines(domains: ReadonlyMap<string, DomainContext>, options: Partial<LexicalOptions> = {}): Map<string, LexicalEngine> {
  return new Map([...domains.entries()].map(([shard, ctx]) => [shard, LexicalEngine.build(ctx, options)]));
}

export function engineSystem(name: string, engines: ReadonlyMap<string, LexicalEngine>, opts: EngineSystemOptions): System {
  const manifests: RoutableDomain[] = [...engines.entries()].map(([shard, engine]) => ({ shard, terms: engine.domainTerms() }));
  return {
    name,
    ask: async (question, topK) => {
      const started = performance.now();
      const askPart = async (part: string): Promise<{ merged: Merged; targets: string[] }> => {
        const targets = opts.mode === 'routed' ? routeQuestion(part, manifests, opts.routing).shards : [...engines.keys()];
        // Like the coordinator: statistics over every domain, whichever are asked.
        const termStats = opts.fleetStats === false ? undefined : fleetTermStats(analyzeText(part), manifests.map((m) => m.terms));
        const replies: ShardReply[] = [];
        for (const shard of targets) {
          const engine = engines.get(shard);
          if (engine === undefined) continue;
          const answer = await engine.answer({ question: part, topK, conversation: [], ...(termStats ? { termStats } : {}) });
          const result: ShardResult = {
            queryId: 'q_inprocess00',
            shard,
            replica: 'in-process',
            engine: 'lexical',
            answer: answer.answer,
            citations: answer.citations,
            usage: { ...EMPTY_USAGE },
            timings: { queueWaitMs: 0, engineMs: 0 },
          };
          replies.push({ outcome: { shard, status: 'ok', latencyMs: 0 }, result });
        }
        // Like the coordinator: confidence also weighs how broadly the cited lines hold the question.
        const breadthOf = breadthFor(termStats);
        const merged = mergeReplies(replies, { topK, minScore: DEFAULT_MIN_SCORE, highScore: DEFAULT_HIGH_SCORE, ...(breadthOf ? { breadthOf } : {}), ...opts.merge });
        return { merged, targets };
      };
      // Like the coordinator: each part of a two-part question on its own (question-parts.ts).
      const parts = opts.parts === false ? [question] : questionParts(question, opts.partMinTerms);
      const asked = await Promise.all(parts.map(async (part) => ({ question: part, ...(await askPart(part)) })));
      const merged = combineParts(asked, topK, opts.partOrder);
      return {
        id: '',
        answer: merged.answer,
        confidence: merged.confidence,
        citations: merged.citations,
        // The shards asked, once each, as the fleet's response lists them (a two-part question sends each its own job per part).
        shardsAsked: [...new Set(asked.flatMap((a) => a.targets))],
        latencyMs: performance.now() - started,
      };
    },
    close: async () => undefined,
  };
}
