// The first record of a CSV object (its header, or the width of its rows), read from the head of the
// decompressed stream with the same tokenizer the pre-pass uses.
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { s3Error } from '../../errors.js';
import type { CsvInput } from '../request.js';
import { CsvTokenizer } from './csv-tokenizer.js';

/** AWS's per-record limit; a first record longer than this cannot be a header we accept. */
export const MAX_RECORD_BYTES = 1024 * 1024;

/** Reads up to the first complete record; destroys the stream afterwards. Undefined for an empty object. */
export async function readFirstRecord(stream: Readable, csv: CsvInput): Promise<string[] | undefined> {
  const tok = new CsvTokenizer(csv);
  const decoder = new StringDecoder('utf8');
  let bytes = 0;
  let first = true;
  const pick = (rows: string[][]) => rows.find((r) => !(r.length === 1 && r[0] === ''));
  try {
    for await (const chunk of stream) {
      bytes += (chunk as Buffer).length;
      let text = decoder.write(chunk as Buffer);
      if (first && text.length > 0) {
        first = false;
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      }
      const row = pick(tok.push(text));
      if (row) return row;
      if (bytes > MAX_RECORD_BYTES) throw s3Error('OverMaxRecordSize', 'The first record of the object is longer than 1 MB.');
    }
    return pick(tok.push(decoder.end(), true));
  } finally {
    stream.destroy();
  }
}
