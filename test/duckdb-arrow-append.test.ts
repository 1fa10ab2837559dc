// The appender path (arrow-append.ts) must give DuckDB the same columns as the Parquet path it replaces:
// for every Arrow type it writes, the same DuckDB type and the same values, nulls included, across chunk
// boundaries, for strings on both sides of the 12-byte inline limit and for batches that are slices.
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import * as arrow from 'apache-arrow';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendBatches, duckType } from '../src/duckdb/arrow-append.js';
import { columns, type Column } from '../src/formats/arrow-columns.js';
import { writeParquetFile } from '../src/formats/to-parquet.js';
import { tableColumns } from '../src/select/sources/decoded-table.js';

let tmp: string;
let conn: DuckDBConnection;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'arrow-append-'));
  conn = await (await DuckDBInstance.create(':memory:')).connect();
  await conn.run("SET TimeZone = 'UTC'");
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const ROWS = 5000; // more than two 2048-row chunks

/** Value i of a column kind, or null (a pattern that puts nulls in some chunks only). */
function value(kind: string, i: number): unknown {
  if (i % 7 === 3 || (i >= 2048 && i < 2100)) return null;
  switch (kind) {
    case 'bool': return i % 3 === 0;
    case 'int32': return (i * 7919) % 100000 - 50000;
    case 'uint32': return (i * 104729) % 4294967295;
    case 'int64': return BigInt(i) * 1234567890123n - 9007199254740993n;
    case 'uint64': return BigInt(i) * 3689348814741910323n % 18446744073709551615n;
    case 'float32': return i / 8;
    case 'float64': return i * 1.5e-3 - 2.25;
    case 'utf8': return i % 5 === 0 ? `a longer text value №${i} beyond twelve bytes` : ['', 'SFO', 'twelve bytes', 'é€', 'thirteen byte'][i % 5];
    case 'binary': return Buffer.from(Array.from({ length: i % 20 }, (_, k) => (i + k) % 256));
    case 'fixed': return Buffer.from([i % 256, 0, 255, (i >> 8) % 256]);
    case 'decimal4': return BigInt((i % 19999) - 9999);
    case 'decimal9': return BigInt(i * 99991) - 249_000_000n;
    case 'decimal18': return BigInt(i) * 99_999_999_991n - 200_000_000_000_000n;
    case 'decimal38': return BigInt(i) * 10n ** 30n - 7n;
    case 'date': return i * 3 - 4000;
    case 'timeMillis': return (i * 1009) % 86_400_000;
    case 'timeMicros': return BigInt((i * 1000003) % 86_400_000_000);
    case 'timestampMillis': return BigInt(i) * 86_400_123n - 1_000_000_000n;
    case 'timestampMicros': return BigInt(i) * 86_400_123_456n - 5n;
    default: return null;
  }
}

const KINDS: Record<string, () => Column> = {
  bool: columns.bool, int32: columns.int32, uint32: columns.uint32, int64: columns.int64, uint64: columns.uint64,
  float32: columns.float32, float64: columns.float64, utf8: columns.utf8, binary: columns.binary, fixed: () => columns.fixed(4),
  decimal4: () => columns.decimal(4, 1), decimal9: () => columns.decimal(9, 3), decimal18: () => columns.decimal(18, 4),
  decimal38: () => columns.decimal(38, 10), date: columns.date, timeMillis: columns.timeMillis, timeMicros: columns.timeMicros,
  timestampMillis: () => columns.timestampMillis(null), timestampMicros: () => columns.timestampMicros(null),
  timestampMillisUtc: () => columns.timestampMillis('UTC'), null: columns.null,
};

