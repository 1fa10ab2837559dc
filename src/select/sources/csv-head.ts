// The first record of a CSV object (its header, or the width of its rows), read with papaparse from the
// head of the decompressed stream: S3's CSV options (multi-character delimiters, row-start comments) are
// exactly papaparse's.
import Papa from 'papaparse';
import type { Readable } from 'node:stream';
import { s3Error } from '../../errors.js';
import type { CsvInput } from '../request.js';

/** AWS's per-record limit; a first record longer than this cannot be a header we accept. */
export const MAX_RECORD_BYTES = 1024 * 1024;

export function papaConfig(csv: CsvInput): Papa.ParseConfig {
  return {
    delimiter: csv.fieldDelimiter,
    newline: csv.recordDelimiter as Papa.ParseConfig['newline'],
    quoteChar: csv.quoteCharacter === '' ? '\u0000' : csv.quoteCharacter,
    escapeChar: csv.quoteEscapeCharacter || csv.quoteCharacter || '"',
    comments: csv.comments ?? false,
    skipEmptyLines: false,
  };
}

/** Reads up to the first complete record; destroys the stream afterwards. Undefined for an empty object. */
export async function readFirstRecord(stream: Readable, csv: CsvInput): Promise<string[] | undefined> {
  let text = '';
  let bytes = 0;
  try {
    for await (const chunk of stream) {
      bytes += (chunk as Buffer).length;
      text += (chunk as Buffer).toString('utf8');
      const row = completeFirstRow(text, csv);
      if (row) return row;
      if (bytes > MAX_RECORD_BYTES) throw s3Error('OverMaxRecordSize', 'The first record of the object is longer than 1 MB.');
    }
  } finally {
    stream.destroy();
  }
  if (text.replace(/^\uFEFF/, '') === '') return undefined;
  return parseRows(text, csv)[0];
}

function parseRows(text: string, csv: CsvInput): string[][] {
  const res = Papa.parse<string[]>(text.replace(/^\uFEFF/, ''), { ...papaConfig(csv), preview: 2 });
  return res.data.filter((r) => !(r.length === 1 && r[0] === ''));
}

/** The first row, once the text holds a record after it (so the first is surely complete). */
function completeFirstRow(text: string, csv: CsvInput): string[] | undefined {
  if (!text.includes(csv.recordDelimiter)) return undefined;
  const res = Papa.parse<string[]>(text.replace(/^\uFEFF/, ''), { ...papaConfig(csv), preview: 2 });
  if (res.data.length < 2) return undefined;
  return res.data[0];
}
