// Nested columns and the reader factory. STRUCT fields have a slot per struct slot (null under a null
// struct); LIST and MAP store one LENGTH per present value, and their children hold sum(LENGTH) entries;
// UNION is in union.ts.
import * as arrow from 'apache-arrow';
import { ColumnReader, intStream, presenceOf, ReadContext, valueBudget } from './context.js';
import { orcError } from './cursor.js';
import { decimalReader } from './decimal.js';
import type { IntDecoder } from './int-runs.js';
import { nullProps, Presence } from './presence.js';
import { primitiveReader } from './primitives.js';
import { arrowType, OrcType } from './schema.js';
import { StreamKind } from './stripe.js';
import { textReader } from './strings.js';
import { timestampReader } from './timestamp.js';
import { UnionColumn } from './union.js';

class StructColumn implements ColumnReader {
  private readonly presence: Presence;
  private readonly fields: ColumnReader[];
  private readonly type: arrow.Struct;

  constructor(ctx: ReadContext, t: OrcType) {
    this.presence = presenceOf(ctx, t);
    this.fields = t.children.map((c) => columnReader(ctx, c.type));
    this.type = arrowType(t, ctx.unit) as arrow.Struct;
  }

  read(n: number, parentValid: Uint8Array | null): arrow.Data {
    const slots = this.presence.read(n, parentValid);
    const children = this.fields.map((f) => f.read(n, slots.valid));
    return arrow.makeData({ type: this.type, length: n, ...nullProps(slots, n), children });
  }
}

/** LIST and MAP: offsets from LENGTH, then `total` entries from the child columns. */
class RepeatedColumn implements ColumnReader {
  private readonly presence: Presence;
  private readonly lengths: IntDecoder;
  private readonly children: ColumnReader[];
  private readonly type: arrow.List | arrow.Map_;
  private readonly budget: number;
  private readonly what: string;

  constructor(ctx: ReadContext, t: OrcType) {
    this.presence = presenceOf(ctx, t);
    this.lengths = intStream(ctx, t, StreamKind.LENGTH, false);
    this.children = t.children.map((c) => columnReader(ctx, c.type));
    this.type = arrowType(t, ctx.unit) as arrow.List | arrow.Map_;
    // children made only of field-less structs without nulls have no streams (and allocate nothing)
    const budget = valueBudget(ctx, t.id + 1, t.maxId);
    this.budget = budget === 0 && !t.children.some((c) => hasLeaves(c.type)) ? Infinity : budget;
    this.what = `stripe ${ctx.stripe.index} column ${t.id}`;
  }

  read(n: number, parentValid: Uint8Array | null): arrow.Data {
    const slots = this.presence.read(n, parentValid);
    const lengths = new Float64Array(slots.count);
    this.lengths.readNumbers(lengths, 0, slots.count);
    const valueOffsets = new Int32Array(n + 1);
    const valid = slots.valid;
    let total = 0;
    for (let i = 0, j = 0; i < n; i++) {
      if (!valid || valid[i]) {
        const len = lengths[j++];
        if (!(len >= 0)) throw orcError(`${this.what}: negative list length`);
        total += len;
      }
      valueOffsets[i + 1] = total;
    }
    // a child entry costs at least a bit of some child stream, so larger totals are corrupt lengths
    if (total > this.budget || total > 0x7fffffff) throw orcError(`${this.what}: list lengths exceed the child data`);
    const [first, second] = this.children.map((c) => c.read(total, null));
    const props = { length: n, ...nullProps(slots, n), valueOffsets };
    if (this.type instanceof arrow.List) return arrow.makeData({ type: this.type, ...props, child: first });
    const entries = this.type.children[0].type;
    const child = arrow.makeData({ type: entries, length: total, nullCount: 0, children: [first, second] });
    return arrow.makeData({ type: this.type, ...props, child });
  }
}

function hasLeaves(t: OrcType): boolean {
  return t.kind !== 'struct' || t.children.some((c) => hasLeaves(c.type));
}

/** The reader of one column (and its subtree) for the current stripe. */
export function columnReader(ctx: ReadContext, t: OrcType): ColumnReader {
  const reader = primitiveReader(ctx, t) ?? textReader(ctx, t) ?? timestampReader(ctx, t) ?? decimalReader(ctx, t);
  if (reader) return reader;
  if (t.kind === 'struct') return new StructColumn(ctx, t);
  if (t.kind === 'list' || t.kind === 'map') return new RepeatedColumn(ctx, t);
  if (t.kind === 'union') {
    const children = t.children.map((c) => columnReader(ctx, c.type));
    return new UnionColumn(ctx, t, arrowType(t, ctx.unit) as arrow.DenseUnion, children);
  }
  throw orcError(`columns of type ${t.kind.toUpperCase()} are not supported`);
}
