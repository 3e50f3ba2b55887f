/** The in-memory form of one domain folder: every source file split into lines. */

export interface SourceFile {
  /** Path relative to the domain folder, forward slashes (e.g. "chapters/ch-001.txt"). */
  source: string;
  /** The file's lines without line terminators; lines[0] is line 1. */
  lines: string[];
  /** Estimated tokens of this file. */
  tokens: number;
  /** Present on written sources (kept in Redis, services/shard/memory), absent on the folder's files. */
  written?: WrittenMeta;
}

export interface WrittenMeta {
  /** The domain version the source was last written at. */
  version: number;
  /** Epoch ms after which the source is forgotten, or null. */
  expiresAt: number | null;
  /** Coordinator clock at the write (epoch ms). */
  writtenAt: number;
}

export interface DomainContext {
  domain: string;
  /** Absolute path of the domain folder. */
  root: string;
  /** Sources sorted by `source` (stable order, so prompts and indexes are reproducible). */
  sources: SourceFile[];
  totalLines: number;
  /** Estimated tokens of the whole domain. */
  tokens: number;
  /** .md/.txt files left out because they are not text (binary, UTF-16, an unknown encoding), with the reason. */
  skipped?: { source: string; reason: string }[];
  /** Files read with a caveat (not UTF-8, read as Latin-1). */
  warnings?: { source: string; warning: string }[];
}
