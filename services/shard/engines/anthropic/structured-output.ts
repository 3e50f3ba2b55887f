/**
 * The reply's JSON schema, sent as `output_config.format` to models that take
 * structured outputs, so their reply is valid JSON of this shape by
 * construction (parse-answer.ts's outermost-object reading stays as the
 * fallback for models without it, docs/claude.md). The API puts the schema
 * into the prompt ahead of the cached system blocks, so a change to it would
 * invalidate every domain's cache entry: it is one frozen constant, serialised
 * the same way on every call (test/unit/structured-output.test.ts pins its
 * bytes; bump PROMPT_VERSION when it changes).
 *
 * Only keywords structured outputs supports: no numeric bounds (relevance's
 * 0..1 range and line ≥ 1 are checked by citation-check.ts).
 */
import type Anthropic from '@anthropic-ai/sdk';
import type { ModelLimits } from '../../../../shared/llm/model-limits.js';

const CITATION_SCHEMA = {
  type: 'object',
  properties: {
    source: { type: 'string' },
    line: { type: 'integer' },
    endLine: { type: 'integer' },
    quote: { type: 'string' },
    relevance: { type: 'number' },
  },
  required: ['source', 'line', 'endLine', 'quote', 'relevance'],
  additionalProperties: false,
} as const;

export const REPLY_SCHEMA = deepFreeze({
  type: 'object',
  properties: {
    answer: { type: 'string' },
    citations: { type: 'array', items: CITATION_SCHEMA },
  },
  required: ['answer', 'citations'],
  additionalProperties: false,
});

/** The bytes of the schema as sent (key order fixed by the literal above). */
export const REPLY_SCHEMA_JSON = JSON.stringify(REPLY_SCHEMA);

/** `output_config.format` for a model that takes structured outputs, else undefined (the prompt's JSON instructions and the fallback parser). */
export function replyFormat(limits: ModelLimits): Anthropic.Messages.JSONOutputFormat | undefined {
  return limits.structuredOutputs ? { type: 'json_schema', schema: REPLY_SCHEMA as unknown as Record<string, unknown> } : undefined;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
