/**
 * The API's one error shape, `{ error: { code, message } }`, and the messages
 * every side gives for a bad request: the coordinator answers them, and the
 * CLI and the MCP server validate with the same schemas, so a person sees the
 * same words whichever client they use.
 */
import { z } from 'zod';

export const ApiErrorBodySchema = z
  .object({
    error: z.object({ code: z.string(), message: z.string() }).strict(),
  })
  .strict();
export type ApiErrorBody = z.infer<typeof ApiErrorBodySchema>;

/** The body of a 415: what was sent, and what to send instead. */
export function unsupportedMediaTypeMessage(contentType?: string): string {
  const sent = contentType?.split(';')[0]?.trim();
  return `${sent ? `The body was sent as ${sent}: send` : 'Send'} the body as JSON with Content-Type: application/json.`;
}

/** A value as it appears in a message: JSON, cut short. */
export function shown(value: unknown): string {
  let text: string;
  try {
    text = value === undefined ? 'nothing' : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** `field must be an integer from min to max, got value`, for a field and for a CLI flag alike. */
export function integerRangeMessage(field: string, min: number, max: number, value: unknown): string {
  return `${field} must be an integer from ${min} to ${max}, got ${shown(value)}`;
}

/** An optional-or-required integer in [min, max] whose every failure names the field, the range and the value sent. */
export function integerInRange(field: string, min: number, max: number) {
  const error = (issue: { input?: unknown }) => integerRangeMessage(field, min, max, issue.input);
  return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
}

const normalise = (key: string) => key.toLowerCase().replace(/[^a-z0-9]/g, '');

/** Edits (insert, delete, substitute, swap two neighbours) between two strings. */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/** The known key an unknown one most likely meant (`top_k` → `topK`, `questoin` → `question`), if any is close. */
export function suggestKey(unknown: string, known: readonly string[]): string | undefined {
  const u = normalise(unknown);
  const exact = known.find((k) => normalise(k) === u);
  if (exact) return exact;
  let best: { key: string; distance: number } | undefined;
  for (const key of known) {
    const distance = editDistance(u, normalise(key));
    if (distance <= Math.max(1, Math.floor(key.length / 4)) && (!best || distance < best.distance)) best = { key, distance };
  }
  return best?.key;
}

/** `unknown field "top_k": did you mean "topK"?`, or the list of allowed fields when nothing is close. */
export function unknownKeyMessage(key: string, known: readonly string[], what = 'field'): string {
  const suggestion = suggestKey(key, known);
  if (suggestion) return `unknown ${what} "${key}": did you mean "${suggestion}"?`;
  return `unknown ${what} "${key}": the allowed ${what}s are ${known.join(', ')}`;
}

/**
 * The first few issues of a request that failed its schema, as one sentence
 * list: unknown keys with a suggestion, and messages that already name their
 * field as they are; others prefixed by the field's path.
 */
export function describeRequestIssues(error: z.ZodError, known: readonly string[] = [], what = 'field'): string {
  const parts: string[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys' && issue.path.length === 0) {
      for (const key of issue.keys) parts.push(unknownKeyMessage(key, known, what));
      continue;
    }
    const path = issue.path.map(String).join('.');
    parts.push(path === '' || issue.message.startsWith(`${path} `) ? issue.message : `${path}: ${issue.message}`);
  }
  return parts.slice(0, 5).join('; ');
}
