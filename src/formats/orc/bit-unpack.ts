// Big-endian bit unpacking for RLE v2: `n` values of `width` bits packed MSB first, the block ending on a
// byte boundary. Widths up to 52 decode into doubles (exact); wider ones into bigints.
import { ByteCursor } from './cursor.js';

/** Reads bits MSB first in pieces of at most 24, so the accumulator always fits an int32. */
class BitReader {
  private acc = 0;
  private bits = 0;
  constructor(private readonly buf: Uint8Array, public pos: number) {}

  read(k: number): number {
    while (this.bits < k) {
      this.acc = (this.acc << 8) | this.buf[this.pos++];
      this.bits += 8;
    }
    this.bits -= k;
    const v = this.acc >>> this.bits;
    this.acc &= (1 << this.bits) - 1;
    return v;
  }

  /** A value of up to 52 bits as an exact number. */
  readWide(w: number): number {
    let v = 0;
    for (let rem = w; rem > 0; ) {
      const k = rem > 24 ? 24 : rem;
      v = v * (1 << k) + this.read(k);
      rem -= k;
    }
    return v;
  }
}

function reserve(cur: ByteCursor, width: number, n: number): number {
  const bytes = Math.ceil((width * n) / 8);
  if (bytes > cur.remaining) throw cur.eof();
  return bytes;
}

export function unpackNumbers(cur: ByteCursor, width: number, n: number, out: Float64Array): void {
  const bytes = reserve(cur, width, n);
  const buf = cur.buf;
  const start = cur.pos;
  if (width === 8) {
    for (let i = 0; i < n; i++) out[i] = buf[start + i];
  } else if (width === 16) {
    for (let i = 0, p = start; i < n; i++, p += 2) out[i] = (buf[p] << 8) | buf[p + 1];
  } else if (width <= 24) {
    const r = new BitReader(buf, start);
    for (let i = 0; i < n; i++) out[i] = r.read(width);
  } else if (width === 32) {
    for (let i = 0, p = start; i < n; i++, p += 4) {
      out[i] = ((buf[p] << 24) | (buf[p + 1] << 16) | (buf[p + 2] << 8) | buf[p + 3]) >>> 0;
    }
  } else {
    const r = new BitReader(buf, start);
    for (let i = 0; i < n; i++) out[i] = r.readWide(width);
  }
  cur.pos = start + bytes;
}

/** Writes the raw 64-bit patterns (read them back with BigInt.asUintN(64, x) for unsigned use). */
export function unpackBigs(cur: ByteCursor, width: number, n: number, out: BigInt64Array): void {
  const bytes = reserve(cur, width, n);
  const r = new BitReader(cur.buf, cur.pos);
  const hiBits = width > 32 ? width - 32 : 0;
  for (let i = 0; i < n; i++) {
    const hi = hiBits ? r.readWide(hiBits) : 0;
    const lo = r.readWide(width - hiBits);
    out[i] = (BigInt(hi) << 32n) | BigInt(lo);
  }
  cur.pos += bytes;
}
