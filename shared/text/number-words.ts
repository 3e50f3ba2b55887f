/**
 * Numbers written as words, as the digits a text may use instead:
 * "fourteen years" and "14 years", "the first hundred days" and "100 days"
 * must meet in the index. Only cardinal words that stand for one number are
 * mapped; compounds are left as their parts ("twenty-five" → 20, 5), and
 * ordinals ("first", "second": also a unit of time) are not numbers here.
 */
const WORDS: ReadonlyMap<string, string> = new Map(
  Object.entries({
    zero: '0', one: '1', two: '2', three: '3', four: '4', five: '5', six: '6', seven: '7', eight: '8', nine: '9',
    ten: '10', eleven: '11', twelve: '12', thirteen: '13', fourteen: '14', fifteen: '15', sixteen: '16',
    seventeen: '17', eighteen: '18', nineteen: '19', twenty: '20', thirty: '30', forty: '40', fifty: '50',
    sixty: '60', seventy: '70', eighty: '80', ninety: '90', hundred: '100', thousand: '1000',
    million: '1000000', billion: '1000000000', trillion: '1000000000000', dozen: '12',
  }),
);

/** The digits for a lower-case number word, or undefined when the word is not one. */
export function numberWord(word: string): string | undefined {
  return WORDS.get(word);
}

/**
 * A number as one canonical term: thousands separators dropped ("1,000" →
 * "1000"), decimals and dotted versions kept whole ("1.3", "10.0.0.1"). The
 * tokenizer (text-analysis.ts) only keeps a comma inside a number when it
 * separates thousands, so every comma here is one.
 */
export function canonicalNumber(word: string): string {
  return word.includes(',') ? word.replaceAll(',', '') : word;
}
