/**
 * Offline token estimate, used for the domain budget and the manifest.
 *
 * One token per four characters (rounded up) is the usual rule of thumb for
 * English prose with Claude-family and GPT-family tokenisers. It is deliberately
 * dependency-free and deterministic: the budget check must give the same answer
 * on every replica without a network call. It undercounts code and non-Latin
 * scripts, so budgets should keep some headroom.
 */
const CHARS_PER_TOKEN = 4;

export function estimateTokens(text: string): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}
