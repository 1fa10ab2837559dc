// Arrow values in the canonical form of test/fixtures/formats/expected.json (see make_fixtures.py):
// exact 64-bit values as strings, binary as hex, decimals as scaled strings, maps as sorted pairs.
import * as arrow from 'apache-arrow';
import { Readable } from 'node:stream';
import type { ArrowDecoded } from '../../src/formats/batches.js';

function raw(data: arrow.Data, i: number): unknown {
  return (data.values as ArrayLike<unknown>)[i];
}

export function plainValue(data: arrow.Data, i: number): unknown {
  if (!data.getValid(i)) return null;
  const t = data.type;
  switch (t.typeId) {
    case arrow.Type.Int:
    case arrow.Type.Timestamp:
    case arrow.Type.Time:
      return (t as arrow.Int).bitWidth === 64 || t.typeId === arrow.Type.Timestamp ? String(raw(data, i)) : raw(data, i);
    case arrow.Type.Date:
    case arrow.Type.Float:
      return raw(data, i);
    case arrow.Type.Bool:
      return ((data.values as Uint8Array)[(data.offset + i) >> 3]! >> ((data.offset + i) & 7)) & 1 ? true : false;
    case arrow.Type.Utf8:
    case arrow.Type.Binary: {
      const o = data.valueOffsets as Int32Array;
      const bytes = (data.values as Uint8Array).subarray(o[i]!, o[i + 1]!);
      return t.typeId === arrow.Type.Utf8 ? Buffer.from(bytes).toString('utf8') : Buffer.from(bytes).toString('hex');
    }
    case arrow.Type.FixedSizeBinary: {
      const w = (t as arrow.FixedSizeBinary).byteWidth;
      return Buffer.from((data.values as Uint8Array).subarray(i * w, (i + 1) * w)).toString('hex');
    }
    case arrow.Type.Decimal: {
      const w = new BigInt64Array((data.values as Uint32Array).buffer, (data.values as Uint32Array).byteOffset + i * 16, 2);
      const n = (w[1]! << 64n) | BigInt.asUintN(64, w[0]!);
      const scale = (t as arrow.Decimal).scale;
      const neg = n < 0n;
      const digits = (neg ? -n : n).toString().padStart(scale + 1, '0');
      return (neg ? '-' : '') + (scale ? `${digits.slice(0, -scale)}.${digits.slice(-scale)}` : digits);
    }
    case arrow.Type.Struct: {
      const out: Record<string, unknown> = {};
      (t as arrow.Struct).children.forEach((f, k) => (out[f.name] = plainValue(data.children[k]!, i)));
      return out;
    }
    case arrow.Type.List:
    case arrow.Type.Map: {
      const o = data.valueOffsets as Int32Array;
      const items: unknown[] = [];
      for (let k = o[i]!; k < o[i + 1]!; k++) items.push(plainValue(data.children[0]!, k));
      if (t.typeId === arrow.Type.List) return items;
      return (items as { key: unknown; value: unknown }[])
        .map((e) => [e.key, e.value])
        .sort((a, b) => (String(a[0]) < String(b[0]) ? -1 : String(a[0]) > String(b[0]) ? 1 : 0));
    }
    case arrow.Type.Null:
      return null;
    default:
      throw new Error(`no canonical form for ${String(t)}`);
  }
}

/** Every row of every batch as a plain object. */
export async function plainRows(decoded: ArrowDecoded): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  for await (const batch of decoded.batches) {
    const struct = batch.data;
    for (let i = 0; i < batch.numRows; i++) rows.push(plainValue(struct, i) as Record<string, unknown>);
  }
  return rows;
}

/** A stream that delivers `buf` in chunks of `size` bytes, to cross frame boundaries everywhere. */
export function chunked(buf: Buffer, size: number): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) parts.push(buf.subarray(i, i + size));
  return Readable.from(parts);
}
