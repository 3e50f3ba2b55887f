/**
 * What a test reads of a stored query record without the record key: its body,
 * unverified, in either sealed form (shared/envelope/sealed-record.ts): v1
 * `{"v":1,"kid","mac","body"}`, or v2 `2.<kid>.<mac>.` followed by raw DEFLATE.
 */
import { inflateRawSync } from 'node:zlib';

export function storedRecordBody(raw: Buffer | null): string {
  if (!raw || raw.length === 0) return '{}';
  if (raw.subarray(0, 2).toString('latin1') === '2.') {
    const macEnd = raw.indexOf('.', raw.indexOf('.', 2) + 1);
    return inflateRawSync(raw.subarray(macEnd + 1)).toString('utf8');
  }
  return (JSON.parse(raw.toString('utf8')) as { body?: string }).body ?? '{}';
}
