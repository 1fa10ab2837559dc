// Nulls: a column's PRESENT stream (1 = value present) covers only the slots whose parent is present;
// value streams hold entries for present slots only. Arrow wants one slot per parent row instead, with
// an LSB-first validity bitmap, so slots are spread out here.
import { BooleanDecoder } from './boolean.js';

export interface Slots {
  /** 0/1 per slot, or null when every slot holds a value. */
  valid: Uint8Array | null;
  /** Slots holding a value (how many entries to read from the value streams). */
  count: number;
}

export class Presence {
  constructor(private readonly decoder: BooleanDecoder | null) {}

  /** Reads `n` slots; those under a null parent slot are null and consume no PRESENT bit. */
  read(n: number, parentValid: Uint8Array | null): Slots {
    if (!parentValid) {
      if (!this.decoder) return { valid: null, count: n };
      const valid = new Uint8Array(n);
      const count = this.decoder.read(valid, 0, n);
      return { valid: count === n ? null : valid, count };
    }
    let parents = 0;
    for (let i = 0; i < n; i++) parents += parentValid[i];
    if (!this.decoder) return { valid: parents === n ? null : parentValid, count: parents };
    const bits = new Uint8Array(parents);
    const count = this.decoder.read(bits, 0, parents);
    const valid = new Uint8Array(n);
    for (let i = 0, j = 0; i < n; i++) if (parentValid[i]) valid[i] = bits[j++];
    return { valid: count === n ? null : valid, count };
  }
}

/** Packs 0/1 bytes into an Arrow (LSB-first) bitmap. */
export function toBitmap(flags: Uint8Array, n = flags.length): Uint8Array {
  const out = new Uint8Array((n + 7) >> 3);
  for (let i = 0; i < n; i++) if (flags[i]) out[i >> 3] |= 1 << (i & 7);
  return out;
}

/** Arrow null props for a read. */
export function nullProps(slots: Slots, n: number): { nullCount: number; nullBitmap: Uint8Array | undefined } {
  return slots.valid ? { nullCount: n - slots.count, nullBitmap: toBitmap(slots.valid, n) } : { nullCount: 0, nullBitmap: undefined };
}

type Fixed = Int8Array | Int16Array | Int32Array | Float32Array | Float64Array | BigInt64Array | Uint8Array | Uint32Array;

/** Decodes the present entries and places them in their slots (null slots stay zero). `width` is the
 *  number of array elements per value (4 for a decimal in Uint32 words). */
export function readFixed<A extends Fixed>(
  slots: Slots, n: number, make: (length: number) => A, decode: (out: A, count: number) => void, width = 1,
): A {
  const out = make(n * width);
  if (!slots.valid) {
    decode(out, n);
    return out;
  }
  const dense = make(slots.count * width);
  decode(dense, slots.count);
  const valid = slots.valid;
  for (let i = 0, j = 0; i < n; i++) {
    if (!valid[i]) continue;
    if (width === 1) (out as Fixed)[i] = dense[j];
    else (out as Uint32Array).set((dense as Uint32Array).subarray(j * width, (j + 1) * width), i * width);
    j++;
  }
  return out;
}
