// What every column builder keeps besides its values: the validity bitmap, and typed arrays that grow.
/** Validity bitmap plus null count; the bitmap is only written once a null arrives (all valid: a count). */
export class Validity {
  bits: Uint8Array | undefined;
  nulls = 0;
  length = 0;
  push(valid: boolean): void {
    const i = this.length++;
    if (valid && this.nulls === 0) return;
    if (this.bits === undefined) {
      // First null: every value before it was valid.
      this.bits = new Uint8Array(Math.max(128, (i >> 2) + 1));
      this.bits.fill(0xff, 0, i >> 3);
      for (let k = i & ~7; k < i; k++) this.bits[k >> 3]! |= 1 << (k & 7);
    } else if ((i >> 3) >= this.bits.length) this.bits = grow(this.bits, (i >> 3) + 1);
    if (valid) this.bits[i >> 3]! |= 1 << (i & 7);
    else this.nulls++;
  }
  take(): { length: number; nullCount: number; nullBitmap: Uint8Array | undefined } {
    const out = { length: this.length, nullCount: this.nulls, nullBitmap: this.nulls ? this.bits!.slice(0, (this.length + 7) >> 3) : undefined };
    this.bits = undefined;
    this.nulls = 0;
    this.length = 0;
    return out;
  }
}

type Typed = Uint8Array | Int32Array | Float32Array | Float64Array | BigInt64Array | Uint32Array;

/** A copy of `a` at least `min` long (doubling). */
export function grow<T extends Typed>(a: T, min: number): T {
  let n = a.length * 2;
  while (n < min) n *= 2;
  const b = new (a.constructor as new (n: number) => T)(n);
  b.set(a as never);
  return b;
}
