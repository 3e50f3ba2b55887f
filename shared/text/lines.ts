/**
 * How memfleet numbers the lines of a document, the same for folder files
 * (services/shard/domain/load-domain.ts) and written sources (the coordinator
 * counts them, the shards cite them): exactly as `nl -ba` and editors number
 * them, so a citation `source:line` can be checked by hand.
 */

/**
 * Splits on LF or CRLF only (a lone CR is not a line break for `nl`, `wc -l` or git).
 * A trailing newline terminates the last line rather than starting an empty one,
 * so "a\nb\n" is two lines and "a\nb\n\n" is three.
 */
export function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}
