import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import {
  mobyDickDocument,
  mobyDickFileName,
  orderAddresses,
  sotuFileName,
  sotuTitle,
} from '../../scripts/demo/documents.js';
import { balancedSplit, prefixWithinBudget } from '../../scripts/demo/plan.js';
import {
  columns,
  countLines,
  estimateTokens,
  formatDocument,
  normalizeWhitespace,
  slugify,
  splitParagraphs,
  wrapParagraph,
} from '../../scripts/demo/text.js';

const CALL_ME_ISHMAEL =
  'Call me Ishmael. Some years ago—never mind how long precisely—having little or no money in my purse, ' +
  'and nothing particular to interest me on shore, I thought I would sail about a little and see the watery ' +
  'part of the world. It is a way I have of driving off the spleen and regulating the circulation.';

const words = (text: string): string[] => text.split(/\s+/).filter(Boolean);

describe('wrapParagraph', () => {
  test('When a paragraph is longer than 80 columns, then it wraps on word boundaries', () => {
    const lines = wrapParagraph(CALL_ME_ISHMAEL, 80);
    assert.ok(lines.length > 1);
    for (const line of lines) {
      assert.ok(columns(line) <= 80, `line too long: ${line}`);
      assert.equal(line, line.trim());
      assert.doesNotMatch(line, / {2}/);
    }
    assert.equal(lines[0], 'Call me Ishmael. Some years ago—never mind how long precisely—having little or');
  });

  test('When a paragraph is wrapped, then every word is kept, in order', () => {
    const lines = wrapParagraph(CALL_ME_ISHMAEL, 80);
    assert.deepEqual(words(lines.join(' ')), words(CALL_ME_ISHMAEL));
  });

  test('When a line could take one more word, then the wrap is greedy and fills it', () => {
    assert.deepEqual(wrapParagraph('aaa bbb ccc ddd', 7), ['aaa bbb', 'ccc ddd']);
    assert.deepEqual(wrapParagraph('aaa bbb ccc ddd', 8), ['aaa bbb', 'ccc ddd']);
    assert.deepEqual(wrapParagraph('aaa bbb ccc ddd', 11), ['aaa bbb ccc', 'ddd']);
  });

  test('When a single word is longer than the width, then it stands alone on its line unbroken', () => {
    const word = 'x'.repeat(95);
    assert.deepEqual(wrapParagraph(`short ${word} tail`, 80), ['short', word, 'tail']);
  });

  test('When the same text is wrapped twice, then the lines are identical', () => {
    assert.deepEqual(wrapParagraph(CALL_ME_ISHMAEL, 80), wrapParagraph(CALL_ME_ISHMAEL, 80));
  });

  test('When text has irregular whitespace, then wrapping does not depend on it', () => {
    const messy = CALL_ME_ISHMAEL.replace(/ /g, ' \t\n  ');
    assert.deepEqual(wrapParagraph(messy, 80), wrapParagraph(CALL_ME_ISHMAEL, 80));
  });

  test('When text has em dashes or non-Latin letters, then each counts as one column and is kept', () => {
    const text = `${'—'.repeat(40)} ${'ϰ'.repeat(39)}`;
    assert.deepEqual(wrapParagraph(text, 80), [text]);
  });

  test('When the text is empty or blank, then there are no lines', () => {
    assert.deepEqual(wrapParagraph('', 80), []);
    assert.deepEqual(wrapParagraph(' \n\t ', 80), []);
  });

  test('When the width is not a positive integer, then it throws', () => {
    assert.throws(() => wrapParagraph('a b', 0), RangeError);
    assert.throws(() => wrapParagraph('a b', 2.5), RangeError);
  });
});

describe('normalizeWhitespace and splitParagraphs', () => {
  test('When text has stray control characters, then they are dropped and other characters kept', () => {
    assert.equal(normalizeWhitespace('4 1\u0002 per\u00a0cent — “bonds”  '), '4 1 per cent — “bonds”');
  });

  test('When paragraphs are separated by several blank lines or CRLF, then each paragraph is found once', () => {
    assert.deepEqual(splitParagraphs('one\r\n\r\n\r\n  two  a\n   two b\n\n\nthree\n'), [
      ['one'],
      ['two a', 'two b'],
      ['three'],
    ]);
  });
});

describe('formatDocument', () => {
  test('When a document is rendered, then it is a title line, a blank line and wrapped paragraphs with a trailing LF', () => {
    const doc = formatDocument('CHAPTER 1. Loomings.', `${CALL_ME_ISHMAEL}\n\n\nSecond   paragraph.\r\n`);
    const lines = doc.split('\n');
    assert.equal(lines[0], 'CHAPTER 1. Loomings.');
    assert.equal(lines[1], '');
    assert.ok(doc.endsWith('paragraph.\n'));
    assert.ok(!doc.endsWith('\n\n'));
    assert.ok(!doc.includes('\r'));
    assert.ok(!doc.includes('\n\n\n'));
    assert.equal(lines.at(-2), 'Second paragraph.');
    assert.equal(lines.at(-3), '');
  });

  test('When a paragraph has single line breaks (verse), then each source line starts a new output line', () => {
    assert.equal(formatDocument('T', '"That sea beast\n     Leviathan"'), 'T\n\n"That sea beast\nLeviathan"\n');
  });

  test('When the same input is rendered twice, then the output is byte-identical', () => {
    assert.equal(formatDocument('T', CALL_ME_ISHMAEL), formatDocument('T', CALL_ME_ISHMAEL));
  });
});

