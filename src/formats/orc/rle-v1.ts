// Integer RLE version 1 (DIRECT / DICTIONARY column encodings): a control byte 0..127 starts a run of
// c+3 values base + i·delta (delta a signed byte, base a varint); 128..255 starts 256−c varint literals.
import { fromVarint, RunDecoder, SAFE } from './int-runs.js';

export class RleV1Decoder extends RunDecoder {
  protected nextRun(): number {
    const cur = this.cur;
    const control = cur.byte();
    if (control < 128) {
      const length = control + 3;
      const delta = (cur.byte() << 24) >> 24;
      const base = fromVarint(cur.varint(), this.signed);
      if (typeof base === 'number' && Math.abs(base) + length * 128 <= SAFE) {
        this.big = false;
        for (let i = 0; i < length; i++) this.nums[i] = base + i * delta;
      } else {
        this.big = true;
        const b = BigInt(base);
        for (let i = 0; i < length; i++) this.bigs[i] = BigInt.asIntN(64, b + BigInt(i * delta));
      }
      return length;
    }
    const length = 256 - control;
    this.big = false;
    for (let i = 0; i < length; i++) {
      const v = fromVarint(cur.varint(), this.signed);
      if (typeof v === 'number' && !this.big) {
        this.nums[i] = v;
        continue;
      }
      if (!this.big) {
        // switch the run to bigints, carrying over what was read so far
        for (let j = 0; j < i; j++) this.bigs[j] = BigInt(this.nums[j]);
        this.big = true;
      }
      this.bigs[i] = BigInt(v);
    }
    return length;
  }
}
