// Translated S3 Select queries over typed (Parquet) columns: type mapping, nested STRUCT / LIST / MAP
// access, timestamps, decimals and floats in both output formats, and the DuckDB type-string parser.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDuckType } from '../src/select/translate/duck-types.js';
import { translate } from '../src/select/translate/index.js';
import { Dataset, failureCode, JSON_OUT, TranslateDb } from './helpers/translate-db.js';

let db: TranslateDb;
let pq: Dataset;

beforeAll(async () => {
  db = await TranslateDb.open();
  pq = await Dataset.parquet(db, 'typed.parquet', `SELECT * FROM (VALUES
    (1::INTEGER, 'a', 1.50::DECIMAL(10,2), 0.1::DOUBLE, TIMESTAMP '2020-01-02 03:04:05.123', DATE '2021-02-03',
     {'x': 1, 'Ys': [1, 2]}, [10, 20, 30], MAP {'k': 'v'}, true, 0.1::FLOAT, 'b'::BLOB, 12345678901234::BIGINT,
     TIMESTAMPTZ '2020-01-01 12:00:00+02', '00000000-0000-0000-0000-000000000001'::UUID),
    (2, NULL, NULL, 1e20, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '\\xFF'::BLOB, NULL, NULL, NULL))
    t(i, s, d, f, ts, dt, st, li, m, b, fl, bl, big, tz, u)`);
});

afterAll(() => db?.close());

describe('typed columns', () => {
  it('renders every type in CSV output', async () => {
    expect(await pq.run('SELECT * FROM S3Object')).toEqual([
      '1,a,1.50,0.1,2020-01-02T03:04:05.123Z,2021-02-03,"{""x"":1,""Ys"":[1,2]}","[10,20,30]","{""k"":""v""}",true,0.1,b,12345678901234,2020-01-01T10:00:00Z,00000000-0000-0000-0000-000000000001',
      '2,,,1.0E20,,,,,,,,/w==,,,',
    ]);
  });

  it('renders every type in JSON output, NULL as null', async () => {
    expect(await pq.json('SELECT * FROM S3Object')).toEqual([
      '{"i":1,"s":"a","d":1.50,"f":0.1,"ts":"2020-01-02T03:04:05.123Z","dt":"2021-02-03","st":{"x":1,"Ys":[1,2]},"li":[10,20,30],"m":{"k":"v"},"b":true,"fl":0.1,"bl":"b","big":12345678901234,"tz":"2020-01-01T10:00:00Z","u":"00000000-0000-0000-0000-000000000001"}',
      '{"i":2,"s":null,"d":null,"f":1.0E20,"ts":null,"dt":null,"st":null,"li":null,"m":null,"b":null,"fl":null,"bl":"/w==","big":null,"tz":null,"u":null}',
    ]);
  });

  it('renders timestamps, floats and binary inside nested values as they render on their own', async () => {
    const nested = await Dataset.parquet(db, 'nested-ts.parquet', `SELECT
      {'t': TIMESTAMP '2020-01-02 03:04:05', 'f': 1.5::DOUBLE, 'n': NULL::TIMESTAMP, 'i': 7} AS st,
      [TIMESTAMP '2021-01-01 00:00:00.5', NULL] AS li,
      MAP {'k': [DATE '2022-03-04']} AS m,
      [{'b': '\\xFF'::BLOB}] AS lb,
      NULL::STRUCT(t TIMESTAMP) AS gone`);
    expect(await nested.json('SELECT * FROM S3Object')).toEqual([
      '{"st":{"t":"2020-01-02T03:04:05Z","f":1.5,"n":null,"i":7},"li":["2021-01-01T00:00:00.500Z",null],' +
      '"m":{"k":["2022-03-04"]},"lb":[{"b":"/w=="}],"gone":null}',
    ]);
    expect(await nested.run('SELECT s.st, s.li[0], s.gone FROM S3Object s')).toEqual([
      '"{""t"":""2020-01-02T03:04:05Z"",""f"":1.5,""n"":null,""i"":7}",2021-01-01T00:00:00.500Z,',
    ]);
  });

  it('matches column names like CSV headers and rejects unknown ones', () => {
    expect(() => pq.sql('SELECT nope FROM S3Object')).toThrow(expect.objectContaining({ code: 'EvaluatorBindingDoesNotExist' }));
    expect(pq.sql('SELECT S.I FROM S3Object s')).toContain('"i"');
  });

  it('keeps columns whose names collide with the names the translation uses', async () => {
    const clash = await Dataset.parquet(db, 'clash.parquet', `SELECT * FROM (VALUES ('b', 1, 'x'), ('a', 2, 'y')) t(line, j, s3_src)`);
    expect(await clash.run('SELECT j, s3_src FROM S3Object ORDER BY line')).toEqual(['2,y', '1,x']);
    expect(await clash.run('SELECT DISTINCT line FROM S3Object ORDER BY line DESC')).toEqual(['b', 'a']);
  });

  it('compares typed values with literals, strings read as timestamps against timestamps', async () => {
    expect(await pq.run("SELECT i FROM S3Object WHERE ts > `2020-01-01T` AND d = 1.5 AND s = 'a' AND b AND dt < '2022T'")).toEqual(['1']);
    expect(await pq.run("SELECT i FROM S3Object WHERE i = '1' OR s > 1")).toEqual([]);
  });

  it('keeps int arithmetic in int64 even for narrow columns, and decimals exact', async () => {
    expect(await pq.json('SELECT i * 2147483647 * 2 AS a, d * 2 AS b, d + 1 AS c, f * 2 AS e, i / 2 AS g FROM S3Object WHERE i = 1')).toEqual([
      '{"a":4294967294,"b":3.00,"c":2.50,"e":0.2,"g":0}',
    ]);
    expect(await failureCode(() => pq.run('SELECT big * 1000000000 FROM S3Object'))).toBe('IntegerOverflow');
  });

  it('aggregates typed columns: int sums stay ints, AVG of ints is a decimal', async () => {
    expect(await pq.json('SELECT SUM(i), AVG(i), SUM(d), MIN(ts), MAX(dt), SUM(f), COUNT(s), MAX(s) FROM S3Object')).toEqual([
      '{"_1":3,"_2":1.5,"_3":1.50,"_4":"2020-01-02T03:04:05.123Z","_5":"2021-02-03","_6":1.0E20,"_7":1,"_8":"a"}',
    ]);
  });

  it('compares timestamp columns with literals by instant, pushing the filter into the reader', async () => {
    expect(await pq.run('SELECT i FROM S3Object WHERE ts = `2020-01-02T05:04:05.123+02:00` AND dt >= `2021-02-03T` AND tz < `2020-01-01T12:00:01+02:00`')).toEqual(['1']);
    expect(await pq.run('SELECT i FROM S3Object WHERE ts > `2020-01-02T03:04:05.123Z`')).toEqual([]);
    const plan = (await db.conn.runAndReadAll(`EXPLAIN ${pq.sql('SELECT i FROM S3Object WHERE ts > `2020T`')}`)).getRowsJson().map((r) => String(r[1])).join('\n');
    expect(plan).toMatch(/Filters:[\s│]+ts>'2020-01-01 00:00:00'/);
  });

  it('orders timestamps by instant', async () => {
    expect(await pq.run('SELECT i FROM S3Object ORDER BY tz DESC')).toEqual(['2', '1']);
    expect(await pq.run('SELECT i FROM S3Object ORDER BY tz')).toEqual(['1', '2']);
  });
});

