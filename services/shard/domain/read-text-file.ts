/**
 * Turns a source file's bytes into text, or says why it is not text. A shard
 * cites lines verbatim, so a file it cannot read as text must be skipped with
 * a reason, never indexed as garbage:
 *
 * - binary (a NUL byte, or many control characters, in the first 64 KB, the
 *   test git and grep use): skipped;
 * - UTF-16 (its byte-order mark): skipped, with the command to convert it;
 * - UTF-8 (strict: `TextDecoder` with `fatal: true`): read;
 * - not UTF-8, but mostly ASCII with a few high bytes (at most 30%, as in
 *   Western prose): read as Latin-1 (Windows-1252, the superset browsers
 *   decode "latin1" as), with a warning. Why not refuse: such files are almost
 *   always old Western notes whose every byte decodes to the intended
 *   character, so refusing would drop a user's notes for no gain; the warning
 *   names the file and the conversion command. Why not always: text in other
 *   legacy encodings (Shift-JIS, GBK, KOI8) is dense in high bytes and
 *   would come out as plausible-looking nonsense, so it is refused instead.
 */

export type TextFileResult = { ok: true; text: string; warning?: string } | { ok: false; reason: string };

const SAMPLE_BYTES = 64 * 1024;
/** Share of control characters above which a file is binary. */
const MAX_CONTROL_SHARE = 0.1;
/** Share of bytes ≥ 0x80 up to which non-UTF-8 text is taken for Latin-1. */
const MAX_LATIN1_HIGH_SHARE = 0.3;

export function decodeTextFile(bytes: Uint8Array): TextFileResult {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    return { ok: false, reason: 'UTF-16 text: convert it to UTF-8 (iconv -f UTF-16 -t UTF-8 FILE > FILE.new)' };
  }
  const binary = binaryReason(bytes.subarray(0, SAMPLE_BYTES));
  if (binary) return { ok: false, reason: binary };
  try {
    return { ok: true, text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    // not UTF-8: see below
  }
  let high = 0;
  for (const b of bytes) if (b >= 0x80) high++;
  if (high / bytes.length <= MAX_LATIN1_HIGH_SHARE) {
    return {
      ok: true,
      text: decodeWindows1252(bytes),
      warning: 'not UTF-8: read as Latin-1 (Windows-1252); convert it to UTF-8 to be sure of every character (iconv -f WINDOWS-1252 -t UTF-8 FILE > FILE.new)',
    };
  }
  return {
    ok: false,
    reason: `not UTF-8 text (${Math.round((100 * high) / bytes.length)}% of its bytes are non-ASCII, too many for Latin-1 prose): convert it to UTF-8 (iconv -f ENCODING -t UTF-8 FILE > FILE.new)`,
  };
}

/** Why `sample` looks binary, or undefined when it looks like text. */
function binaryReason(sample: Uint8Array): string | undefined {
  let control = 0;
  for (const b of sample) {
    if (b === 0) return 'binary: it holds NUL bytes (an image, archive or document saved under a .md/.txt name?)';
    // Tab, line feed, vertical tab, form feed, carriage return and escape (coloured logs) are text.
    if (b < 0x20 && !(b >= 0x09 && b <= 0x0d) && b !== 0x1b) control++;
    else if (b === 0x7f) control++;
  }
  if (sample.length > 0 && control / sample.length > MAX_CONTROL_SHARE) {
    return `binary: ${Math.round((100 * control) / sample.length)}% of its first bytes are control characters`;
  }
  return undefined;
}

/**
 * Windows-1252: Latin-1 with printable characters (curly quotes, dashes, €) where Latin-1 has
 * C1 controls. By hand because Node's TextDecoder('windows-1252') decodes 0x80-0x9F as Latin-1.
 * The five bytes Windows-1252 leaves undefined keep their Latin-1 meaning, as browsers do.
 */
const CP1252_80_9F = '\u20AC\u0081\u201A\u0192\u201E\u2026\u2020\u2021\u02C6\u2030\u0160\u2039\u0152\u008D\u017D\u008F\u0090\u2018\u2019\u201C\u201D\u2022\u2013\u2014\u02DC\u2122\u0161\u203A\u0153\u009D\u017E\u0178';

export function decodeWindows1252(bytes: Uint8Array): string {
  const parts: string[] = [];
  for (let i = 0; i < bytes.length; i += 8192) {
    const chunk = bytes.subarray(i, i + 8192);
    parts.push(String.fromCharCode(...Array.from(chunk, (b) => (b >= 0x80 && b <= 0x9f ? CP1252_80_9F.charCodeAt(b - 0x80) : b))));
  }
  return parts.join('');
}
