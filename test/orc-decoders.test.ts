// Unit tests of the ORC stream decoders against the byte vectors of the ORC v1 specification and vectors
// built here bit by bit (every RLE v2 width, 64-bit extremes).
import { describe, expect, it } from 'vitest';
import { unpackNumbers } from '../src/formats/orc/bit-unpack.js';
import { BooleanDecoder } from '../src/formats/orc/boolean.js';
import { ByteRleDecoder } from '../src/formats/orc/byte-rle.js';
import { ByteCursor } from '../src/formats/orc/cursor.js';
import { readDecimalVarint, rescale } from '../src/formats/orc/decimal.js';
import { halvesOf, writeMulAdd64 } from '../src/formats/orc/int64.js';
import { RleV1Decoder } from '../src/formats/orc/rle-v1.js';
import { closestFixedBits, RleV2Decoder } from '../src/formats/orc/rle-v2.js';
import { decodeNanos } from '../src/formats/orc/timestamp.js';
import { S3Error } from '../src/errors.js';
import { varint } from './helpers/orc-build.js';

const hex = (s: string) => Uint8Array.from(s.trim().split(/\s+/).map((b) => parseInt(b, 16)));
const cursor = (bytes: Uint8Array) => new ByteCursor(bytes, 'test stream');

function ints(decoder: RleV1Decoder | RleV2Decoder, n: number): number[] {
  const out = new Float64Array(n);
  decoder.readNumbers(out, 0, n);
  return [...out];
}

function int64s(decoder: RleV1Decoder | RleV2Decoder, n: number): bigint[] {
  const out = new BigInt64Array(n);
  decoder.readInt64(out, 0, n);
  return [...out];
}

const v2 = (s: string | Uint8Array, signed: boolean) => new RleV2Decoder(cursor(typeof s === 'string' ? hex(s) : s), signed);
const v1 = (s: string | Uint8Array, signed: boolean) => new RleV1Decoder(cursor(typeof s === 'string' ? hex(s) : s), signed);
const range = (from: number, n: number, step = 1) => Array.from({ length: n }, (_, i) => from + i * step);

const zigzag = (v: bigint) => BigInt.asUintN(64, (v << 1n) ^ (v >> 63n));

/** Packs unsigned values MSB first at `width` bits each, padded to a byte. */
function pack(values: bigint[], width: number): number[] {
  let bits = '';
  for (const v of values) bits += v.toString(2).padStart(width, '0');
  bits = bits.padEnd(Math.ceil(bits.length / 8) * 8, '0');
  return bits.match(/.{8}/g)!.map((b) => parseInt(b, 2));
}