describe('nested columns', () => {
  it('walks struct fields (any case), list indexes from zero and map keys', async () => {
    expect(await pq.json('SELECT s.st.x, s.st.ys[1], s.li[0], s.m.k FROM S3Object s WHERE s.i = 1')).toEqual(['{"x":1,"_2":2,"_3":10,"k":"v"}']);
  });

  it('makes absent fields, indexes past the end and absent map keys MISSING', async () => {
    expect(await pq.json('SELECT s.st.nope, s.li[5], s.m.zz, s.i.x FROM S3Object s WHERE s.i = 1')).toEqual(['{}']);
  });

  it('expands struct members with .*', async () => {
    expect(await pq.json('SELECT s.st.*, s.i FROM S3Object s')).toEqual(['{"x":1,"Ys":[1,2],"i":1}', '{"x":null,"Ys":null,"i":2}']);
    expect(await pq.run('SELECT s.st.* FROM S3Object s WHERE s.i = 1')).toEqual(['1,"[1,2]"']);
  });

  it('compares nested values as dynamic values', async () => {
    expect(await pq.run('SELECT i FROM S3Object s WHERE s.li[1] = 20 AND s.st.ys[0] < 2')).toEqual(['1']);
  });
});

describe('DuckDB type strings', () => {
  it('parses scalar, decimal, nested and quoted-field types', () => {
    expect(parseDuckType('DECIMAL(18,3)')).toEqual({ kind: 'scalar', name: 'DECIMAL', precision: 18, scale: 3 });
    expect(parseDuckType('TIMESTAMP WITH TIME ZONE')).toEqual({ kind: 'scalar', name: 'TIMESTAMP WITH TIME ZONE' });
    expect(parseDuckType('STRUCT("a b" INTEGER, "q""x" VARCHAR[], c MAP(VARCHAR, DOUBLE))')).toEqual({
      kind: 'struct',
      fields: [
        { name: 'a b', type: { kind: 'scalar', name: 'INTEGER' } },
        { name: 'q"x', type: { kind: 'list', element: { kind: 'scalar', name: 'VARCHAR' } } },
        { name: 'c', type: { kind: 'map', key: { kind: 'scalar', name: 'VARCHAR' }, value: { kind: 'scalar', name: 'DOUBLE' } } },
      ],
    });
    expect(parseDuckType("ENUM('a', 'b)')")).toEqual({ kind: 'scalar', name: 'ENUM' });
    expect(parseDuckType('INTEGER[3][]')).toEqual({ kind: 'list', element: { kind: 'list', element: { kind: 'scalar', name: 'INTEGER' } } });
    expect(parseDuckType('UNION(a INTEGER, b VARCHAR)')).toEqual({ kind: 'other', name: 'UNION(a INTEGER, b VARCHAR)' });
  });

  it('rejects malformed type strings with UnsupportedParquetType', () => {
    expect(() => parseDuckType('STRUCT(a')).toThrow(expect.objectContaining({ code: 'UnsupportedParquetType' }));
  });

  it('reports the referenced top-level columns', () => {
    const shape = { format: 'columnar' as const, columns: [{ name: 'A', type: 'INTEGER' }, { name: 'b', type: 'STRUCT(c INTEGER)' }] };
    expect(translate('SELECT a, s.b.c FROM S3Object s', shape, JSON_OUT).referenced).toEqual({ all: false, keys: ['A', 'b'] });
  });
});
