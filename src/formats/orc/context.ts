// What every column reader shares: the stripe's streams, output options, and helpers that open a
// column's PRESENT stream and its integer streams with the RLE version its encoding names.
import type * as arrow from 'apache-arrow';
import { BooleanDecoder } from './boolean.js';
import { ByteCursor, orcError } from './cursor.js';
import type { IntDecoder } from './int-runs.js';
import { Presence } from './presence.js';
import { RleV1Decoder } from './rle-v1.js';
import { RleV2Decoder } from './rle-v2.js';
import type { OrcType, TimestampUnit } from './schema.js';
import { StreamKind, StripeData } from './stripe.js';

export interface ColumnReader {
  /** Reads the next `n` slots. `parentValid` marks slots whose parent struct is null: those are null here
   *  too and consume nothing from this column's streams. */
  read(n: number, parentValid: Uint8Array | null): arrow.Data;
}

export interface ReadContext {
  stripe: StripeData;
  unit: TimestampUnit;
  /** PostScript version [1, 9999]: decimals of precision ≤ 18 are stored as RLE v2 integers (Decimal64). */
  decimal64: boolean;
}

export function presenceOf(ctx: ReadContext, t: OrcType): Presence {
  const cur = ctx.stripe.stream(t.id, StreamKind.PRESENT);
  return new Presence(cur ? new BooleanDecoder(cur) : null);
}

/** A stream the column cannot do without; a missing one reads as empty (so any value read fails cleanly). */
export function streamOf(ctx: ReadContext, t: OrcType, kind: number): ByteCursor {
  return ctx.stripe.stream(t.id, kind) ?? new ByteCursor(new Uint8Array(0), `stripe ${ctx.stripe.index} column ${t.id} stream ${kind}`);
}

/** DIRECT / DICTIONARY use RLE v1; DIRECT_V2 / DICTIONARY_V2 use RLE v2. */
export function isV2(ctx: ReadContext, t: OrcType): boolean {
  const kind = ctx.stripe.encoding(t.id).kind;
  if (kind < 0 || kind > 3) throw orcError(`column ${t.id} has unknown encoding ${kind}`);
  return kind >= 2;
}

export function intStream(ctx: ReadContext, t: OrcType, kind: number, signed: boolean, v2 = isV2(ctx, t)): IntDecoder {
  const cur = streamOf(ctx, t, kind);
  return v2 ? new RleV2Decoder(cur, signed) : new RleV1Decoder(cur, signed);
}

/** Upper bound on the values the streams of columns first..last can describe: no encoding packs more
 *  than 520 values into one byte (boolean runs), so larger counts mean corrupt lengths. */
export function valueBudget(ctx: ReadContext, first: number, last: number): number {
  return ctx.stripe.bytesOf(first, last) * 520;
}