function batches(): { schema: arrow.Schema; whole: arrow.RecordBatch; batches: arrow.RecordBatch[] } {
  const names = Object.keys(KINDS);
  const cols = names.map((n) => KINDS[n]!());
  for (let i = 0; i < ROWS; i++) {
    names.forEach((n, c) => cols[c]!.append(value(n === 'timestampMillisUtc' ? 'timestampMillis' : n, i)));
  }
  const datas = cols.map((c) => c.finish());
  const schema = new arrow.Schema(names.map((n, c) => new arrow.Field(n, datas[c]!.type, true)));
  const whole = new arrow.RecordBatch(schema, arrow.makeData({ type: new arrow.Struct(schema.fields), length: ROWS, children: datas }));
  // Two slices, the second starting at a row that is not a multiple of 8: validity bits are then unaligned.
  return { schema, whole, batches: [whole.slice(0, 1003), whole.slice(1003, ROWS)] };
}

async function rows(sql: string): Promise<unknown[][]> {
  return (await conn.runAndReadAll(sql)).getRowsJson() as unknown[][];
}

describe('Arrow batches appended to a DuckDB table', () => {
  it('get the types and values the Parquet path gives, nulls and all', async () => {
    const { schema, whole, batches: bs } = batches();
    const file = path.join(tmp, 'all.parquet');
    await writeParquetFile(file, schema, (async function* () { yield whole; })());
    const viaParquet = await rows(`DESCRIBE SELECT * FROM read_parquet('${file}')`);
    const cols = tableColumns(schema)!;
    expect(cols.map((c) => [c.name, c.type])).toEqual(viaParquet.map((r) => [r[0], r[1]]));

    await conn.run(`CREATE TABLE appended (${cols.map((c) => `"${c.name}" ${c.type}`).join(', ')})`);
    expect(await appendBatches(conn, 'appended', (async function* () { yield* bs; })())).toBe(ROWS);
    const got = await rows('SELECT * FROM appended ORDER BY rowid');
    const want = await rows(`SELECT * FROM read_parquet('${file}', file_row_number = true) ORDER BY file_row_number`);
    expect(got.length).toBe(ROWS);
    expect(got).toEqual(want.map((r) => r.slice(0, cols.length)));
    // Spot checks that the pattern itself went in: nulls where expected, long strings whole.
    expect(got[3]!.every((v) => v === null)).toBe(true);
    expect(got[2050]!.every((v) => v === null)).toBe(true);
    expect(got[5]![cols.findIndex((c) => c.name === 'utf8')]).toBe('a longer text value №5 beyond twelve bytes');
    // Inlined strings compare equal to literals (their padding bytes are zero).
    expect(await rows(`SELECT COUNT(*) FROM appended WHERE utf8 = 'SFO'`)).toEqual([[String(Array.from({ length: ROWS }, (_, i) => i).filter((i) => value('utf8', i) === 'SFO').length)]]);
  });

  it('has no direct type for nested or union columns, nor for names DuckDB would fold together', () => {
    expect(duckType(new arrow.List(new arrow.Field('item', new arrow.Int32())))).toBeUndefined();
    expect(duckType(new arrow.Struct([new arrow.Field('a', new arrow.Int32())]))).toBeUndefined();
    expect(duckType(new arrow.TimestampNanosecond())).toBeUndefined();
    const fields = (names: string[]) => new arrow.Schema(names.map((n) => new arrow.Field(n, new arrow.Int32())));
    expect(tableColumns(fields(['a', 'A']))).toBeUndefined();
    expect(tableColumns(fields(['']))).toBeUndefined();
    expect(tableColumns(fields(['a', 'b"c']))).toEqual([{ name: 'a', type: 'INTEGER' }, { name: 'b"c', type: 'INTEGER' }]);
  });

  it('refuses a millisecond timestamp that leaves the microsecond range', async () => {
    const col = columns.timestampMillis(null);
    col.append(9_300_000_000_000_000n);
    const data = col.finish();
    const schema = new arrow.Schema([new arrow.Field('ts', data.type, true)]);
    const batch = new arrow.RecordBatch(schema, arrow.makeData({ type: new arrow.Struct(schema.fields), length: 1, children: [data] }));
    await conn.run('CREATE TABLE far (ts TIMESTAMP)');
    await expect(appendBatches(conn, 'far', (async function* () { yield batch; })())).rejects.toThrow(/out of range/);
  });
});
