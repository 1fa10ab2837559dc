import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type * as arrow from 'apache-arrow';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeAvroToArrow } from '../src/formats/avro.js';
import { decodeMsgpackToArrow } from '../src/formats/msgpack.js';
import { decodeProtobufToArrow, loadProtoSchema } from '../src/formats/protobuf.js';
import { writeParquetFile } from '../src/formats/to-parquet.js';

const DIR = 'test/fixtures/formats';
const expected = JSON.parse(fs.readFileSync(`${DIR}/expected.json`, 'utf8')) as Record<string, Record<string, unknown>[]>;
let tmp: string;
let conn: DuckDBConnection;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'formats-parquet-'));
  conn = await (await DuckDBInstance.create(':memory:')).connect();
  await conn.run("SET TimeZone = 'UTC'");
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function rows(sql: string): Promise<Record<string, unknown>[]> {
  return (await conn.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
}

describe('Arrow batches → Parquet → DuckDB', () => {
  it('keeps Avro values and types through the Parquet file', async () => {
    const decoded = await decodeAvroToArrow(fs.createReadStream(`${DIR}/avro/flights_deflate.avro`));
    const file = path.join(tmp, 'avro.parquet');
    expect(await writeParquetFile(file, decoded.schema, decoded.batches)).toMatchObject({ rows: 60 });
    const types = Object.fromEntries((await rows(`DESCRIBE SELECT * FROM '${file}'`)).map((r) => [r.column_name, r.column_type]));
    expect(types).toMatchObject({
      id: 'BIGINT', price: 'DECIMAL(10,2)', price_fixed: 'DECIMAL(18,4)', day: 'DATE', t_us: 'TIME', ts_us: 'TIMESTAMP WITH TIME ZONE',
      attrs: 'MAP(VARCHAR, BIGINT)', tags: 'VARCHAR[]', hash: 'BLOB',
    });
    const got = await rows(
      `SELECT id::VARCHAR AS id, big::VARCHAR AS big, price::VARCHAR AS price, price_fixed::VARCHAR AS price_fixed,
              (epoch_us(ts_us))::VARCHAR AS ts_us, (date_diff('day', DATE '1970-01-01', day))::INT AS day, point.label AS label,
              legs[1].code AS leg, choice.string AS choice, hex(hash) AS hash, attrs['k1']::VARCHAR AS k1
       FROM '${file}' AS t ORDER BY t.id`,
    );
    expect(got).toEqual(
      expected.avro!.map((r) => ({
        id: r.id, big: r.big, price: r.price, price_fixed: r.price_fixed, ts_us: r.ts_us, day: r.day,
        label: (r.point as { label: unknown }).label, leg: (r.legs as { code: string }[])[0]?.code ?? null,
        choice: (r.choice as { string: unknown } | null)?.string ?? null, hash: (r.hash as string).toUpperCase(),
        k1: ((r.attrs as [string, string][]).find(([k]) => k === 'k1') ?? [null, null])[1],
      })),
    );
  });

  it('keeps unsigned 64-bit Protobuf values and int-keyed maps', async () => {
    const root = await loadProtoSchema(fs.readFileSync(`${DIR}/schemas/flight.proto`, 'utf8'), (p) => fs.promises.readFile(`${DIR}/schemas/${p}`, 'utf8'));
    const decoded = await decodeProtobufToArrow(fs.createReadStream(`${DIR}/protobuf/flights.binpb`), { root, messageType: 'selectd.test.Flight', columns: ['id', 'ubig', 'codes'] });
    const file = path.join(tmp, 'pb.parquet');
    await writeParquetFile(file, decoded.schema, decoded.batches);
    const got = await rows(`SELECT ubig::VARCHAR AS ubig, codes[-50] AS c FROM '${file}' AS t ORDER BY t.id`);
    expect(got).toEqual(expected.protobuf!.map((r) => ({ ubig: r.ubig, c: ((r.codes as [number, string][]).find(([k]) => k === -50) ?? [0, null])[1] })));
  });

  it('writes one row group per rowGroupRows rows', async () => {
    const decoded = await decodeMsgpackToArrow(() => fs.createReadStream(`${DIR}/msgpack/flights_stream.msgpack`), { batchRows: 25 });
    const file = path.join(tmp, 'mp.parquet');
    await writeParquetFile(file, decoded.schema, decoded.batches, { rowGroupRows: 16, compression: 'zstd' });
    const groups = await rows(`SELECT DISTINCT row_group_id, row_group_num_rows AS n FROM parquet_metadata('${file}') ORDER BY 1`);
    expect(groups.map((g) => g.n)).toEqual(['16', '16', '16', '12']);
    expect(await rows(`SELECT count(late)::INT AS late FROM '${file}'`)).toEqual([{ late: 15 }]);
  });

  it('writes the schema of an input without rows', async () => {
    const { schema } = await decodeAvroToArrow(Readable.from([fs.readFileSync(`${DIR}/avro/flights_null.avro`)]), { columns: ['id', 'name'] });
    const file = path.join(tmp, 'empty.parquet');
    const none: AsyncIterable<arrow.RecordBatch> = { [Symbol.asyncIterator]: async function* () {} };
    expect(await writeParquetFile(file, schema, none)).toMatchObject({ rows: 0 });
    expect(await rows(`SELECT count(*)::INT AS n FROM '${file}'`)).toEqual([{ n: 0 }]);
    expect((await rows(`DESCRIBE SELECT * FROM '${file}'`)).map((r) => r.column_name)).toEqual(['id', 'name']);
  });

  it('leaves no file behind when the input fails part-way', async () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'fail-'));
    const good = fs.readFileSync(`${DIR}/avro/flights_null.avro`);
    const decoded = await decodeAvroToArrow(Readable.from([good.subarray(0, good.length - 10)]), { batchRows: 10 });
    await expect(writeParquetFile(path.join(dir, 'x.parquet'), decoded.schema, decoded.batches)).rejects.toMatchObject({ code: 'AvroParsingError' });
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});
