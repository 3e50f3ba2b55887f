/**
 * `GET /v1/shards/:shard/sources` and `GET /v1/shards/:shard/lines`
 * (docs/api.md, "Sources"): reading a shard's source files through the
 * coordinator; and `PUT`/`DELETE`/`GET /v1/shards/:shard/sources/*`
 * (docs/api.md, "Writing to memory"): the domain's written sources.
 * Parameters and answers.
 */
import { z } from 'zod';
import { DOMAIN_PATTERN } from '../queues/names.js';
import { SourceInfoSchema } from '../queues/schemas.js';

export const ShardParamSchema = z.object({ shard: z.string().regex(DOMAIN_PATTERN) });

const lineNumber = (name: string) =>
  z.coerce.number({ error: `${name} must be a line number (1-based)` }).int(`${name} must be a whole number`).min(1, `${name} must be ≥ 1`);

/** The query string of `/lines`: `source` (required), `from` (default 1), `to` (default from + MAX_READ_LINES - 1). */
export const LinesQuerySchema = z
  .object({
    source: z.string({ error: 'source is required: a path relative to the domain folder, e.g. notes/comets.txt' }).min(1, 'source must not be empty').max(1024),
    from: lineNumber('from').default(1),
    to: lineNumber('to').optional(),
  })
  .strict()
  .refine((q) => q.to === undefined || q.to >= q.from, { message: 'to must be ≥ from', path: ['to'] });

/** The parameters `/lines` accepts (unknown ones are refused with a suggestion). */
export const LINES_QUERY_KEYS: readonly string[] = ['source', 'from', 'to'];

export const SourceListSchema = z.object({
  shard: z.string(),
  replica: z.string(),
  /** The domain version the list reflects (written sources, docs/architecture.md). */
  version: z.number().int().optional(),
  sources: z.array(SourceInfoSchema),
  /** True when the list was cut to fit one result; `total` counts every source. */
  truncated: z.boolean(),
  total: z.number().int(),
});
export type SourceList = z.infer<typeof SourceListSchema>;

export const SourceLinesSchema = z.object({
  shard: z.string(),
  source: z.string(),
  /** First and last line returned (1-based, inclusive), after the shard clamped the range. */
  from: z.number().int(),
  to: z.number().int(),
  totalLines: z.number().int(),
  /** True when the size cap cut the range short of what was asked (ask again from `to + 1`). */
  truncated: z.boolean(),
  lines: z.array(z.object({ line: z.number().int(), text: z.string() })),
});
export type SourceLines = z.infer<typeof SourceLinesSchema>;

/* ---------- Writing to memory ---------- */

/** Longest expiry accepted, in seconds (10 years). */
export const MAX_TTL_SEC = 10 * 365 * 86_400;

export const WrittenSourceParamsSchema = z.object({
  shard: z.string().regex(DOMAIN_PATTERN),
  /** The rest of the path after /sources/: may contain "/" (notes/2026-12-01-handover.md). */
  '*': z.string(),
});

export const PutSourceQuerySchema = z
  .object({
    ttl: z.coerce
      .number({ error: 'ttl must be a number of seconds' })
      .int('ttl must be a whole number of seconds')
      .min(1, 'ttl must be ≥ 1 second')
      .max(MAX_TTL_SEC, `ttl must be ≤ ${MAX_TTL_SEC} seconds (10 years)`)
      .optional(),
  })
  .strict();

/** The JSON form of a PUT body; text/plain and text/markdown bodies are the document itself. */
export const PutSourceJsonBodySchema = z
  .object({
    text: z
      .string({ error: 'text is required: the document, as a string' })
      .refine((t) => !/\p{Cs}/u.test(t), 'text must be well-formed Unicode (no lone surrogate escapes)'),
  })
  .strict();

/** `If-Match: 7` or `If-Match: "7"`: the version the source must still be at. */
export const IF_MATCH_PATTERN = /^\s*(?:W\/)?"?(\d{1,15})"?\s*$/;

/** 201 (created) or 200 (replaced). */
export const PutSourceResponseSchema = z.object({
  shard: z.string(),
  source: z.string(),
  lines: z.number().int(),
  tokens: z.number().int(),
  /** The domain version this write created; also the source's version (what If-Match compares). */
  version: z.number().int(),
  /** When the source forgets itself (ISO time), or null. */
  expiresAt: z.string().nullable(),
});
export type PutSourceResponse = z.infer<typeof PutSourceResponseSchema>;

export const DeleteSourceResponseSchema = z.object({
  shard: z.string(),
  source: z.string(),
  version: z.number().int(),
});
export type DeleteSourceResponse = z.infer<typeof DeleteSourceResponseSchema>;

/** `GET /v1/shards/:shard/sources/*`: one written source's text. */
export const WrittenSourceSchema = z.object({
  shard: z.string(),
  source: z.string(),
  origin: z.literal('written'),
  version: z.number().int(),
  lines: z.number().int(),
  tokens: z.number().int(),
  text: z.string(),
  writtenAt: z.string(),
  expiresAt: z.string().nullable(),
});
export type WrittenSourceResponse = z.infer<typeof WrittenSourceSchema>;

/** 413 domain_full: the numbers a caller needs to decide what to forget (in the error object). */
export interface DomainFullDetails {
  budget: number;
  used: number;
  needed: number;
}
