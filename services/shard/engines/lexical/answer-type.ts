/**
 * The answer type of a "what X" / "which X" question: the noun(s) right after
 * the question word name what kind of thing the answer is ("Which *city* did
 * the sailor hail from?" asks for a city: Buffalo). The engine lets a window
 * that names a kind of that thing (WordNet.kinds) count for the noun, the way
 * a synonym does, because the answer rarely repeats the noun itself.
 *
 * Pure: words in, words out. Which of them are nouns is WordNet's business.
 */
import { STOP_WORDS } from '../../../../shared/text/stop-words.js';
import { tokenize } from '../../../../shared/text/text-analysis.js';

/** Words after the question word that are read as candidates for its noun. */
export const MAX_FOCUS_WORDS = 3;

/**
 * The lower-case words that may name the answer's type: up to
 * MAX_FOCUS_WORDS words after a leading (or preposition-led) "what" or
 * "which", up to the first stop word ("Which *island town* did…",
 * "In which *year*…", "What *constitutional change* did…"). Empty when the
 * question does not start that way ("Who…", "How many…", "What did…").
 */
export function focusWords(question: string): string[] {
  const words = tokenize(question.toLowerCase());
  let at = 0;
  // "In which year", "To what country", "Of which ships": one leading preposition.
  if (words.length > 1 && PREPOSITIONS.has(words[0] as string)) at = 1;
  if (words[at] !== 'what' && words[at] !== 'which') return [];
  // "What kind of ship", "Which sort of whale", "Which one of the": the type follows "of".
  if (KIND_OF.has(words[at + 1] ?? '') && words[at + 2] === 'of') at += 2;
  const out: string[] = [];
  for (let i = at + 1; i < words.length && out.length < MAX_FOCUS_WORDS; i++) {
    const word = words[i] as string;
    if (STOP_WORDS.has(word) || /\d/.test(word)) break;
    out.push(word);
  }
  return out;
}

const PREPOSITIONS: ReadonlySet<string> = new Set(['in', 'on', 'at', 'from', 'to', 'of', 'for', 'by', 'with', 'into', 'under', 'during']);
const KIND_OF: ReadonlySet<string> = new Set(['kind', 'kinds', 'sort', 'sorts', 'type', 'types', 'one', 'ones']);
