/**
 * `POST /v1/query` and `GET /v1/queries/:id` (docs/api.md): the request body,
 * validated at the coordinator's edge and by the clients before they send it,
 * and the answer's shape.
 */
import { z } from 'zod';
import { MAX_TOP_K, UsageSchema } from '../queues/schemas.js';
import { DOMAIN_PATTERN } from '../queues/names.js';
import { integerInRange } from './errors.js';

/** The shortest deadline a query may ask for, ms. The longest is the coordinator's MAX_QUERY_TIMEOUT_MS. */
export const MIN_TIMEOUT_MS = 50;

/** `topK`, with the message every client gives: "topK must be an integer from 1 to 50, got 0". */
export const topKField = () => integerInRange('topK', 1, MAX_TOP_K);

/** `timeoutMs`, from MIN_TIMEOUT_MS to the coordinator's MAX_QUERY_TIMEOUT_MS. */
export const timeoutMsField = (maxTimeoutMs: number) => integerInRange('timeoutMs', MIN_TIMEOUT_MS, maxTimeoutMs);

export const QUERY_MODES = ['broadcast', 'routed'] as const;
export type QueryMode = (typeof QUERY_MODES)[number];

export function queryBodySchema(maxTimeoutMs: number) {
  return z
    .object({
      question: z
        .string({ error: 'expected a string' })
        .trim()
        .min(1, 'must not be empty')
        // JSON may escape lone surrogates (\ud800) that no UTF-8 signature can carry (shared/envelope): refuse them here.
        .refine((q) => !/\p{Cs}/u.test(q), 'must be well-formed Unicode text (no lone surrogate escapes)'),
      shards: z
        .array(z.string().regex(DOMAIN_PATTERN, 'expected a shard name like "moby-dick-1"'), { error: 'expected an array of shard names' })
        .max(64)
        .optional(),
      mode: z.enum(QUERY_MODES, { error: 'expected "broadcast" or "routed"' }).optional(),
      topK: topKField().optional(),
      timeoutMs: timeoutMsField(maxTimeoutMs).optional(),
      synthesize: z.boolean({ error: 'expected true or false' }).optional(),
    })
    .strict();
}

/** The fields `POST /v1/query` accepts (unknown ones are refused with a suggestion). */
export const QUERY_BODY_KEYS: readonly string[] = Object.keys(queryBodySchema(Number.MAX_SAFE_INTEGER).shape);

export type QueryBody = z.input<ReturnType<typeof queryBodySchema>>;

export const ShardStatusSchema = z.enum(['ok', 'timeout', 'error']);
export type ShardStatus = z.infer<typeof ShardStatusSchema>;

/**
 * How far the fleet trusts an answer or a citation: `high` (the passage
 * matches the question well), `low` (weak evidence: the closest there is, but
 * check it), `none` (nothing found; answers only). Thresholds: MIN_SCORE and
 * HIGH_SCORE on the coordinator (docs/quality.md).
 */
export const ConfidenceSchema = z.enum(['high', 'low', 'none']);
export type Confidence = z.infer<typeof ConfidenceSchema>;

export const MergedCitationSchema = z.object({
  shard: z.string(),
  source: z.string(),
  line: z.number().int(),
  endLine: z.number().int(),
  text: z.string(),
  score: z.number(),
  /** `high` from HIGH_SCORE, else `low`. */
  confidence: z.enum(['high', 'low']),
});
export type MergedCitation = z.infer<typeof MergedCitationSchema>;

export const ShardOutcomeSchema = z.object({
  shard: z.string(),
  status: ShardStatusSchema,
  latencyMs: z.number(),
  error: z.string().optional(),
  replica: z.string().optional(),
  /** The domain version the shard answered at (written sources; docs/architecture.md). */
  version: z.number().int().optional(),
});
export type ShardOutcome = z.infer<typeof ShardOutcomeSchema>;

/** What the response's `synthesis` field reports. */
export const SynthesisInfoSchema = z.object({
  model: z.string(),
  /** ok: the answer is the synthesis; skipped: nothing to synthesise; rejected/error: the offline merge stands. */
  status: z.enum(['ok', 'skipped', 'rejected', 'error']),
  detail: z.string().optional(),
});
export type SynthesisInfo = z.infer<typeof SynthesisInfoSchema>;

export const QueryResponseSchema = z.object({
  id: z.string(),
  answer: z.string(),
  /** The best citation's confidence; `none` when nothing was found. */
  confidence: ConfidenceSchema,
  citations: z.array(MergedCitationSchema),
  shards: z.array(ShardOutcomeSchema),
  latencyMs: z.number(),
  /** Shards' usage plus the synthesis call's, when there was one. */
  usage: UsageSchema,
  /** Present when synthesis was asked for: whether the answer is the synthesis, and if not, why. */
  synthesis: SynthesisInfoSchema.optional(),
});
export type QueryResponse = z.infer<typeof QueryResponseSchema>;

/** `GET /v1/queries/:id`: the stored answer, a query still running (202), or one that failed. */
export const StoredQuerySchema = z.discriminatedUnion('status', [
  QueryResponseSchema.extend({ status: z.literal('done') }),
  z.object({ id: z.string(), status: z.literal('running'), deadline: z.number() }),
  z.object({ id: z.string(), status: z.literal('failed'), error: z.object({ code: z.string(), message: z.string() }) }),
]);
export type StoredQuery = z.infer<typeof StoredQuerySchema>;