describe('slugify', () => {
  test('When a title has punctuation and capitals, then it becomes lowercase words joined by hyphens', () => {
    assert.equal(slugify('Enter Ahab; to Him, Stubb.'), 'enter-ahab-to-him-stubb');
    assert.equal(slugify('The Chase.—Third Day.'), 'the-chase-third-day');
    assert.equal(slugify('George W Bush'), 'george-w-bush');
  });

  test('When a title has apostrophes, then they are dropped rather than turned into hyphens', () => {
    assert.equal(slugify("Ahab's Boat and Crew. Fedallah."), 'ahabs-boat-and-crew-fedallah');
    assert.equal(slugify('The Town-Ho’s Story.'), 'the-town-hos-story');
  });

  test('When a title has accented letters, then they are folded to ASCII', () => {
    assert.equal(slugify('Café Noël'), 'cafe-noel');
  });

  test('When a slug would be too long, then it is cut at a word boundary', () => {
    const slug = slugify('Of Whales in Paint; in Teeth; in Wood; in Sheet-Iron; in Stone; in Mountains; in Stars.');
    assert.ok(slug.length <= 60);
    assert.equal(slug, 'of-whales-in-paint-in-teeth-in-wood-in-sheet-iron-in-stone');
    assert.equal(slugify('abcdefghij', 4), 'abcd');
  });

  test('When a title has no letters or digits, then the slug is "untitled"', () => {
    assert.equal(slugify('—?!'), 'untitled');
  });
});

describe('token and line counts', () => {
  test('When estimating tokens, then it is ceil(chars / 4)', () => {
    assert.equal(estimateTokens(''), 0);
    assert.equal(estimateTokens('abcd'), 1);
    assert.equal(estimateTokens('abcde'), 2);
  });

  test('When counting lines, then an LF-terminated text counts its LFs and a final partial line counts too', () => {
    assert.equal(countLines(''), 0);
    assert.equal(countLines('a\n\nb\n'), 3);
    assert.equal(countLines('a\nb'), 2);
  });
});

describe('document names and titles', () => {
  test('When naming Moby-Dick sections, then the names sort in reading order', () => {
    const names = [
      mobyDickFileName('Etymology', ''),
      mobyDickFileName('Extracts', ''),
      mobyDickFileName('1', 'Loomings.'),
      mobyDickFileName('9', 'The Sermon.'),
      mobyDickFileName('10', 'A Bosom Friend.'),
      mobyDickFileName('135', 'The Chase.—Third Day.'),
      mobyDickFileName('Epilogue', ''),
    ];
    assert.equal(names[2], 'chapter-001-loomings.txt');
    assert.deepEqual([...names].sort(), names);
  });

  test('When a Moby-Dick section is rendered, then its heading line becomes the title line', () => {
    const doc = mobyDickDocument({ chapter: '1', title: 'Loomings.', text: 'CHAPTER 1. Loomings.\n\nCall me Ishmael.\n' });
    assert.deepEqual(doc, { fileName: 'chapter-001-loomings.txt', content: 'CHAPTER 1. Loomings.\n\nCall me Ishmael.\n' });
  });

  test('When an address has a party, then the title names it, and when the party is "none" it is left out', () => {
    assert.equal(
      sotuTitle({ year: 2021, name: 'Joseph R Biden', party: 'Democratic' }),
      'State of the Union Address — Joseph R Biden, 2021 (Democratic)',
    );
    assert.equal(
      sotuTitle({ year: 1790, name: 'George Washington', party: 'none' }),
      'State of the Union Address — George Washington, 1790',
    );
    assert.equal(sotuFileName({ year: 1790, name: 'George Washington' }), '1790-george-washington.txt');
  });

  test('When two presidents spoke in one year, then the outgoing one (who spoke the year before) comes first', () => {
    const ordered = orderAddresses([
      { year: 1953, name: 'Dwight D Eisenhower' },
      { year: 1952, name: 'Harry S Truman' },
      { year: 1953, name: 'Harry S Truman' },
      { year: 1790, name: 'George Washington' },
    ]);
    assert.deepEqual(
      ordered.map((a) => `${a.year} ${a.name}`),
      ['1790 George Washington', '1952 Harry S Truman', '1953 Harry S Truman', '1953 Dwight D Eisenhower'],
    );
  });
});

describe('budget planning', () => {
  test('When items are taken within a budget, then it stops before the first item that would exceed it', () => {
    assert.equal(prefixWithinBudget([40, 50, 30, 5], 100), 2);
    assert.equal(prefixWithinBudget([40, 60], 100), 2);
    assert.equal(prefixWithinBudget([101, 1], 100), 0);
    assert.equal(prefixWithinBudget([], 100), 0);
  });

  test('When a sequence is split in two, then both halves are within budget and as equal as possible', () => {
    assert.equal(balancedSplit([10, 10, 10, 10], 100), 2);
    assert.equal(balancedSplit([50, 10, 10, 10, 10], 100), 1);
    assert.equal(balancedSplit([30, 30, 30, 5], 60), 2);
  });

  test('When no split keeps both halves within budget, then it throws', () => {
    assert.throws(() => balancedSplit([60, 60, 60], 100), /cannot split/);
    assert.throws(() => balancedSplit([10], 100), /cannot split/);
  });
});
