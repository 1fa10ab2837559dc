// A bounds-checked reader over one decompressed ORC stream, plus the error every ORC decoder throws.
import { S3Error } from '../../errors.js';

/** Corrupt, truncated or unsupported ORC input: a 400 the Select layer reports as OrcParsingError. */
export function orcError(message: string): S3Error {
  return new S3Error('OrcParsingError', `ORC: ${message}`);
}

export class ByteCursor {
  pos: number;
  readonly end: number;

  /** `what` names the stream in error messages, e.g. "column 3 DATA". */
  constructor(readonly buf: Uint8Array, readonly what: string, start = 0, end = buf.length) {
    this.pos = start;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  eof(): S3Error {
    return orcError(`${this.what}: unexpected end of stream`);
  }

  byte(): number {
    if (this.pos >= this.end) throw this.eof();
    return this.buf[this.pos++];
  }

  bytes(n: number): Uint8Array {
    if (n < 0 || n > this.end - this.pos) throw this.eof();
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** Big-endian unsigned integer of `n` ≤ 6 bytes as an exact number. */
  beNumber(n: number): number {
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 256 + this.byte();
    return v;
  }

  /** Big-endian unsigned integer of `n` ≤ 8 bytes. */
  beBig(n: number): bigint {
    let v = 0n;
    for (let i = 0; i < n; i++) v = (v << 8n) | BigInt(this.byte());
    return v;
  }

  /** Base-128 varint, low group first; a number while it fits in 53 bits, else a bigint (up to 64 bits). */
  varint(): number | bigint {
    let v = 0;
    let mul = 1;
    for (let i = 0; i < 7; i++) {
      const b = this.byte();
      v += (b & 0x7f) * mul;
      if (b < 0x80) return v;
      mul *= 128;
    }
    // 49 bits so far: finish in bigint
    let big = BigInt(v);
    let shift = 49n;
    for (;;) {
      const b = this.byte();
      big |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) break;
      shift += 7n;
      if (shift > 63n) throw orcError(`${this.what}: varint longer than 64 bits`);
    }
    big = BigInt.asUintN(64, big);
    return big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
  }
}
