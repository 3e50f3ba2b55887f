/**
 * The question of issue 11's CPU finding: as long as the API admits (4,000
 * characters), made of the domain's own commonest distinct words, so every
 * word matches and each one's index entry is as long as it gets. Deterministic
 * for a given domain.
 */
import type { DomainContext } from '../services/shard/domain/domain-context.js';
import { tokenize } from '../shared/text/text-analysis.js';
import { MAX_QUESTION_CHARS } from '../shared/queues/schemas.js';

export function longQuestion(ctx: DomainContext, maxChars = MAX_QUESTION_CHARS): { question: string; distinctWords: number } {
  const counts = new Map<string, number>();
  for (const file of ctx.sources) {
    for (const line of file.lines) {
      for (const word of tokenize(line)) if (/^[a-z]{3,}$/.test(word)) counts.set(word, (counts.get(word) ?? 0) + 1);
    }
  }
  const ranked = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([word]) => word);
  const words: string[] = [];
  let length = 0;
  for (const word of ranked) {
    if (length + word.length + 1 > maxChars) break;
    words.push(word);
    length += word.length + 1;
  }
  return { question: words.join(' '), distinctWords: words.length };
}
