/** The fleet's citation tag, `shard/source:line` or `shard/source:line-endLine`, as answers, the CLI and MCP print it. */

export interface CitationRef {
  shard: string;
  source: string;
  line: number;
  endLine: number;
}

/** `shard/source:line` or `shard/source:line-endLine`. */
export function cite(c: CitationRef): string {
  return `${c.shard}/${c.source}:${c.line}${c.endLine > c.line ? `-${c.endLine}` : ''}`;
}
