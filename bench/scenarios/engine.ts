/**
 * Scenario 4, second half: the lexical engine alone, in this process, with no
 * bus at all — each question asked of one domain, timed around
 * `engine.answer()`. Its p50 next to the fan-out's shows the bus's share.
 * Also times the longest question the API admits (bench/long-question.ts):
 * what one hostile question costs a shard.
 */
import { loadDomainContext } from '../../services/shard/domain/load-domain.js';
import { createEngine } from '../../services/shard/engines/create-engine.js';
import { longQuestion } from '../long-question.js';
import { DEMO_QUESTIONS } from '../questions.js';
import { summarize, type Summary } from '../stats.js';

export interface EngineResult {
  domain: string;
  tokens: number;
  /** Load the folder and build the index, in this process (the bulk of a shard's start-up). */
  buildMs: number;
  answer: Summary;
  /** One written note replaced in the index (LexicalEngine.updateWritten): what a write costs a replica's engine. */
  noteUpdate: Summary;
  /** The 4,000-character question of the domain's commonest words: its distinct words, its first (cold) ask, then repeats. */
  long: { distinctWords: number; firstMs: number; answer: Summary };
}

/** Notes written per measurement of noteUpdate (20 sources, each replaced in turn). */
const NOTE_UPDATES = 200;

export async function runEngineAlone(contexts: string, domain: string, repeats: number): Promise<EngineResult> {
  const t0 = performance.now();
  const ctx = await loadDomainContext(contexts, domain, { maxTokens: 200_000 });
  const engine = await createEngine('lexical', ctx);
  const buildMs = performance.now() - t0;
  // One unmeasured pass: the first questions pay for JIT compilation.
  for (const question of DEMO_QUESTIONS) await engine.answer({ question, topK: 5, conversation: [] });
  const samples: number[] = [];
  for (let r = 0; r < repeats; r++) {
    for (const question of DEMO_QUESTIONS) {
      const t = performance.now();
      await engine.answer({ question, topK: 5, conversation: [] });
      samples.push(performance.now() - t);
    }
  }
  const long = longQuestion(ctx);
  const t1 = performance.now();
  await engine.answer({ question: long.question, topK: 5, conversation: [] });
  const firstMs = performance.now() - t1;
  const longSamples: number[] = [];
  for (let r = 0; r < Math.max(3, repeats); r++) {
    const t = performance.now();
    await engine.answer({ question: long.question, topK: 5, conversation: [] });
    longSamples.push(performance.now() - t);
  }
  const updates: number[] = [];
  for (let i = 0; i < NOTE_UPDATES; i++) {
    const text = `Entry ${i}: the harbour pilot logged ${i % 7} tugs and ${i % 11} barges at dawn.`;
    const note = { source: `notes/bench-${i % 20}.md`, lines: [text], tokens: Math.ceil(text.length / 4) };
    const t = performance.now();
    engine.updateWritten({ upserted: [note], removed: [] });
    updates.push(performance.now() - t);
  }
  return { domain, tokens: ctx.tokens, buildMs, answer: summarize(samples), long: { distinctWords: long.distinctWords, firstMs, answer: summarize(longSamples) }, noteUpdate: summarize(updates) };
}
