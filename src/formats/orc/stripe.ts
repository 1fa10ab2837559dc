// One stripe's footer and the decompressed streams of the columns a read needs. Streams lie back to back
// from the stripe's offset in the order the StripeFooter lists them; only the wanted ones are fetched,
// adjacent ranges in one read.
import { ByteCursor, orcError } from './cursor.js';
import { decodeMessage, has, int64Number } from './proto.js';
import { OrcSource, OrcTail, readRange, StripeInfo } from './tail.js';

/** Stream.Kind values a column reader consumes; indexes and bloom filters are never fetched. */
export const StreamKind = { PRESENT: 0, DATA: 1, LENGTH: 2, DICTIONARY_DATA: 3, SECONDARY: 5 } as const;
const DATA_KINDS = new Set<number>(Object.values(StreamKind));
const KIND_NAMES: Record<number, string> = { 0: 'PRESENT', 1: 'DATA', 2: 'LENGTH', 3: 'DICTIONARY_DATA', 5: 'SECONDARY' };

export interface ColumnEncoding {
  /** DIRECT=0, DICTIONARY=1, DIRECT_V2=2, DICTIONARY_V2=3. */
  kind: number;
  dictionarySize: number;
}

export class StripeData {
  constructor(
    readonly index: number,
    readonly rows: number,
    /** IANA zone of the writer; undefined when the footer does not name one. */
    readonly timezone: string | undefined,
    private readonly encodings: ColumnEncoding[],
    private readonly streams: Map<string, Uint8Array>,
  ) {}

  encoding(column: number): ColumnEncoding {
    return this.encodings[column] ?? { kind: 0, dictionarySize: 0 };
  }

  /** A cursor over a decompressed stream, or null when the stripe has no such stream. */
  stream(column: number, kind: number): ByteCursor | null {
    const bytes = this.streams.get(`${column}:${kind}`);
    return bytes ? new ByteCursor(bytes, `stripe ${this.index} column ${column} ${KIND_NAMES[kind]}`) : null;
  }

  /** Decompressed bytes of all streams of columns first..last (bounds how many values they can hold). */
  bytesOf(first: number, last: number): number {
    let total = 0;
    for (const [key, bytes] of this.streams) {
      const column = Number(key.slice(0, key.indexOf(':')));
      if (column >= first && column <= last) total += bytes.length;
    }
    return total;
  }
}

/** Reads the stripe footer, then the data streams of the columns `wanted` says yes to. */
export async function loadStripe(
  file: OrcSource, tail: OrcTail, index: number, stripe: StripeInfo, wanted: (column: number) => boolean,
): Promise<StripeData> {
  const what = `stripe ${index}`;
  const footerOffset = stripe.offset + stripe.indexLength + stripe.dataLength;
  const footerRaw = await readRange(file, footerOffset, stripe.footerLength, `${what} footer`);
  const footer = decodeMessage('StripeFooter', tail.decompressor.decompress(footerRaw, `${what} footer`), `${what} footer`);

  // lay the streams out and keep the wanted ones
  const ranges: { key: string; start: number; end: number }[] = [];
  let pos = stripe.offset;
  for (const s of footer.streams ?? []) {
    const length = int64Number(s.length, `${what} stream length`);
    const start = pos;
    pos += length;
    if (pos > footerOffset) throw orcError(`${what}: streams run past the stripe's data`);
    const column = has(s, 'column') ? s.column ?? 0 : 0;
    const kind = s.kind ?? 0;
    if (length > 0 && DATA_KINDS.has(kind) && wanted(column)) ranges.push({ key: `${column}:${kind}`, start, end: pos });
  }

  const streams = new Map<string, Uint8Array>();
  for (let i = 0; i < ranges.length; ) {
    let j = i + 1;
    while (j < ranges.length && ranges[j].start === ranges[j - 1].end) j++;
    const first = ranges[i].start;
    const bytes = await readRange(file, first, ranges[j - 1].end - first, `${what} streams`);
    for (let k = i; k < j; k++) {
      const r = ranges[k];
      if (streams.has(r.key)) throw orcError(`${what}: duplicate stream ${r.key}`);
      streams.set(r.key, tail.decompressor.decompress(bytes.subarray(r.start - first, r.end - first), `${what} stream ${r.key}`));
    }
    i = j;
  }

  const encodings = (footer.columns ?? []).map((c) => ({ kind: c.kind ?? 0, dictionarySize: c.dictionarySize ?? 0 }));
  const timezone = has(footer, 'writerTimezone') && footer.writerTimezone ? footer.writerTimezone : undefined;
  return new StripeData(index, stripe.numberOfRows, timezone, encodings, streams);
}
