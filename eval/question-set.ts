/**
 * Loads a question file (eval/questions.json, or eval/outside/questions.json;
 * validated with zod) and checks every expected line range against the real
 * files, so a change to the corpus that moves a fact fails the run loudly
 * instead of silently lowering the scores.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { DomainContext } from '../services/shard/domain/domain-context.js';
import { KINDS, SPLITS, splitOf, verifyQuestion, type Question } from './metrics.js';

const RangeSchema = z.object({
  line: z.number().int().min(1),
  endLine: z.number().int().min(1),
});

const QuestionSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9-]+$/, 'expected lowercase letters, digits and dashes'),
    split: z.enum(SPLITS),
    kind: z.enum(KINDS),
    question: z.string().min(1),
    expect: z.array(
      RangeSchema.extend({
        shard: z.string().min(1),
        source: z.string().min(1),
        alt: z.array(RangeSchema.extend({ source: z.string().min(1).optional() })).optional(),
      }).strict(),
    ),
    answerTerms: z.array(z.string().min(1)),
  })
  .strict();

const QuestionFileSchema = z.object({ about: z.string().optional(), questions: z.array(QuestionSchema).min(1) }).strict();

export function loadQuestions(file: string): Question[] {
  const parsed = QuestionFileSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${file}: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
  }
  const questions = parsed.data.questions as Question[];
  const seen = new Set<string>();
  for (const q of questions) {
    if (seen.has(q.id)) throw new Error(`${file}: question id ${q.id} is used twice`);
    if (q.split !== splitOf(q.id)) {
      throw new Error(`${file}: question ${q.id} says split "${q.split}" but its id hashes to "${splitOf(q.id)}" (splits follow the id's hash; see eval/metrics.ts splitOf)`);
    }
    seen.add(q.id);
  }
  return questions;
}

/** Throws, naming every failing question id, when an expected range does not hold its answer terms. */
export function verifyQuestions(questions: readonly Question[], domains: ReadonlyMap<string, DomainContext>): void {
  const readLines = (shard: string, source: string): readonly string[] | undefined =>
    domains.get(shard)?.sources.find((s) => s.source === source)?.lines;
  const failures = questions.flatMap((q) => verifyQuestion(q, readLines).map((p) => `  ${q.id}: ${p}`));
  if (failures.length > 0) {
    throw new Error(
      `${failures.length} problem(s) in the question set against the contexts folder (did the corpus change? fix the line numbers):\n${failures.join('\n')}`,
    );
  }
}
