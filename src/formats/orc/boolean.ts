// Boolean streams (PRESENT and BOOLEAN DATA): bits packed MSB first into bytes that are then byte-RLE
// encoded. Bits continue across reads; only the stream's final byte is padded.
import { ByteRleDecoder } from './byte-rle.js';
import { ByteCursor } from './cursor.js';

export class BooleanDecoder {
  private readonly bytes: ByteRleDecoder;
  private readonly one = new Uint8Array(1);
  private scratch = new Uint8Array(0);
  private current = 0;
  /** Bits of `current` not yet handed out. */
  private left = 0;

  constructor(cur: ByteCursor) {
    this.bytes = new ByteRleDecoder(cur);
  }

  /** Reads `n` bits as 0/1 bytes into `out` from `offset`; returns how many were 1. */
  read(out: Uint8Array, offset: number, n: number): number {
    let ones = 0;
    let i = 0;
    while (i < n && this.left > 0) ones += out[offset + i++] = (this.current >> --this.left) & 1;
    // whole bytes in one byte-RLE read
    const whole = (n - i) >> 3;
    if (whole > 0) {
      if (this.scratch.length < whole) this.scratch = new Uint8Array(whole);
      const scratch = this.scratch;
      this.bytes.read(scratch, 0, whole);
      for (let b = 0; b < whole; b++) {
        const v = scratch[b];
        for (let k = 7; k >= 0; k--) ones += out[offset + i++] = (v >> k) & 1;
      }
    }
    while (i < n) {
      if (this.left === 0) {
        this.bytes.read(this.one, 0, 1);
        this.current = this.one[0];
        this.left = 8;
      }
      ones += out[offset + i++] = (this.current >> --this.left) & 1;
    }
    return ones;
  }
}
