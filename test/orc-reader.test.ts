// The ORC reader's contract beyond decoding: Arrow types, projection that reads fewer bytes, stripe
// skipping from statistics, batch sizes, timestamp units, and batches Arrow itself can serialize.
import * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import type { ColumnStats } from '../src/formats/orc/index.js';
import { cell, expected, openFixture, readColumns } from './helpers/orc.js';

type DataSet = { names: string[]; values: Record<string, unknown[]> };
const data = (key: string) => expected.data[key] as DataSet;

describe('schema', () => {
  it('maps every ORC type to a faithful Arrow type', async () => {
    const { reader } = await openFixture('types-none.orc');
    const types = Object.fromEntries(reader.arrowSchema().fields.map((f) => [f.name, f.type]));
    expect(String(types.b)).toBe('Bool');
    expect(String(types.i8)).toBe('Int8');
    expect(String(types.i16)).toBe('Int16');
    expect(String(types.i32)).toBe('Int32');
    expect(String(types.i64)).toBe('Int64');
    expect(String(types.f32)).toBe('Float32');
    expect(String(types.f64)).toBe('Float64');
    expect(String(types.s)).toBe('Utf8');
    expect(String(types.bin)).toBe('Binary');
    expect(types.dec10_2).toMatchObject({ precision: 10, scale: 2, bitWidth: 128 });
    expect(types.dec38_10).toMatchObject({ precision: 38, scale: 10 });
    expect(String(types.d)).toBe('Date32<DAY>');
    expect(types.ts).toMatchObject({ unit: arrow.TimeUnit.NANOSECOND });
    expect((types.ts as arrow.Timestamp).timezone ?? null).toBeNull();
    expect(types.tsz).toMatchObject({ unit: arrow.TimeUnit.NANOSECOND, timezone: 'UTC' });
    expect(String(types.st)).toBe('Struct<{a:Int32, b:Utf8}>');
    expect(String(types.l)).toBe('List<Int64>');
    expect(String(types.m)).toBe('Map<{key:Utf8, value:Float64}>');
    expect(String(types.nested)).toBe('List<Struct<{x:Int32, y:List<Utf8>}>>');
    expect(reader.schema.kind).toBe('struct');
    expect(reader.schema.children.find((c) => c.name === 'dec5_0')?.type).toMatchObject({ kind: 'decimal', precision: 5, scale: 0 });
  });

  it('reads VARCHAR and CHAR as strings and reports their declared lengths', async () => {
    const { reader } = await openFixture('varchar-char.orc');
    expect(reader.schema.children.map((c) => [c.name, c.type.kind, c.type.maximumLength])).toEqual([
      ['vc', 'varchar', 10], ['ch', 'char', 5],
    ]);
  });

  it('describes a file without rows and yields no batches', async () => {
    const { reader } = await openFixture('empty.orc');
    expect(reader.numberOfRows).toBe(0);
    expect(reader.arrowSchema().fields.map((f) => `${f.name}:${f.type}`)).toEqual(['x:Int32', 's:Utf8']);
    expect((await readColumns(reader)).batches).toEqual([]);
  });
});

describe('projection', () => {
  it('reads only the requested columns and far fewer bytes', async () => {
    const streamBytes = async (columns?: string[]) => {
      const { reader, source } = await openFixture('types-none.orc');
      const opened = source.bytesRead;
      const read = await readColumns(reader, { columns });
      return { ...read, bytes: source.bytesRead - opened };
    };
    const all = await streamBytes();
    const one = await streamBytes(['i32', 'no-such-column']);
    expect(Object.keys(one.columns)).toEqual(['i32']);
    expect(one.columns.i32).toEqual(data('types').values.i32);
    // i32 is one of 28 column ids: its streams (+ the stripe footer) are a small part of the stripe
    expect(one.bytes).toBeGreaterThan(200 * 4);
    expect(one.bytes).toBeLessThan(all.bytes / 10);
  });

  it('reads nested columns whole when projected', async () => {
    const { reader } = await openFixture('types-zlib.orc');
    const { columns } = await readColumns(reader, { columns: ['nested', 'm'] });
    expect(Object.keys(columns)).toEqual(['m', 'nested']);
    expect(columns.nested).toEqual(data('types').values.nested);
    expect(columns.m).toEqual(data('types').values.m);
  });

  it('yields row counts without reading any column stream when no column is requested', async () => {
    const { reader, source } = await openFixture('stripes.orc');
    const before = source.bytesRead;
    const { batches } = await readColumns(reader, { columns: [] });
    expect(batches.reduce((a, b) => a + b, 0)).toBe(1200);
    // only the eight stripe footers were read
    expect(source.bytesRead - before).toBeLessThan(reader.stripes.reduce((a, s) => a + s.footerLength, 0) + 1);
  });
});

