// STRING / VARCHAR / CHAR / BINARY columns. Direct: LENGTH holds one length per present value and DATA
// the concatenated bytes. Dictionary: DICTIONARY_DATA holds the entries back to back, LENGTH one length per
// entry, and DATA one entry index per present value. Either way the Arrow result is offsets + bytes.
import * as arrow from 'apache-arrow';
import { ColumnReader, intStream, isV2, presenceOf, ReadContext, streamOf, valueBudget } from './context.js';
import { ByteCursor, orcError } from './cursor.js';
import type { IntDecoder } from './int-runs.js';
import { nullProps, Presence, Slots } from './presence.js';
import type { OrcType } from './schema.js';
import { StreamKind } from './stripe.js';

type Text = arrow.Utf8 | arrow.Binary;
const MAX_BYTES = 0x7fffffff; // Arrow Utf8 / Binary offsets are int32

/** Offsets for `n` slots from the lengths of the present ones (null slots get length 0). */
function slotOffsets(slots: Slots, n: number, lengths: Float64Array, what: string): Int32Array {
  const offsets = new Int32Array(n + 1);
  const valid = slots.valid;
  let total = 0;
  for (let i = 0, j = 0; i < n; i++) {
    if (!valid || valid[i]) {
      const len = lengths[j++];
      if (!(len >= 0)) throw orcError(`${what}: negative string length`);
      total += len;
      if (total > MAX_BYTES) throw orcError(`${what}: strings longer than 2 GiB in one batch`);
    }
    offsets[i + 1] = total;
  }
  return offsets;
}

function textData(type: Text, n: number, slots: Slots, valueOffsets: Int32Array, data: Uint8Array): arrow.Data {
  const props = { length: n, ...nullProps(slots, n), valueOffsets, data };
  return type instanceof arrow.Utf8 ? arrow.makeData({ type, ...props }) : arrow.makeData({ type, ...props });
}

class DirectText implements ColumnReader {
  private readonly presence: Presence;
  private readonly lengths: IntDecoder;
  private readonly data: ByteCursor;

  constructor(ctx: ReadContext, t: OrcType, private readonly type: Text) {
    this.presence = presenceOf(ctx, t);
    this.lengths = intStream(ctx, t, StreamKind.LENGTH, false);
    this.data = streamOf(ctx, t, StreamKind.DATA);
  }

  read(n: number, parentValid: Uint8Array | null): arrow.Data {
    const slots = this.presence.read(n, parentValid);
    const lengths = new Float64Array(slots.count);
    this.lengths.readNumbers(lengths, 0, slots.count);
    const valueOffsets = slotOffsets(slots, n, lengths, this.data.what);
    const data = this.data.bytes(valueOffsets[n]).slice(); // own copy: the batch outlives the stripe's buffers
    return textData(this.type, n, slots, valueOffsets, data);
  }
}

class DictionaryText implements ColumnReader {
  private readonly presence: Presence;
  private readonly indexes: IntDecoder;
  private readonly entries: Uint8Array;
  /** Start of entry i at entryStarts[i]; one extra for the end. */
  private readonly entryStarts: Float64Array;
  private readonly what: string;

  constructor(ctx: ReadContext, t: OrcType, private readonly type: Text) {
    this.presence = presenceOf(ctx, t);
    const v2 = isV2(ctx, t);
    this.indexes = intStream(ctx, t, StreamKind.DATA, false, v2);
    const size = ctx.stripe.encoding(t.id).dictionarySize;
    this.what = `stripe ${ctx.stripe.index} column ${t.id} dictionary`;
    if (size > valueBudget(ctx, t.id, t.id)) throw orcError(`${this.what}: size ${size} exceeds its streams`);
    const lengths = new Float64Array(size);
    intStream(ctx, t, StreamKind.LENGTH, false, v2).readNumbers(lengths, 0, size);
    this.entryStarts = new Float64Array(size + 1);
    for (let i = 0; i < size; i++) {
      if (!(lengths[i] >= 0)) throw orcError(`${this.what}: negative entry length`);
      this.entryStarts[i + 1] = this.entryStarts[i] + lengths[i];
    }
    const dict = streamOf(ctx, t, StreamKind.DICTIONARY_DATA);
    this.entries = dict.bytes(this.entryStarts[size]);
  }

  read(n: number, parentValid: Uint8Array | null): arrow.Data {
    const slots = this.presence.read(n, parentValid);
    const indexes = new Float64Array(slots.count);
    this.indexes.readNumbers(indexes, 0, slots.count);
    const starts = this.entryStarts;
    const size = starts.length - 1;
    const lengths = new Float64Array(slots.count);
    for (let j = 0; j < indexes.length; j++) {
      const ix = indexes[j];
      if (!(ix >= 0 && ix < size)) throw orcError(`${this.what}: index ${ix} outside a dictionary of ${size}`);
      lengths[j] = starts[ix + 1] - starts[ix];
    }
    const valueOffsets = slotOffsets(slots, n, lengths, this.what);
    const data = new Uint8Array(valueOffsets[n]);
    const entries = this.entries;
    let at = 0;
    for (let j = 0; j < indexes.length; j++) {
      const start = starts[indexes[j]];
      const len = lengths[j];
      if (len > 16) data.set(entries.subarray(start, start + len), at);
      else for (let k = 0; k < len; k++) data[at + k] = entries[start + k];
      at += len;
    }
    return textData(this.type, n, slots, valueOffsets, data);
  }
}

export function textReader(ctx: ReadContext, t: OrcType): ColumnReader | null {
  const isText = t.kind === 'string' || t.kind === 'varchar' || t.kind === 'char';
  if (!isText && t.kind !== 'binary') return null;
  const type = isText ? new arrow.Utf8() : new arrow.Binary();
  const encoding = ctx.stripe.encoding(t.id).kind;
  return encoding === 1 || encoding === 3 ? new DictionaryText(ctx, t, type) : new DirectText(ctx, t, type);
}
