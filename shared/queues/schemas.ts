/**
 * Wire formats between coordinator and shards (see docs/architecture.md).
 * Every job payload and every result is parsed with these schemas at the edge,
 * after its envelope has been verified.
 */
import { z } from 'zod';
import { DOMAIN_PATTERN } from './names.js';
import { DEFAULT_QUERY_TERM_BUDGET } from '../text/query-term-budget.js';

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

/**
 * Where a job may be answered: signed into every job body, and checked by the
 * shard before anything else (services/shard/worker/verify-job.ts). `shard` is
 * the domain whose queue the job was added to, `jobId` the BullMQ job id the
 * coordinator gave it; a genuine envelope found under any other queue or id is
 * refused (`wrong_shard`, `wrong_job_id`).
 */
export const JobAddressSchema = z.object({
  shard: z.string().regex(DOMAIN_PATTERN, 'must be a domain name'),
  jobId: z.string().min(1).max(200),
});
export type JobAddress = z.infer<typeof JobAddressSchema>;
/** A job body before the dispatcher signs its address into it (distributes over unions such as ReadJob). */
export type Unaddressed<T> = T extends unknown ? Omit<T, keyof JobAddress> : never;

/**
 * Fleet-wide term statistics for the question (shared/text/fleet-term-stats.ts):
 * the windows of every lexical domain, and per analysed question term the
 * windows holding it, so every shard weighs the question's words with the same
 * IDF. At most the query-term budget's `maxTerms` terms, each one of the
 * question's own (so no longer than it).
 */
export const FleetTermStatsSchema = z
  .object({
    windows: z.number().int().min(0),
    df: z
      .record(z.string().min(1).max(MAX_QUESTION_CHARS), z.number().int().min(0))
      .refine((df) => Object.keys(df).length <= DEFAULT_QUERY_TERM_BUDGET.maxTerms, {
        message: `at most ${DEFAULT_QUERY_TERM_BUDGET.maxTerms} terms`,
      }),
  })
  .strict();

/** The body of a signed query job (coordinator → shard). */
export const QueryJobSchema = z
  .object({
    ...JobAddressSchema.shape,
    queryId: QueryIdSchema,
    question: z.string().min(1).max(MAX_QUESTION_CHARS),
    topK: z.number().int().min(1).max(MAX_TOP_K),
    /** Epoch milliseconds after which the answer is useless to the coordinator. */
    deadline: z.number().int().positive(),
    conversation: z.array(TurnSchema).max(20).default([]),
    /**
     * The domain version (written sources, docs/architecture.md) the answer must
     * reflect: a replica behind it catches up first. Absent: answer as is.
     */
    version: z.number().int().min(0).optional(),
    /** Fleet-wide IDF statistics for the question's terms (absent: each shard uses its own, as before). */
    termStats: FleetTermStatsSchema.optional(),
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

/**
 * The body of a signed job failure (shard → coordinator, on the result channel):
 * signed with the domain's result key like a result, so a failure message
 * written into Redis by anyone else is never shown as the shard's reason.
 */
export const JobFailureSchema = z
  .object({
    jobId: z.string().min(1).max(200),
    shard: z.string().min(1),
    reason: z.string().max(2_000),
  })
  .strict();
export type JobFailure = z.infer<typeof JobFailureSchema>;

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
    /** The domain version the replica answered at (≥ the job's). */
    version: z.number().int().min(0).optional(),
  })
  .strict();
export type ShardResult = z.infer<typeof ShardResultSchema>;

/*
 * Read jobs: the second job kind on `shard.<domain>` (job name "read"). The
 * coordinator holds no domain files, so the console and MCP resources read
 * source lines through the shard that loaded them. Same envelope, same keys,
 * same checks as query jobs; the strict schemas keep a read body from passing
 * as a query (and a read result from passing as a shard result).
 */

/** BullMQ job name of read jobs; query jobs are named "query". */
export const READ_JOB_NAME = 'read';
/** Most lines one read returns: a long page, still small enough for a signed job result. */
export const MAX_READ_LINES = 500;
/** Most UTF-8 bytes of text one read result carries (the envelope verifier accepts 256 KiB). */
export const MAX_READ_BYTES = 160 * 1024;

export const ReadIdSchema = z.string().regex(/^r_[A-Za-z0-9_-]{8,64}$/, 'must look like r_<8-64 url-safe chars>');

const readJobBase = {
  ...JobAddressSchema.shape,
  requestId: ReadIdSchema,
  /** Epoch milliseconds after which the answer is useless to the coordinator. */
  deadline: z.number().int().positive(),
  /** The domain version the read must reflect, as for queries. */
  version: z.number().int().min(0).optional(),
};

/** The body of a signed read job (coordinator → shard). */
export const ReadJobSchema = z.discriminatedUnion('op', [
  /** List the domain's sources with their line counts. */
  z.object({ op: z.literal('sources'), ...readJobBase }).strict(),
  /** Lines `line`..`endLine` (1-based, inclusive) of one source; the shard clamps and caps the range. */
  z
    .object({
      op: z.literal('lines'),
      ...readJobBase,
      source: z.string().min(1).max(1024),
      line: z.number().int().min(1),
      endLine: z.number().int().min(1),
    })
    .strict(),
]);
export type ReadJob = z.infer<typeof ReadJobSchema>;

export const SourceInfoSchema = z
  .object({
    source: z.string().min(1).max(1024),
    lines: z.number().int().min(0),
    tokens: z.number().int().min(0),
    /** `folder`: loaded from the domain folder (read-only); `written`: kept in Redis, written through the API. */
    origin: z.enum(['folder', 'written']).optional(),
    /** Written sources: the domain version they were last written at (what If-Match compares). */
    version: z.number().int().min(1).optional(),
    /** Written sources: when they forget themselves (epoch ms), or null. */
    expiresAt: z.number().int().positive().nullable().optional(),
  })
  .strict();
export type SourceInfo = z.infer<typeof SourceInfoSchema>;

const readResultBase = {
  requestId: ReadIdSchema,
  shard: z.string().min(1),
  replica: z.string().min(1),
};

/** The body of a signed read result (shard → coordinator, the job's return value). */
export const ReadResultSchema = z.discriminatedUnion('op', [
  z
    .object({
      op: z.literal('sources'),
      ...readResultBase,
      sources: z.array(SourceInfoSchema),
      /** True when the list was cut to fit one result; `total` says how many exist. */
      truncated: z.boolean(),
      total: z.number().int().min(0),
      /** The domain version the list reflects. */
      version: z.number().int().min(0).optional(),
    })
    .strict(),
  z
    .object({
      op: z.literal('lines'),
      ...readResultBase,
      source: z.string().min(1).max(1024),
      /** First and last line returned, after clamping to the file and capping the size. */
      line: z.number().int().min(1),
      endLine: z.number().int().min(0),
      totalLines: z.number().int().min(0),
      /** lines[0] is line `line`. */
      lines: z.array(z.string()).max(MAX_READ_LINES),
      /** True when fewer lines than asked came back because of the size cap (not because the file ended). */
      truncated: z.boolean(),
    })
    .strict(),
  z
    .object({
      op: z.literal('error'),
      ...readResultBase,
      code: z.enum(['unknown_source', 'out_of_range']),
      message: z.string().max(2_000),
    })
    .strict(),
]);
export type ReadResult = z.infer<typeof ReadResultSchema>;
