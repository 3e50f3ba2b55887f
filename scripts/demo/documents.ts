/** Pure mapping from dataset records to rendered demo documents (file name + content). */

import { formatDocument, slugify } from './text.js';

/** One generated file of a domain. */
export interface DemoDocument {
  /** File name inside the domain folder, e.g. "chapter-001-loomings.txt". */
  fileName: string;
  /** Full rendered text: title line, blank line, wrapped body, trailing LF. */
  content: string;
}

/** A Moby-Dick section: the chapter field and title from `chapter_N.json` etc., plus the `.txt` text. */
export interface MobyDickSection {
  /** "1".."135", "Etymology", "Extracts" or "Epilogue". */
  chapter: string;
  title: string;
  /** The section's text; its first line is the heading ("CHAPTER 1. Loomings."). */
  text: string;
}

/** A State of the Union address as stored in `YYYY_first_last_party.json`. */
export interface SotuAddress {
  year: number;
  name: string;
  /** Party name, or "none" (George Washington). */
  party: string;
  text: string;
}

const FRONT_MATTER_FILES: Readonly<Record<string, string>> = {
  Etymology: '00-etymology.txt',
  Extracts: '01-extracts.txt',
  Epilogue: 'epilogue.txt',
};

/**
 * File name of a Moby-Dick section, sorting in reading order:
 * "00-etymology.txt", "01-extracts.txt", "chapter-001-loomings.txt" … "epilogue.txt".
 */
export function mobyDickFileName(chapter: string, title: string): string {
  const frontMatter = FRONT_MATTER_FILES[chapter];
  if (frontMatter !== undefined) return frontMatter;
  if (!/^\d+$/.test(chapter)) throw new Error(`unexpected Moby-Dick section "${chapter}"`);
  return `chapter-${chapter.padStart(3, '0')}-${slugify(title)}.txt`;
}

/** Renders a Moby-Dick section, using the text's own heading line as the title line. */
export function mobyDickDocument(section: MobyDickSection): DemoDocument {
  const newline = section.text.indexOf('\n');
  const heading = newline === -1 ? section.text : section.text.slice(0, newline);
  const body = newline === -1 ? '' : section.text.slice(newline + 1);
  return { fileName: mobyDickFileName(section.chapter, section.title), content: formatDocument(heading, body) };
}

/** Whether the dataset names a party for the address ("none" means it does not). */
function hasParty(party: string): boolean {
  const trimmed = party.trim();
  return trimmed !== '' && trimmed.toLowerCase() !== 'none';
}

/** "State of the Union Address — George Washington, 1790", plus " (Party)" when known. */
export function sotuTitle(address: Pick<SotuAddress, 'year' | 'name' | 'party'>): string {
  const base = `State of the Union Address — ${address.name}, ${address.year}`;
  return hasParty(address.party) ? `${base} (${address.party.trim()})` : base;
}

/** "1790-george-washington.txt". */
export function sotuFileName(address: Pick<SotuAddress, 'year' | 'name'>): string {
  return `${address.year}-${slugify(address.name)}.txt`;
}

export function sotuDocument(address: SotuAddress): DemoDocument {
  return { fileName: sotuFileName(address), content: formatDocument(sotuTitle(address), address.text) };
}

/**
 * Chronological order. Two addresses in one year (1953, 1961) come from an
 * outgoing and an incoming president; the outgoing one, who also spoke the year
 * before, delivered first. Remaining ties are broken by name so the order is total.
 */
export function orderAddresses<T extends Pick<SotuAddress, 'year' | 'name'>>(addresses: readonly T[]): T[] {
  const speakers = new Set(addresses.map((a) => `${a.year}\u0000${a.name}`));
  const spokeYearBefore = (a: T): number => (speakers.has(`${a.year - 1}\u0000${a.name}`) ? 0 : 1);
  return [...addresses].sort(
    (a, b) => a.year - b.year || spokeYearBefore(a) - spokeYearBefore(b) || a.name.localeCompare(b.name, 'en'),
  );
}