describe('stripe statistics', () => {
  it('exposes min, max and nulls per stripe in the reader value units', async () => {
    const { reader } = await openFixture('stripes.orc');
    expect(reader.stripes.map((s) => s.numberOfRows)).toEqual(new Array(8).fill(150));
    const seen: Record<string, ColumnStats>[] = [];
    await readColumns(reader, { stripeFilter: (stats) => (seen.push(stats), false) });
    expect(seen).toHaveLength(8);
    expect(seen[1].id).toEqual({ numberOfValues: 150, hasNull: false, min: 150n, max: 299n });
    expect(seen[1].name).toMatchObject({ min: 'name-000150', max: 'name-000299' });
    expect(seen[1].score).toMatchObject({ min: 150 / 8, max: 299 / 8 });
    expect(seen[1].day).toMatchObject({ min: 18262 + 1, max: 18262 + 2 });
    const minute = 60_000_000_000n;
    expect(seen[1].when).toMatchObject({ min: 1577836800000000000n + 150n * minute, max: 1577836800000000000n + 299n * minute });
    // rows 450..749 of `maybe` are null: stripes 3 and 4 hold nothing else
    expect(seen[3].maybe).toEqual({ numberOfValues: 0, hasNull: true });
    expect(seen[2].maybe).toMatchObject({ numberOfValues: 150, hasNull: false, min: 0n, max: 9n });
  });

  it('skips stripes the filter rejects and does not read their streams', async () => {
    const streamBytes = async (stripeFilter?: (stats: Record<string, ColumnStats>) => boolean) => {
      const { reader, source } = await openFixture('stripes.orc');
      const opened = source.bytesRead;
      const read = await readColumns(reader, { stripeFilter });
      return { ...read, bytes: source.bytesRead - opened };
    };
    const all = await streamBytes();
    const { columns, bytes } = await streamBytes((stats) => !(stats.id && (stats.id.max as bigint) < 1000n));
    expect(columns.id).toEqual(data('stripes').values.id.slice(900));
    expect(columns.name).toEqual(data('stripes').values.name.slice(900));
    // two stripes of eight read (plus the metadata holding the stripe statistics)
    expect(bytes).toBeLessThan(all.bytes / 3);
  });

  it('keeps file statistics for the whole file', async () => {
    const { reader } = await openFixture('types-none.orc');
    const values = data('types').values.i32.filter((v) => v !== null) as number[];
    expect(reader.statistics.i32).toEqual({
      numberOfValues: values.length, hasNull: true, min: BigInt(Math.min(...values)), max: BigInt(Math.max(...values)),
    });
    expect(reader.statistics['st.a']).toMatchObject({ hasNull: true });
    expect(reader.statistics.b).toMatchObject({ min: false, max: true });
  });
});

describe('batches', () => {
  it('cuts a stripe into batches of batchRows; values straddling chunks stay intact', async () => {
    for (const name of ['chunks-zlib.orc', 'chunks-lz4.orc']) {
      const { reader } = await openFixture(name);
      const { columns, batches } = await readColumns(reader, { batchRows: 15000 });
      expect(batches, name).toEqual([15000, 15000, 10000]);
      const pattern = expected.data.chunks as { rows: number; big: string[]; text: string[] };
      expect(columns.big.length).toBe(pattern.rows);
      expect(columns.big.every((v, i) => v === pattern.big[i % pattern.big.length]), name).toBe(true);
      expect(columns.text.every((v, i) => v === pattern.text[i % pattern.text.length]), name).toBe(true);
    }
  });

  it('gives microsecond timestamps on request', async () => {
    const { reader } = await openFixture('timestamps.orc');
    expect(reader.arrowSchema(undefined, 'us').fields[0].type).toMatchObject({ unit: arrow.TimeUnit.MICROSECOND });
    const { columns } = await readColumns(reader, { timestampUnit: 'us' });
    const floorDiv = (ns: bigint) => (ns >= 0n || ns % 1000n === 0n ? ns / 1000n : ns / 1000n - 1n);
    const want = data('timestamps').values.ts.map((v) => (v === null ? null : String(floorDiv(BigInt(v as string)))));
    expect(columns.ts).toEqual(want);
    expect(columns.tsz).toEqual(want);
  });

  it('produces batches Arrow serializes and reads back unchanged', async () => {
    for (const [name, key] of [['types-zstd.orc', 'types'], ['union.orc', 'union']]) {
      const { reader } = await openFixture(name);
      const batches: arrow.RecordBatch[] = [];
      for await (const b of reader.readBatches({ batchRows: 64 })) batches.push(b);
      const table = arrow.tableFromIPC(arrow.tableToIPC(new arrow.Table(batches)));
      const want = data(key);
      for (const column of want.names) {
        const vector = table.getChild(column)!;
        const got = vector.data.flatMap((d) => Array.from({ length: d.length }, (_, i) => cell(d, i)));
        expect(got, `${name} ${column}`).toEqual(want.values[column]);
      }
    }
  });

  it('maps ORC unions to Arrow dense unions', async () => {
    const { reader } = await openFixture('union.orc');
    const type = reader.arrowSchema().fields[1].type as arrow.DenseUnion;
    expect(type).toBeInstanceOf(arrow.DenseUnion);
    expect(type.children.map((f) => String(f.type))).toEqual(['Int32', 'Utf8']);
  });
});
