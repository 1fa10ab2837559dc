// UNION columns → Arrow dense unions. DATA holds one byte-RLE tag per present value; child i holds one
// entry per tag i. Arrow unions carry no validity bitmap, so a null union slot points at a null entry
// added to child 0: that child is read with those extra entries marked null (they consume nothing).
import * as arrow from 'apache-arrow';
import { ByteRleDecoder } from './byte-rle.js';
import { ColumnReader, presenceOf, ReadContext, streamOf } from './context.js';
import { orcError } from './cursor.js';
import { Presence } from './presence.js';
import type { OrcType } from './schema.js';
import { StreamKind } from './stripe.js';

export class UnionColumn implements ColumnReader {
  private readonly presence: Presence;
  private readonly tags: ByteRleDecoder;
  private readonly what: string;

  constructor(ctx: ReadContext, t: OrcType, private readonly type: arrow.DenseUnion, private readonly children: ColumnReader[]) {
    this.presence = presenceOf(ctx, t);
    this.tags = new ByteRleDecoder(streamOf(ctx, t, StreamKind.DATA));
    this.what = `stripe ${ctx.stripe.index} column ${t.id}`;
  }

  read(n: number, parentValid: Uint8Array | null): arrow.Data {
    const slots = this.presence.read(n, parentValid);
    const tags = new Uint8Array(slots.count);
    this.tags.read(tags, 0, slots.count);
    const variants = this.children.length;
    const typeIds = new Int8Array(n);
    const valueOffsets = new Int32Array(n);
    const counts = new Int32Array(variants);
    // child 0 entries in slot order: real ones (1) and the null stand-ins for null slots (0)
    const firstValid = new Uint8Array(n);
    const valid = slots.valid;
    for (let i = 0, j = 0; i < n; i++) {
      const present = !valid || valid[i] === 1;
      const tag = present ? tags[j++] : 0;
      if (tag >= variants) throw orcError(`${this.what}: union tag ${tag} has no variant`);
      typeIds[i] = tag;
      if (tag === 0) firstValid[counts[0]] = present ? 1 : 0;
      valueOffsets[i] = counts[tag]++;
    }
    const children = this.children.map((c, k) => c.read(counts[k], k === 0 && slots.valid ? firstValid.subarray(0, counts[0]) : null));
    return arrow.makeData({ type: this.type, length: n, nullCount: 0, typeIds, valueOffsets, children });
  }
}
