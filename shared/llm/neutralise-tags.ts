/**
 * Makes tag-like text in untrusted text inert before it goes into a prompt.
 * memfleet's prompts frame documents and shard answers with tags
 * (`<source path=…>`, `</context>`, `<answer shard=…>`); a document holding
 * `</source></context>` followed by instructions could otherwise pose as the
 * end of the data and the start of the prompt's own words (issue 11).
 *
 * Every `<` that opens something tag-like (`<x`, `</x`, `<!`, `<?`) becomes
 * `‹` (U+2039), and the `>` that closes it on the same line `›` (U+203A), so
 * no document text can write one of the prompt's tags. Only those brackets
 * change: "a < b", "x -> y" and every word stay as they were, so quotes still
 * match the real lines (citation-check.ts compares words, not punctuation),
 * and the text is the same on every call (the cached prefix stays
 * byte-stable). Pure.
 */

const TAG_LIKE = /<(\/?[A-Za-z!?][^<>\n]*)(>?)/g;

export function neutraliseTags(text: string): string {
  if (!text.includes('<')) return text;
  return text.replace(TAG_LIKE, (_match, inner: string, close: string) => `‹${inner}${close === '>' ? '›' : ''}`);
}
