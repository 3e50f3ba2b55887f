/**
 * Questions the lexical scenarios ask: real questions about the demo corpus
 * (README's three first), of different lengths, so the engine's time is that
 * of ordinary questions, not of one lucky query.
 */
export const DEMO_QUESTIONS: readonly string[] = [
  'Whose name was painted on the swinging sign of the Spouter Inn?',
  'Which address declared the American continents not subjects for future colonization by any European powers?',
  'Which regimes constitute an axis of evil?',
  'What was Queequeg selling in New Bedford?',
  'Who is the captain of the Pequod and how did he lose his leg?',
  'What is nailed to the mainmast as a reward for sighting the white whale?',
  'What did the President propose about the emancipation of slaves?',
  'How large was the public debt and how will it be paid?',
  'What was said about relations with the Indian tribes on the frontier?',
  'How should the country make health care more affordable?',
  'How did the whale destroy the ship in the end?',
  'What treaties were concluded with Great Britain?',
];

/** The four demo domains a benchmark fan-out goes to (the fifth stays out, so every fan-out is 4 wide like the raw baseline). */
export const FANOUT_DOMAINS: readonly string[] = ['moby-dick-1', 'moby-dick-2', 'sotu-early', 'sotu-civil-war'];
