// Byte RLE (BYTE columns, boolean streams, union tags): a control byte 0..127 repeats the next byte c+3
// times; 128..255 is followed by 256−c literal bytes.
import { ByteCursor, orcError } from './cursor.js';

export class ByteRleDecoder {
  private repeat = 0;
  private literal = 0;
  private value = 0;

  constructor(private readonly cur: ByteCursor) {}

  /** Reads `n` bytes into `out` from `offset`. */
  read(out: Uint8Array | Int8Array, offset: number, n: number): void {
    const cur = this.cur;
    let done = 0;
    while (done < n) {
      if (this.repeat === 0 && this.literal === 0) {
        if (cur.remaining <= 0) throw orcError(`${cur.what}: fewer values than expected`);
        const control = cur.byte();
        if (control < 128) {
          this.repeat = control + 3;
          this.value = cur.byte();
        } else {
          this.literal = 256 - control;
        }
      }
      if (this.repeat > 0) {
        const k = Math.min(this.repeat, n - done);
        out.fill(this.value, offset + done, offset + done + k); // Int8Array wraps 128..255 to negatives
        this.repeat -= k;
        done += k;
      } else {
        const k = Math.min(this.literal, n - done);
        out.set(cur.bytes(k), offset + done);
        this.literal -= k;
        done += k;
      }
    }
  }
}
