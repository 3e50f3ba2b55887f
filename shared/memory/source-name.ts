/**
 * Names of written sources follow the folder loader's rules
 * (services/shard/domain/load-domain.ts), so a written source could be
 * exported into the domain folder and load under the same name: a relative
 * path with forward slashes, no dot-files or dot-folders, ending in .md or .txt.
 */

/** CitationSchema's limit on `source`. */
export const MAX_SOURCE_NAME_CHARS = 1024;

const EXTENSION = /\.(md|txt)$/i;
const CONTROL = /[\p{Cc}\p{Cs}]/u;

/** @returns undefined when `name` is a valid source name, else what is wrong with it (for a 400 message). */
export function sourceNameProblem(name: string): string | undefined {
  if (name === '') return 'is empty: name the document, e.g. notes/handover.md';
  if (name.length > MAX_SOURCE_NAME_CHARS) return `is ${name.length} characters; the limit is ${MAX_SOURCE_NAME_CHARS}`;
  if (CONTROL.test(name)) return 'contains control characters';
  if (name.includes('\\')) return 'contains "\\": separate folders with "/"';
  if (name.startsWith('/')) return 'starts with "/": give a path relative to the domain folder, e.g. notes/handover.md';
  const segments = name.split('/');
  if (segments.some((s) => s === '')) return 'has an empty path segment ("//" or a trailing "/")';
  if (segments.some((s) => s.startsWith('.'))) return 'has a segment starting with "." (dot-files, "." and ".." are not sources)';
  if (!EXTENSION.test(name)) return 'must end in .md or .txt, like the files of a domain folder';
  return undefined;
}
