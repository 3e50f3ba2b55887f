/**
 * Redis keys of a domain's written sources (docs/architecture.md, "Memory that
 * grows"). Every key of one domain carries the hash tag `{<domain>}`, so they
 * all live in one Redis Cluster slot: the write and read scripts touch several
 * of them atomically, and no command ever spans two domains.
 */
import { assertDomainName } from '../queues/names.js';

export interface MemoryKeys {
  /** String: the domain's version, bumped by every write (INCR semantics, inside the write script). */
  version: string;
  /** String: a random id created with the first write; a new one means Redis lost the domain's memory. */
  epoch: string;
  /** Hash source → signed record (envelope JSON): the content, or a signed tombstone after a delete. */
  records: string;
  /** Hash source → JSON {v, t, l, e, w} of live sources: version, tokens, lines, expiresAt (0 = never), writtenAt. */
  heads: string;
  /** Sorted set source → version of its last change: what a replica at version N must reload. */
  changes: string;
  /** Sorted set source → expiresAt (epoch ms) of sources written with a ttl. */
  expiries: string;
  /** String: tokens of the live written sources, kept by the write script for the budget check. */
  tokens: string;
  /** Hash {budget, tokens, loadedAt}: what the domain's folder holds, published by its replicas at start. */
  folder: string;
  /** Set: the folder's source names (read-only through the API). */
  folderSources: string;
  /** Pub/sub channel: signed write notifications, so idle replicas catch up promptly. */
  events: string;
}

export function memoryKeys(prefix: string, domain: string): MemoryKeys {
  const base = `${prefix}:mem:{${assertDomainName(domain)}}`;
  return {
    version: `${base}:version`,
    epoch: `${base}:epoch`,
    records: `${base}:records`,
    heads: `${base}:heads`,
    changes: `${base}:changes`,
    expiries: `${base}:expiries`,
    tokens: `${base}:tokens`,
    folder: `${base}:folder`,
    folderSources: `${base}:folder-sources`,
    events: `${base}:events`,
  };
}
