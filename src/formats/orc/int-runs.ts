// Shared machinery of the RLE v1 and v2 integer decoders: each decodes one run at a time into a small
// buffer, as plain numbers when every value of the run is exact in a double (the common case, and much
// faster than bigint arithmetic), else as int64 bigints.
import { ByteCursor, orcError } from './cursor.js';
import { halvesOf, writeInt64 } from './int64.js';

export type NumberArray = Float64Array | Float32Array | Int32Array | Int16Array | Int8Array | Uint32Array;

export interface IntDecoder {
  /** Reads `n` values into `out` from `offset`; values beyond 2^53 lose precision, so use this for
   *  streams whose values are known to be small (lengths, 32-bit types, seconds, dates). */
  readNumbers(out: NumberArray, offset: number, n: number): void;
  /** Reads `n` exact int64 values into `out` from `offset`. */
  readInt64(out: BigInt64Array, offset: number, n: number): void;
}

export const MAX_RUN = 512;

export abstract class RunDecoder implements IntDecoder {
  protected readonly nums = new Float64Array(MAX_RUN);
  private bigBuf: BigInt64Array | null = null;
  /** Whether the current run lives in `bigs` rather than `nums`. */
  protected big = false;
  protected len = 0;
  private idx = 0;

  constructor(protected readonly cur: ByteCursor, protected readonly signed: boolean) {}

  /** Decodes the next run into `nums` (setting big = false) or `bigs` (big = true); returns its length. */
  protected abstract nextRun(): number;

  protected get bigs(): BigInt64Array {
    return (this.bigBuf ??= new BigInt64Array(MAX_RUN));
  }

  private fill(): void {
    if (this.idx < this.len) return;
    if (this.cur.remaining <= 0) throw orcError(`${this.cur.what}: fewer values than expected`);
    this.len = this.nextRun();
    this.idx = 0;
  }

  readNumbers(out: NumberArray, offset: number, n: number): void {
    let done = 0;
    while (done < n) {
      this.fill();
      const k = Math.min(n - done, this.len - this.idx);
      if (this.big) {
        const bigs = this.bigs;
        for (let j = 0; j < k; j++) out[offset + done + j] = Number(bigs[this.idx + j]);
      } else {
        out.set(this.nums.subarray(this.idx, this.idx + k), offset + done);
      }
      this.idx += k;
      done += k;
    }
  }

  readInt64(out: BigInt64Array, offset: number, n: number): void {
    const halves = halvesOf(out);
    let done = 0;
    while (done < n) {
      this.fill();
      const k = Math.min(n - done, this.len - this.idx);
      if (this.big) {
        out.set(this.bigs.subarray(this.idx, this.idx + k), offset + done);
      } else {
        const nums = this.nums;
        for (let j = 0; j < k; j++) writeInt64(halves, offset + done + j, nums[this.idx + j]);
      }
      this.idx += k;
      done += k;
    }
  }
}

/** Largest magnitude for which integer arithmetic on doubles stays exact. */
export const SAFE = Number.MAX_SAFE_INTEGER;

/** A decoded varint as a signed (zigzag) or unsigned-as-int64 value: number if exact, else bigint. */
export function fromVarint(u: number | bigint, signed: boolean): number | bigint {
  if (typeof u === 'number') return signed ? (u % 2 === 0 ? u / 2 : -(u + 1) / 2) : u;
  return signed ? (u >> 1n) ^ -(u & 1n) : BigInt.asIntN(64, u);
}
