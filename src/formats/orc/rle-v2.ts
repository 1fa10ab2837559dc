// Integer RLE version 2 (DIRECT_V2 / DICTIONARY_V2): the top two bits of each header pick one of four
// sub-encodings — SHORT_REPEAT, DIRECT, PATCHED_BASE, DELTA — each decoding to at most 512 values.
import { orcError } from './cursor.js';
import { unpackBigs, unpackNumbers } from './bit-unpack.js';
import { fromVarint, RunDecoder, SAFE } from './int-runs.js';

const WIDTHS = [
  1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 26, 28, 30, 32, 40, 48, 56, 64,
];

/** Decodes a 5-bit width code to a bit count. */
function decodeWidth(code: number): number {
  return WIDTHS[code];
}

/** Rounds a bit count up to the next width the writer can encode (patch entries use these). */
export function closestFixedBits(n: number): number {
  if (n <= 24) return Math.max(n, 1);
  for (const w of WIDTHS) if (w >= n) return w;
  return 64;
}

/** Widths above this decode through bigints. */
const MAX_NUMBER_WIDTH = 52;

export class RleV2Decoder extends RunDecoder {
  protected nextRun(): number {
    const header = this.cur.byte();
    switch (header >> 6) {
      case 0: return this.shortRepeat(header);
      case 1: return this.direct(header);
      case 2: return this.patchedBase(header);
      default: return this.delta(header);
    }
  }

  private shortRepeat(header: number): number {
    const width = ((header >> 3) & 7) + 1;
    const count = (header & 7) + 3;
    if (width <= 6) {
      const v = fromVarint(this.cur.beNumber(width), this.signed) as number;
      this.big = false;
      this.nums.fill(v, 0, count);
    } else {
      const v = fromVarint(this.cur.beBig(width), this.signed);
      this.big = true;
      this.bigs.fill(BigInt(v), 0, count);
    }
    return count;
  }

  private runLength(header: number): number {
    return (((header & 1) << 8) | this.cur.byte()) + 1;
  }

  private direct(header: number): number {
    const width = decodeWidth((header >> 1) & 31);
    const length = this.runLength(header);
    if (width <= MAX_NUMBER_WIDTH) {
      this.big = false;
      unpackNumbers(this.cur, width, length, this.nums);
      if (this.signed) {
        const nums = this.nums;
        for (let i = 0; i < length; i++) {
          const u = nums[i];
          nums[i] = u % 2 === 0 ? u / 2 : -(u + 1) / 2;
        }
      }
    } else {
      this.big = true;
      const bigs = this.bigs;
      unpackBigs(this.cur, width, length, bigs);
      if (this.signed) {
        for (let i = 0; i < length; i++) {
          const u = BigInt.asUintN(64, bigs[i]);
          bigs[i] = (u >> 1n) ^ -(u & 1n);
        }
      }
    }
    return length;
  }

  private patchedBase(header: number): number {
    const cur = this.cur;
    const width = decodeWidth((header >> 1) & 31);
    const length = this.runLength(header);
    const third = cur.byte();
    const fourth = cur.byte();
    const baseBytes = (third >> 5) + 1;
    const patchWidth = decodeWidth(third & 31);
    const gapWidth = (fourth >> 5) + 1;
    const patchCount = fourth & 31;
    const entryWidth = closestFixedBits(gapWidth + patchWidth);
    if (gapWidth + patchWidth > 64) throw orcError(`${cur.what}: patch entries wider than 64 bits`);

    // base: big-endian sign-magnitude
    let base: number | bigint;
    if (baseBytes <= 6) {
      const raw = cur.beNumber(baseBytes);
      const msb = 2 ** (baseBytes * 8 - 1);
      base = raw >= msb ? -(raw - msb) : raw;
    } else {
      const raw = cur.beBig(baseBytes);
      const msb = 1n << BigInt(baseBytes * 8 - 1);
      base = raw & msb ? -(raw ^ msb) : raw;
    }

    const exact = typeof base === 'number' && width + patchWidth <= MAX_NUMBER_WIDTH &&
      Math.abs(base) + 2 ** (width + patchWidth) <= SAFE;
    const values = this.bigs;
    if (exact) unpackNumbers(cur, width, length, this.nums);
    else unpackBigs(cur, width, length, values);

    const entries = new BigInt64Array(patchCount);
    unpackBigs(cur, entryWidth, patchCount, entries);
    const patchMask = (1n << BigInt(patchWidth)) - 1n;
    let pos = 0;
    for (let i = 0; i < patchCount; i++) {
      const e = BigInt.asUintN(64, entries[i]);
      pos += Number(e >> BigInt(patchWidth));
      const patch = e & patchMask;
      if (patch === 0n) continue; // a gap-only entry (gaps over 255)
      if (pos >= length) throw orcError(`${cur.what}: patch position outside the run`);
      if (exact) this.nums[pos] += Number(patch) * 2 ** width;
      else values[pos] = BigInt.asUintN(64, values[pos]) | (patch << BigInt(width));
    }

    if (exact) {
      this.big = false;
      const nums = this.nums;
      for (let i = 0; i < length; i++) nums[i] += base as number;
    } else {
      this.big = true;
      const b = BigInt(base);
      for (let i = 0; i < length; i++) values[i] = BigInt.asIntN(64, b + BigInt.asUintN(64, values[i]));
    }
    return length;
  }

  private delta(header: number): number {
    const cur = this.cur;
    const code = (header >> 1) & 31;
    const width = code === 0 ? 0 : decodeWidth(code);
    const length = this.runLength(header);
    const first = fromVarint(cur.varint(), this.signed);
    const deltaBase = fromVarint(cur.varint(), true);
    if (width > 0 && length < 2) throw orcError(`${cur.what}: delta run too short`);

    const exact = typeof first === 'number' && typeof deltaBase === 'number' && width <= MAX_NUMBER_WIDTH &&
      Math.abs(first) + length * (Math.abs(deltaBase) + 2 ** width) <= SAFE;
    if (exact) {
      this.big = false;
      const nums = this.nums;
      nums[0] = first;
      if (width === 0) {
        for (let i = 1; i < length; i++) nums[i] = first + i * deltaBase;
        return length;
      }
      nums[1] = first + deltaBase;
      if (length > 2) {
        const rest = nums.subarray(2, length);
        unpackNumbers(cur, width, length - 2, rest);
        const sign = deltaBase < 0 ? -1 : 1;
        for (let i = 2; i < length; i++) nums[i] = nums[i - 1] + sign * nums[i];
      }
      return length;
    }

    this.big = true;
    const bigs = this.bigs;
    const f = BigInt(first);
    const d = BigInt(deltaBase);
    bigs[0] = f;
    if (width === 0) {
      for (let i = 1; i < length; i++) bigs[i] = BigInt.asIntN(64, f + BigInt(i) * d);
      return length;
    }
    bigs[1] = BigInt.asIntN(64, f + d);
    if (length > 2) {
      const rest = bigs.subarray(2, length);
      unpackBigs(cur, width, length - 2, rest);
      const negative = d < 0n;
      for (let i = 2; i < length; i++) {
        const m = BigInt.asUintN(64, bigs[i]);
        bigs[i] = BigInt.asIntN(64, negative ? bigs[i - 1] - m : bigs[i - 1] + m);
      }
    }
    return length;
  }
}
