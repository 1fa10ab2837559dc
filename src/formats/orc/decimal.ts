// DECIMAL columns → Arrow Decimal128 (four little-endian uint32 words per value, two's complement).
// ORC v1 stores each unscaled value as an unbounded zigzag varint in DATA and its scale in SECONDARY
// (signed RLE); values are rescaled to the column's scale (truncating, as Apache readers do). Files of
// the pre-2.0 version [1, 9999] store precision ≤ 18 as signed RLE v2 integers at the type scale.
import * as arrow from 'apache-arrow';
import { ColumnReader, intStream, presenceOf, ReadContext, streamOf } from './context.js';
import { ByteCursor, orcError } from './cursor.js';
import type { IntDecoder } from './int-runs.js';
import { halvesOf, writeInt64 } from './int64.js';
import { nullProps, Presence, readFixed } from './presence.js';
import { decimalShape, OrcType } from './schema.js';
import { StreamKind } from './stripe.js';

const MIN_128 = -(1n << 127n);
const MAX_128 = (1n << 127n) - 1n;

/** Writes value `index` of a Decimal128 word array from an exact number. */
function putNumber(words: Uint32Array, halves: Int32Array, index: number, v: number): void {
  writeInt64(halves, 2 * index, v);
  const sign = v < 0 ? 0xffffffff : 0;
  words[4 * index + 2] = sign;
  words[4 * index + 3] = sign;
}

function putBig(words: Uint32Array, index: number, v: bigint, what: string): void {
  if (v < MIN_128 || v > MAX_128) throw orcError(`${what}: decimal value does not fit 128 bits`);
  for (let k = 0; k < 4; k++) words[4 * index + k] = Number(BigInt.asUintN(32, v >> BigInt(32 * k)));
}

/** An unbounded zigzag varint: a number while it has at most 7 groups (49 bits), else a bigint. */
export function readDecimalVarint(cur: ByteCursor): number | bigint {
  let u = 0;
  let mul = 1;
  for (let i = 0; i < 7; i++) {
    const b = cur.byte();
    u += (b & 0x7f) * mul;
    if (b < 0x80) return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
    mul *= 128;
  }
  let big = BigInt(u);
  let shift = 49n;
  for (;;) {
    const b = cur.byte();
    big |= BigInt(b & 0x7f) << shift;
    if (b < 0x80) break;
    shift += 7n;
    if (shift > 133n) throw orcError(`${cur.what}: decimal varint longer than 128 bits`);
  }
  return (big >> 1n) ^ -(big & 1n);
}

/** Brings an unscaled value from scale `from` to scale `to`. */
export function rescale(v: bigint, from: number, to: number, what: string): bigint {
  if (from === to) return v;
  if (from > to) return from - to > 40 ? 0n : v / 10n ** BigInt(from - to); // bigint division truncates
  if (to - from > 40) throw orcError(`${what}: decimal scale ${from} is out of range`);
  return v * 10n ** BigInt(to - from);
}

class DecimalColumn implements ColumnReader {
  private readonly presence: Presence;
  private readonly type: arrow.Decimal;
  private readonly scale: number;
  private readonly what: string;
  private readonly values: ByteCursor | null = null;
  private readonly scales: IntDecoder | null = null;
  private readonly decimal64: IntDecoder | null = null;

  constructor(ctx: ReadContext, t: OrcType) {
    this.presence = presenceOf(ctx, t);
    const { precision, scale } = decimalShape(t);
    this.type = new arrow.Decimal(scale, precision, 128);
    this.scale = scale;
    this.what = `stripe ${ctx.stripe.index} column ${t.id}`;
    if (ctx.decimal64 && t.precision && t.precision <= 18) {
      this.decimal64 = intStream(ctx, t, StreamKind.DATA, true, true);
    } else {
      this.values = streamOf(ctx, t, StreamKind.DATA);
      this.scales = intStream(ctx, t, StreamKind.SECONDARY, true);
    }
  }

  private decode(words: Uint32Array, k: number): void {
    const halves = halvesOf(words);
    if (this.decimal64) {
      const ints = new BigInt64Array(k);
      this.decimal64.readInt64(ints, 0, k);
      for (let i = 0; i < k; i++) {
        const sign = ints[i] < 0n ? 0xffffffff : 0;
        halves[4 * i] = Number(BigInt.asIntN(32, ints[i]));
        halves[4 * i + 1] = Number(BigInt.asIntN(32, ints[i] >> 32n));
        words[4 * i + 2] = sign;
        words[4 * i + 3] = sign;
      }
      return;
    }
    const scales = new Float64Array(k);
    this.scales!.readNumbers(scales, 0, k);
    const cur = this.values!;
    for (let i = 0; i < k; i++) {
      const v = readDecimalVarint(cur);
      if (typeof v === 'number' && scales[i] === this.scale) putNumber(words, halves, i, v);
      else putBig(words, i, rescale(BigInt(v), scales[i], this.scale, this.what), this.what);
    }
  }

  read(n: number, parentValid: Uint8Array | null): arrow.Data {
    const slots = this.presence.read(n, parentValid);
    const data = readFixed(slots, n, (k) => new Uint32Array(k), (out, k) => this.decode(out, k), 4);
    return arrow.makeData({ type: this.type, length: n, ...nullProps(slots, n), data });
  }
}

export function decimalReader(ctx: ReadContext, t: OrcType): ColumnReader | null {
  return t.kind === 'decimal' ? new DecimalColumn(ctx, t) : null;
}
