/**
 * Wire formats between coordinator and shards (see docs/architecture.md).
 * Every job payload and every result is parsed with these schemas at the edge,
 * after its envelope has been verified.
 */
import { z } from 'zod';

/** Longest question accepted anywhere in the fleet (characters). */
export const MAX_QUESTION_CHARS = 4000;
/** Most citations a caller may ask for. */
export const MAX_TOP_K = 50;

export const TurnSchema = z
  .object({
    role: z.enum(['user', 'assistant']),
    content: z.string().max(20_000),
  })
  .strict();
export type Turn = z.infer<typeof TurnSchema>;

export const QueryIdSchema = z.string().regex(/^q_[A-Za-z0-9_-]{8,64}$/, 'must look like q_<8-64 url-safe chars>');

/** The body of a signed query job (coordinator → shard). */
export const QueryJobSchema = z
  .object({
    queryId: QueryIdSchema,
    question: z.string().min(1).max(MAX_QUESTION_CHARS),
    topK: z.number().int().min(1).max(MAX_TOP_K),
    /** Epoch milliseconds after which the answer is useless to the coordinator. */
    deadline: z.number().int().positive(),
    conversation: z.array(TurnSchema).max(20).default([]),
  })
  .strict();
export type QueryJob = z.infer<typeof QueryJobSchema>;

export const CitationSchema = z
  .object({
    /** Path of the source file relative to the domain folder, with forward slashes. */
    source: z.string().min(1).max(1024),
    /** First cited line, 1-based. */
    line: z.number().int().min(1),
    /** Last cited line, 1-based, inclusive (≥ line). */
    endLine: z.number().int().min(1),
    /** The cited lines, joined with "\n". */
    text: z.string().max(20_000),
    /** Relevance comparable across shards, in [0, 1]; higher is better. */
    score: z.number().min(0).max(1),
  })
  .strict()
  .refine((c) => c.endLine >= c.line, { message: 'endLine must be ≥ line', path: ['endLine'] });
export type Citation = z.infer<typeof CitationSchema>;

export const UsageSchema = z
  .object({
    inputTokens: z.number().int().min(0),
    outputTokens: z.number().int().min(0),
    cacheReadTokens: z.number().int().min(0),
    cacheWriteTokens: z.number().int().min(0),
    costUsd: z.number().min(0),
  })
  .strict();
export type Usage = z.infer<typeof UsageSchema>;

export const EMPTY_USAGE: Usage = Object.freeze({
  inputTokens: 0,
  outputTokens: 0,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  costUsd: 0,
});

export const EngineNameSchema = z.enum(['lexical', 'anthropic', 'noop']);
export type EngineName = z.infer<typeof EngineNameSchema>;

/** The body of a signed shard result (shard → coordinator, the job's return value). */
export const ShardResultSchema = z
  .object({
    queryId: QueryIdSchema,
    shard: z.string().min(1),
    replica: z.string().min(1),
    engine: EngineNameSchema,
    answer: z.string().max(100_000),
    citations: z.array(CitationSchema).max(MAX_TOP_K),
    usage: UsageSchema,
    timings: z
      .object({
        queueWaitMs: z.number().min(0),
        engineMs: z.number().min(0),
      })
      .strict(),
  })
  .strict();
export type ShardResult = z.infer<typeof ShardResultSchema>;
