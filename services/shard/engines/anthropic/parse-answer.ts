/**
 * Reads the model's reply: one JSON object {answer, citations}. Tolerates a
 * code fence or words around the object (models add them now and then); the
 * citation items are left unchecked here, citation-check.ts judges each one.
 */
import { z } from 'zod';

export type ParsedReply =
  | { ok: true; answer: string; citations: unknown[] }
  | { ok: false; reason: string };

const ReplySchema = z.object({
  answer: z.string({ error: 'answer must be a string' }),
  citations: z.array(z.unknown(), { error: 'citations must be an array' }).default([]),
});

export function parseReply(text: string): ParsedReply {
  const json = extractObject(text);
  if (json === undefined) return { ok: false, reason: 'the reply holds no JSON object' };
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (err) {
    return { ok: false, reason: `the reply is not valid JSON (${err instanceof Error ? err.message : String(err)})` };
  }
  const parsed = ReplySchema.safeParse(value);
  if (!parsed.success) return { ok: false, reason: parsed.error.issues.map((i) => i.message).join('; ') };
  return { ok: true, answer: parsed.data.answer.trim(), citations: parsed.data.citations };
}

/** The outermost {...} of the text, code fences and chatter around it ignored. */
function extractObject(text: string): string | undefined {
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  if (start < 0 || end <= start) return undefined;
  return text.slice(start, end + 1);
}
