/**
 * `GET /v1/shards/:shard/sources` and `GET /v1/shards/:shard/lines`
 * (docs/api.md, "Sources"): reading a shard's source files through the
 * coordinator. Parameters and answers.
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
