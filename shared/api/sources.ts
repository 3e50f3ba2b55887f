/**
 * The sources resource of the HTTP API (docs/api.md, "Writing to memory"):
 * request schemas validated at the edge and the response shapes that CLI, MCP
 * and console read.
 */
import { z } from 'zod';
import { DOMAIN_PATTERN } from '../queues/names.js';
import type { SourceInfo } from '../queues/schemas.js';

/** Longest expiry accepted, in seconds (10 years). */
export const MAX_TTL_SEC = 10 * 365 * 86_400;

export const SourceParamsSchema = z.object({
  shard: z.string().regex(DOMAIN_PATTERN),
  /** The rest of the path after /sources/: may contain "/" (notes/2026-12-01-handover.md). */
  '*': z.string(),
});

export const PutQuerySchema = z
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
export const PutJsonBodySchema = z
  .object({
    text: z
      .string({ error: 'text is required: the document, as a string' })
      .refine((t) => !/\p{Cs}/u.test(t), 'text must be well-formed Unicode (no lone surrogate escapes)'),
  })
  .strict();

/** `If-Match: 7` or `If-Match: "7"`: the version the source must still be at. */
export const IF_MATCH_PATTERN = /^\s*(?:W\/)?"?(\d{1,15})"?\s*$/;

/** 201 (created) or 200 (replaced). */
export interface PutSourceResponse {
  shard: string;
  source: string;
  lines: number;
  tokens: number;
  /** The domain version this write created; also the source's version (what If-Match compares). */
  version: number;
  /** When the source forgets itself (ISO time), or null. */
  expiresAt: string | null;
}

export interface DeleteSourceResponse {
  shard: string;
  source: string;
  version: number;
}

/** GET /v1/shards/{shard}/sources/{source}: one written source's text. */
export interface WrittenSourceResponse {
  shard: string;
  source: string;
  origin: 'written';
  version: number;
  lines: number;
  tokens: number;
  text: string;
  writtenAt: string;
  expiresAt: string | null;
}

/** GET /v1/shards/{shard}/sources: folder and written sources, `origin` saying which. */
export interface SourceListResponse {
  shard: string;
  replica: string;
  /** The domain version the list reflects. */
  version?: number;
  sources: SourceInfo[];
  truncated: boolean;
  total: number;
}

/** 413 domain_full: the numbers a caller needs to decide what to forget. */
export interface DomainFullDetails {
  budget: number;
  used: number;
  needed: number;
}
