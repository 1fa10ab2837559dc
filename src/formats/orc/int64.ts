// Exact int64 arithmetic on doubles, written straight into the two little-endian int32 halves of an
// int64 slot: decoding whole columns through bigint values would be several times slower.
const TWO_16 = 65536;
const TWO_32 = 4294967296;

/** Stores the exact integer `v` (|v| ≤ 2^53) as int64 slot `index` of `halves`. */
export function writeInt64(halves: Int32Array, index: number, v: number): void {
  const hi = Math.floor(v / TWO_32);
  halves[2 * index] = (v - hi * TWO_32) | 0;
  halves[2 * index + 1] = hi;
}

/** Stores x·m + add as int64 slot `index`, wrapping like int64 arithmetic. Exact for integers with
 *  |x| ≤ 2^53, 0 < m < 2^31 and |add| < 2^46: x is split into 16-bit pieces so no product exceeds 2^53. */
export function writeMulAdd64(halves: Int32Array, index: number, x: number, m: number, add: number): void {
  const xHi = Math.floor(x / TWO_32);
  const xLo = x - xHi * TWO_32;
  const a = Math.floor(xLo / TWO_16);
  const b = xLo - a * TWO_16;
  const s = a * m;
  const sHi = Math.floor(s / TWO_16);
  const low = (s - sHi * TWO_16) * TWO_16 + b * m + add;
  const carry = Math.floor(low / TWO_32);
  halves[2 * index] = (low - carry * TWO_32) | 0;
  halves[2 * index + 1] = (xHi * m + sHi + carry) | 0;
}

/** Int32 halves view over an int64 (or 128-bit word) array's memory. */
export function halvesOf(a: BigInt64Array | Uint32Array): Int32Array {
  return new Int32Array(a.buffer, a.byteOffset, a.byteLength >> 2);
}