describe('byte RLE and booleans', () => {
  it('decodes a run and literals (spec vectors)', () => {
    const out = new Uint8Array(102);
    new ByteRleDecoder(cursor(hex('61 00 fe 44 45'))).read(out, 0, 102);
    expect([...out.subarray(0, 100)]).toEqual(new Array(100).fill(0));
    expect([...out.subarray(100)]).toEqual([0x44, 0x45]);
  });

  it('wraps bytes above 127 to negatives in an Int8Array', () => {
    const out = new Int8Array(5);
    new ByteRleDecoder(cursor(hex('00 ff fe 80 7f'))).read(out, 0, 5);
    expect([...out]).toEqual([-1, -1, -1, -128, 127]);
  });

  it('reads booleans MSB first, continuing across reads', () => {
    const dec = new BooleanDecoder(cursor(hex('ff 80')));
    const out = new Uint8Array(8);
    expect(dec.read(out, 0, 3)).toBe(1);
    expect(dec.read(out, 3, 5)).toBe(0);
    expect([...out]).toEqual([1, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('reads many whole bytes of booleans at once', () => {
    const dec = new BooleanDecoder(cursor(hex('fd aa 0f 01')));
    const out = new Uint8Array(20);
    expect(dec.read(out, 0, 20)).toBe(4 + 4 + 0);
    expect([...out]).toEqual([1, 0, 1, 0, 1, 0, 1, 0, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0]);
  });

  it('fails cleanly when the stream ends early', () => {
    expect(() => new ByteRleDecoder(cursor(hex('61'))).read(new Uint8Array(100), 0, 100)).toThrow(S3Error);
    expect(() => new ByteRleDecoder(cursor(hex('fe 44'))).read(new Uint8Array(2), 0, 2)).toThrow(/unexpected end/);
  });
});

describe('integer RLE v1', () => {
  it('decodes the spec runs', () => {
    expect(ints(v1('61 00 07', false), 100)).toEqual(new Array(100).fill(7));
    expect(ints(v1('61 ff 64', false), 100)).toEqual(range(100, 100, -1));
  });

  it('decodes pyarrow runs and literals, zigzag in signed streams', () => {
    expect(ints(v1('7f 00 0e', true), 130)).toEqual(new Array(130).fill(7));
    expect(ints(v1('7f 01 00', true), 130)).toEqual(range(0, 130));
    expect(ints(v1('fd 01 02 03', true), 3)).toEqual([-1, 1, -2]);
    expect(ints(v1('fd 01 02 03', false), 3)).toEqual([1, 2, 3]);
  });

  it('keeps 64-bit literals exact', () => {
    const bytes = Uint8Array.from([0xfe, ...varint(zigzag(2n ** 63n - 1n)), ...varint(zigzag(-(2n ** 63n)))]);
    expect(int64s(v1(bytes, true), 2)).toEqual([2n ** 63n - 1n, -(2n ** 63n)]);
  });

  it('fails when asked for more values than the stream holds', () => {
    expect(() => ints(v1('61 00 07', false), 101)).toThrow(/fewer values/);
  });
});

describe('integer RLE v2', () => {
  it('SHORT_REPEAT', () => {
    expect(ints(v2('0a 27 10', false), 5)).toEqual(new Array(5).fill(10000));
    expect(ints(v2('0a 04 28', true), 5)).toEqual(new Array(5).fill(532));
  });

  it('DIRECT (spec vector)', () => {
    expect(ints(v2('5e 03 5c a1 ab 1e de ad be ef', false), 4)).toEqual([23713, 43806, 57005, 48879]);
  });

  it('PATCHED_BASE (spec vector)', () => {
    const bytes = '8e 13 2b 21 07 d0 1e 00 14 70 28 32 3c 46 50 5a 64 6e 78 82 8c 96 a0 aa b4 be fc e8';
    expect(ints(v2(bytes, false), 20)).toEqual([2030, 2000, 2020, 1000000, ...range(2040, 16, 10)]);
  });

  it('PATCHED_BASE with a negative sign-magnitude 5-byte base (pyarrow timestamps)', () => {
    // W 32, L 207, BW 5, PW 8, PGW 3, one 11-bit patch entry (gap 0, patch 0)
    const bytes = Uint8Array.from([...hex('b6 ce 87 41 80 d8 4f 0c 7f'), ...new Array(207 * 4).fill(0), 0, 0]);
    expect(ints(v2(bytes, true), 207)).toEqual(new Array(207).fill(-3629059199));
  });

  it('PATCHED_BASE patches reaching past 53 bits stay exact', () => {
    // W 8, L 3, base 1 (1 byte), PW 56, PGW 1 → entries of closestFixedBits(57) = 64 bits
    expect(closestFixedBits(57)).toBe(64);
    const entry = (1n << 56n) | 0xabcdefn; // gap 1, patch 0xabcdef
    const header = [0x80 | (7 << 1), 2, (0 << 5) | 30, (0 << 5) | 1];
    const entryBytes = pack([entry], 64);
    const bytes = Uint8Array.from([...header, 1, 5, 6, 7, ...entryBytes]);
    expect(int64s(v2(bytes, false), 3)).toEqual([6n, (0xabcdefn << 8n) + 6n + 1n, 8n]);
  });

  it('DELTA (spec vector and pyarrow runs)', () => {
    expect(ints(v2('c6 09 02 02 22 42 42 46', false), 10)).toEqual([2, 3, 5, 7, 11, 13, 17, 19, 23, 29]);
    expect(ints(v2('c1 ff 0e 00', true), 512)).toEqual(new Array(512).fill(7));
    expect(ints(v2('c1 ff 00 02', true), 512)).toEqual(range(0, 512));
    expect(ints(v2('c1 ff 90 4e 01', true), 512)).toEqual(range(5000, 512, -1));
  });

  it('DELTA beyond 2^53 switches to exact bigints', () => {
    const first = 2n ** 60n;
    const step = -(2n ** 55n);
    const bytes = Uint8Array.from([0xc0, 2, ...varint(zigzag(first)), ...varint(zigzag(step))]);
    expect(int64s(v2(bytes, true), 3)).toEqual([first, first + step, first + 2n * step]);
  });

  it('DIRECT at 64 bits: int64 extremes in signed streams, negative values in unsigned ones', () => {
    const values = [zigzag(2n ** 63n - 1n), zigzag(-(2n ** 63n))];
    const bytes = Uint8Array.from([0x40 | (31 << 1), 1, ...pack(values, 64)]);
    expect(int64s(v2(bytes, true), 2)).toEqual([2n ** 63n - 1n, -(2n ** 63n)]);
    const nanos = Uint8Array.from([0x40 | (31 << 1), 0, ...pack([BigInt.asUintN(64, -33n)], 64)]);
    expect(ints(v2(nanos, false), 1)).toEqual([-33]);
  });

  it('decodes every width code exactly, as numbers and as int64', () => {
    const widths = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 26, 28, 30, 32, 40, 48, 56, 64];
    let seed = 12345n;
    const next = () => (seed = (seed * 6364136223846793005n + 1442695040888963407n) & ((1n << 64n) - 1n));
    widths.forEach((w, code) => {
      const n = 37;
      const values = Array.from({ length: n }, () => next() >> BigInt(64 - w));
      const bytes = Uint8Array.from([0x40 | (code << 1), n - 1, ...pack(values, w)]);
      const want = values.map((u) => (u >> 1n) ^ -(u & 1n));
      expect(int64s(v2(bytes, true), n), `width ${w}`).toEqual(want);
      if (w <= 52) expect(ints(v2(bytes, true), n), `width ${w}`).toEqual(want.map(Number));
    });
  });

  it('unpacks aligned fast paths like the generic one', () => {
    for (const w of [8, 16, 32]) {
      const values = range(0, 9).map((i) => BigInt((i * 2654435761) % 2 ** w));
      const out = new Float64Array(9);
      unpackNumbers(cursor(Uint8Array.from(pack(values, w))), w, 9, out);
      expect([...out]).toEqual(values.map(Number));
    }
  });

  it('values straddle reads: runs continue where the last read stopped', () => {
    const dec = v2('c6 09 02 02 22 42 42 46 0a 27 10', false);
    expect(ints(dec, 4)).toEqual([2, 3, 5, 7]);
    expect(ints(dec, 8)).toEqual([11, 13, 17, 19, 23, 29, 10000, 10000]);
  });

  it('rejects truncated runs', () => {
    expect(() => ints(v2('5e 03 5c a1', false), 4)).toThrow(S3Error);
    expect(() => ints(v2('c6', false), 1)).toThrow(/unexpected end/);
  });
});

describe('decimal, timestamp and int64 helpers', () => {
  it('reads unbounded zigzag varints', () => {
    expect(readDecimalVarint(cursor(hex('e7 01')))).toBe(-116);
    const big = 10n ** 37n;
    expect(readDecimalVarint(cursor(Uint8Array.from(varint(big * 2n))))).toBe(big);
    expect(readDecimalVarint(cursor(Uint8Array.from(varint(big * 2n - 1n))))).toBe(-big);
  });

  it('rescales to the column scale, truncating like Apache readers', () => {
    expect(rescale(1234n, 2, 4, 'x')).toBe(123400n);
    expect(rescale(-1299n, 3, 1, 'x')).toBe(-12n);
    expect(rescale(5n, 1000, 2, 'x')).toBe(0n);
    expect(() => rescale(5n, 0, 1000, 'x')).toThrow(S3Error);
  });

  it('decodes nanoseconds with trailing zeros removed', () => {
    expect(decodeNanos(0x0a)).toBe(1000);
    expect(decodeNanos(0x0c)).toBe(100000);
    expect(decodeNanos(123456789 << 3)).toBe(123456789);
    expect(decodeNanos(-33)).toBe(-500000000);
  });

  it('computes x·m + add as exact int64', () => {
    const out = new BigInt64Array(1);
    const halves = halvesOf(out);
    const cases: [number, number, number][] = [
      [0, 1e9, 0], [-1, 1e9, 999999999], [9223372035, 1e9, 854775807], [-9223372036, 1e9, -854775808],
      [2 ** 52 + 3, 1e6, -999], [-(2 ** 52) - 7, 1e6, 999], [1420070400, 1e9, 123456789], [-2208988800, 1e9, -1],
    ];
    for (const [x, m, add] of cases) {
      writeMulAdd64(halves, 0, x, m, add);
      expect(out[0], `${x}·${m}+${add}`).toBe(BigInt.asIntN(64, BigInt(x) * BigInt(m) + BigInt(add)));
    }
  });
});
