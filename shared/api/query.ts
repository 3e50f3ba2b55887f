/** HTTP request bodies, validated at the edge. */
import { z } from 'zod';
import { MAX_TOP_K } from '../queues/schemas.js';
import { DOMAIN_PATTERN } from '../queues/names.js';

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
      mode: z.enum(['broadcast', 'routed'], { error: 'expected "broadcast" or "routed"' }).optional(),
      topK: z.number({ error: 'expected an integer' }).int('expected an integer').min(1).max(MAX_TOP_K).optional(),
      timeoutMs: z.number({ error: 'expected an integer' }).int('expected an integer').min(50).max(maxTimeoutMs).optional(),
      synthesize: z.boolean({ error: 'expected true or false' }).optional(),
    })
    .strict();
}
