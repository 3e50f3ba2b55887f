/**
 * The lexical engine's cost on a 200K-token domain (bench/domain-200k.ts),
 * default options against a variant: index build time, answer p50/p95 over the
 * demo questions, and this process's RSS after. One variant per process, so
 * RSS is the variant's own.
 *
 *   node --import tsx bench/engine-variants.ts [default|semantic-fusion|semantic-expansion|topk-candidates-only|dense-off|dense-lsa|dense-word-vectors|source-evidence|neighbour-evidence|round-5|no-answer-type|no-neighbour-evidence]
 */
import { loadDomainContext } from '../services/shard/domain/load-domain.js';
import { LexicalEngine, type LexicalOptions } from '../services/shard/engines/lexical/lexical-engine.js';
import { build200kDomain } from './domain-200k.js';
import { DEMO_QUESTIONS } from './questions.js';
import { summarize } from './stats.js';

const VARIANTS: Record<string, Partial<LexicalOptions>> = {
  default: {},
  'semantic-fusion': { semanticFusion: 0.2 },
  'semantic-expansion': { semanticWeight: 0.3 },
  'topk-candidates-only': { candidateDepth: 0 },
  'dense-off': { dense: 'off' },
  'dense-lsa': { dense: 'lsa' },
  'dense-word-vectors': { dense: 'word-vectors', denseFloor: 0.5 },
  'source-evidence': { sourceEvidence: 'source', sourceEvidenceWeight: 0.2 },
  'neighbour-evidence': { sourceEvidence: 'neighbours', sourceEvidenceWeight: 0.2 },
  // Round 5's default, for the cost of round 6's two additions.
  'round-5': { sourceEvidence: 'off', answerTypeWeight: 0 },
  'no-answer-type': { answerTypeWeight: 0 },
  'no-neighbour-evidence': { sourceEvidence: 'off' },
};
const name = process.argv[2] ?? 'default';
const options = VARIANTS[name];
if (options === undefined) throw new Error(`unknown variant ${name}; one of ${Object.keys(VARIANTS).join(', ')}`);
const built = build200kDomain(new URL('../demo/contexts', import.meta.url).pathname);
try {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const ctx = await loadDomainContext(built.contexts, built.domain, { maxTokens: 200_000 });
  const engine = LexicalEngine.build(ctx, options);
  const buildMs = performance.now() - t0;
  // CPU time too: on a loaded machine wall time is mostly waiting for a core.
  const buildCpu = process.cpuUsage(cpu0);
  for (const question of DEMO_QUESTIONS) await engine.answer({ question, topK: 5, conversation: [] });
  const samples: number[] = [];
  for (let r = 0; r < 5; r++) {
    for (const question of DEMO_QUESTIONS) {
      const t = performance.now();
      await engine.answer({ question, topK: 5, conversation: [] });
      samples.push(performance.now() - t);
    }
  }
  const s = summarize(samples);
  process.stdout.write(`${JSON.stringify({ variant: name, tokens: ctx.tokens, buildMs: Math.round(buildMs), buildCpuMs: Math.round((buildCpu.user + buildCpu.system) / 1000), p50Ms: Math.round(s.p50 * 100) / 100, p90Ms: Math.round(s.p90 * 100) / 100, rssMb: Math.round(process.memoryUsage().rss / 1e6) })}\n`);
} finally {
  built.remove();
}
