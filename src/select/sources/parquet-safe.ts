// Parquet has no union type and parquet-wasm aborts (a WebAssembly trap, not an exception) when handed
// one, so union columns (ORC UNION) are rewritten before writing: a union becomes a struct with one
// member per variant, the active one set and the others null (null when the value itself is null).
import * as arrow from 'apache-arrow';

function hasUnion(t: arrow.DataType): boolean {
  if (arrow.DataType.isUnion(t)) return true;
  return (t.children ?? []).some((f: arrow.Field) => hasUnion(f.type));
}

function fixField(f: arrow.Field): arrow.Field {
  return hasUnion(f.type) ? new arrow.Field(f.name, fixType(f.type), arrow.DataType.isUnion(f.type) ? true : f.nullable, f.metadata) : f;
}

function fixType(t: arrow.DataType): arrow.DataType {
  if (arrow.DataType.isUnion(t)) return new arrow.Struct(t.children.map((c) => new arrow.Field(c.name, fixType(c.type), true)));
  if (arrow.DataType.isStruct(t)) return new arrow.Struct(t.children.map(fixField));
  if (arrow.DataType.isList(t)) return new arrow.List(fixField(t.children[0]!));
  if (arrow.DataType.isMap(t)) return new arrow.Map_(fixField(t.children[0]!) as arrow.Field<arrow.Struct>, t.keysSorted);
  if (arrow.DataType.isFixedSizeList(t)) return new arrow.FixedSizeList(t.listSize, fixField(t.children[0]!));
  return t;
}

function unionToStruct(data: arrow.Data<arrow.Union>, type: arrow.Struct): arrow.Data {
  const union = data.type;
  const names = type.children.map((c) => c.name);
  const vector = arrow.makeVector(data);
  const builder = arrow.makeBuilder({ type, nullValues: [null, undefined] });
  for (let i = 0; i < data.length; i++) {
    const value = vector.get(i);
    if (value === null || value === undefined) {
      builder.append(null);
      continue;
    }
    const active = union.typeIdToChildIndex[data.typeIds[data.offset + i]!]!;
    builder.append(Object.fromEntries(names.map((n, k) => [n, k === active ? value : null])) as never);
  }
  return builder.finish().flush();
}

function fixData(data: arrow.Data, type: arrow.DataType): arrow.Data {
  if (type === data.type) return data;
  if (arrow.DataType.isUnion(data.type)) return unionToStruct(data as arrow.Data<arrow.Union>, type as arrow.Struct);
  const children = data.children.map((c, i) => fixData(c, type.children[i]!.type));
  const common = { type, offset: data.offset, length: data.length, nullCount: data.nullCount, nullBitmap: data.nullBitmap };
  if (arrow.DataType.isStruct(type)) return arrow.makeData({ ...common, type, children });
  if (arrow.DataType.isList(type)) return arrow.makeData({ ...common, type, valueOffsets: data.valueOffsets, child: children[0]! });
  if (arrow.DataType.isMap(type)) return arrow.makeData({ ...common, type, valueOffsets: data.valueOffsets, child: children[0]! as arrow.Data<arrow.Struct> });
  if (arrow.DataType.isFixedSizeList(type)) return arrow.makeData({ ...common, type, child: children[0]! });
  return data;
}

/** The schema and batches as Parquet can hold them; unchanged (same objects) when nothing needs fixing. */
export function parquetSafe(schema: arrow.Schema, batches: AsyncIterable<arrow.RecordBatch>): { schema: arrow.Schema; batches: AsyncIterable<arrow.RecordBatch> } {
  if (!schema.fields.some((f) => hasUnion(f.type))) return { schema, batches };
  const fixed = new arrow.Schema(schema.fields.map(fixField), schema.metadata);
  const root = new arrow.Struct(fixed.fields);
  async function* convert(): AsyncGenerator<arrow.RecordBatch> {
    for await (const b of batches) {
      const children = b.data.children.map((c, i) => fixData(c, fixed.fields[i]!.type));
      yield new arrow.RecordBatch(fixed, arrow.makeData({ type: root, length: b.numRows, nullCount: 0, children }));
    }
  }
  return { schema: fixed, batches: convert() };
}
