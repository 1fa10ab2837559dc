// Translated S3 Select queries over CSV input, run for real in DuckDB: column access, untyped-text
// coercions, operators, aggregates, the GROUP BY / ORDER BY / DISTINCT extensions, LIMIT, CSV and JSON
// output rendering, and what the lead's source needs to read (referenced columns).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyOptionsSql } from '../src/duckdb/copy-stream.js';
import { translate, type OutputFormat, type SourceShape } from '../src/select/translate/index.js';
import { CSV_OUT, Dataset, failureCode, TranslateDb } from './helpers/translate-db.js';

let db: TranslateDb;
let people: Dataset;
let noHeader: Dataset;

beforeAll(async () => {
  db = await TranslateDb.open();
  people = Dataset.csv(db, 'people.csv', [
    '1,Alice,30,NY', '2,Bob,25,LA', '3,Carol,35,NY', '4,Dan,25,SF', '5,Eve,,NY',
  ], ['id', 'Name', 'age', 'city']);
  noHeader = Dataset.csv(db, 'plain.csv', ['a,1', 'b,"x,y"', 'c'], undefined, 2);
});

afterAll(() => db?.close());

describe('columns', () => {
  it('selects by position, header name (any case, or quoted exactly) and alias', async () => {
    expect(await people.run('SELECT _2, name, s.AGE, "city" FROM S3Object s WHERE _1 = \'1\'')).toEqual(['Alice,Alice,30,NY']);
    expect(await noHeader.run('SELECT s._2, _1 FROM S3Object s')).toEqual(['1,a', '"x,y",b', ',c']);
  });

  it('renders SELECT * as the record, and as JSON with header names or _N keys', async () => {
    expect(await noHeader.run('SELECT * FROM S3Object')).toEqual(['a,1', 'b,"x,y"', 'c,']);
    expect(await people.json('SELECT * FROM S3Object LIMIT 1')).toEqual(['{"id":"1","Name":"Alice","age":"30","city":"NY"}']);
    // A field past the end of a short row is MISSING: left out of JSON objects.
    expect(await noHeader.json('SELECT * FROM S3Object')).toEqual(['{"_1":"a","_2":"1"}', '{"_1":"b","_2":"x,y"}', '{"_1":"c"}']);
  });

  it('keeps an empty field as an empty string, distinct from a missing one', async () => {
    expect(await people.json("SELECT age FROM S3Object WHERE age = ''")).toEqual(['{"age":""}']);
    expect(await noHeader.run('SELECT _1 FROM S3Object WHERE _2 IS MISSING')).toEqual(['c']);
    expect(await noHeader.run('SELECT _1 FROM S3Object WHERE _2 IS NULL')).toEqual(['c']);
  });

  it('treats the alias alone as the whole record, and alias.* as its fields', async () => {
    expect(await people.json('SELECT s FROM S3Object s LIMIT 1')).toEqual(['{"s":{"id":"1","Name":"Alice","age":"30","city":"NY"}}']);
    expect(await noHeader.run('SELECT s.*, s._1 FROM S3Object s')).toEqual(['a,1,a', 'b,"x,y",b', 'c,,c']);
  });

  it('compares text with timestamps by reading it as an Ion timestamp', async () => {
    const days = Dataset.csv(db, 'days.csv', ['2020-01-01T', '2021-06-30T12:00Z', 'someday'], undefined, 1);
    expect(await days.run('SELECT _1 FROM S3Object WHERE _1 > `2020-06-01T`')).toEqual(['2021-06-30T12:00Z']);
    // An explicit CAST is strict.
    expect(await failureCode(() => days.run('SELECT _1 FROM S3Object WHERE CAST(_1 AS TIMESTAMP) < `2020-06-01T`'))).toBe('CastFailed');
  });

  it('rejects unknown columns at translation time', () => {
    expect(() => people.sql('SELECT nosuch FROM S3Object')).toThrow(expect.objectContaining({ code: 'InvalidColumnIndex' }));
    expect(() => people.sql('SELECT "NAME" FROM S3Object')).toThrow(expect.objectContaining({ code: 'MissingHeaderName' }));
  });
});

describe('untyped CSV text', () => {
  it('compares with numbers numerically; text that is not a number never matches', async () => {
    expect(await people.run('SELECT name FROM S3Object WHERE age > 26')).toEqual(['Alice', 'Carol']);
    expect(await people.run('SELECT name FROM S3Object WHERE age = 25.0')).toEqual(['Bob', 'Dan']);
    expect(await people.run('SELECT name FROM S3Object WHERE NOT (age < 100)')).toEqual([]);
  });

  it('compares with strings as text', async () => {
    // '30' < '4' as strings.
    expect(await people.run("SELECT name FROM S3Object WHERE age < '4' AND age <> ''")).toEqual(['Alice', 'Bob', 'Carol', 'Dan']);
    expect(await people.run("SELECT name FROM S3Object WHERE city IN ('SF', 'LA')")).toEqual(['Bob', 'Dan']);
  });

  it('does arithmetic as ints when both sides are ints, as floats otherwise, MISSING when not a number', async () => {
    expect(await people.json('SELECT age + 1 AS a, age * 1.5 AS b, age / 2 AS c, -age AS d FROM S3Object WHERE id <= 2 OR id = 5')).toEqual([
      '{"a":31,"b":45.0,"c":15,"d":-30}',
      '{"a":26,"b":37.5,"c":12,"d":-25}',
      '{}',
    ]);
  });

  it('reads true/false in any case as booleans', async () => {
    const flags = Dataset.csv(db, 'flags.csv', ['TRUE', 'false', 'maybe'], undefined, 1);
    expect(await flags.run('SELECT _1 FROM S3Object WHERE _1')).toEqual(['TRUE']);
    expect(await flags.run('SELECT _1 FROM S3Object WHERE _1 = false')).toEqual(['false']);
  });
});

describe('aggregates', () => {
  it('computes COUNT, SUM, AVG, MIN and MAX with numeric coercion, skipping empty fields', async () => {
    expect(await people.run('SELECT COUNT(*), COUNT(age), SUM(age), AVG(age), MIN(age), MAX(age) FROM S3Object')).toEqual(['5,5,115,28.75,25,35']);
    expect(await people.json('SELECT SUM(CAST(age AS INT)) AS total FROM S3Object WHERE age <> \'\'')).toEqual(['{"total":115}']);
  });

  it('gives COUNT 0 and null for the others over no rows', async () => {
    expect(await people.json('SELECT COUNT(*), SUM(age), AVG(age), MIN(age), MAX(age) FROM S3Object WHERE id > 100')).toEqual([
      '{"_1":0,"_2":null,"_3":null,"_4":null,"_5":null}',
    ]);
    expect(await people.run('SELECT COUNT(*), SUM(age) FROM S3Object WHERE id > 100')).toEqual(['0,']);
  });

  it('keeps decimal sums free of binary noise', async () => {
    const money = Dataset.csv(db, 'money.csv', ['0.1', '0.2', '1.10', '2.20'], undefined, 1);
    expect(await money.run('SELECT SUM(_1), AVG(_1) FROM S3Object')).toEqual(['3.6,0.9']);
    expect(await money.run('SELECT SUM(_1) FROM S3Object WHERE _1 < 1')).toEqual(['0.3']);
  });

  it('raises IntegerOverflow when an int sum leaves int64', async () => {
    const big = Dataset.csv(db, 'big.csv', ['9223372036854775807', '1'], undefined, 1);
    expect(await failureCode(() => big.run('SELECT SUM(CAST(_1 AS INT)) FROM S3Object'))).toBe('IntegerOverflow');
  });
});

describe('extensions: GROUP BY, HAVING, ORDER BY, DISTINCT', () => {
  it('groups, filters groups and orders by aliases and aggregates', async () => {
    expect(await people.run('SELECT city, COUNT(*) AS n FROM S3Object GROUP BY city ORDER BY n DESC, city')).toEqual(['NY,3', 'LA,1', 'SF,1']);
    expect(await people.run('SELECT city FROM S3Object GROUP BY city HAVING COUNT(*) > 1')).toEqual(['NY']);
  });

  it('orders by expressions, descending, with LIMIT', async () => {
    expect(await people.run("SELECT name FROM S3Object WHERE age <> '' ORDER BY CAST(age AS INT) DESC, name LIMIT 3")).toEqual(['Carol', 'Alice', 'Bob']);
    expect(await people.run('SELECT name AS who FROM S3Object ORDER BY who DESC LIMIT 2')).toEqual(['Eve', 'Dan']);
  });

  it('keeps the first occurrence of each DISTINCT record, in input order unless ORDER BY says otherwise', async () => {
    expect(await people.run('SELECT DISTINCT city FROM S3Object')).toEqual(['NY', 'LA', 'SF']);
    expect(await people.run('SELECT DISTINCT city FROM S3Object ORDER BY city LIMIT 2')).toEqual(['LA', 'NY']);
  });

  it('applies LIMIT after WHERE', async () => {
    expect(await people.run("SELECT id FROM S3Object WHERE city = 'NY' LIMIT 2")).toEqual(['1', '3']);
    expect(await people.run('SELECT id FROM S3Object LIMIT 0')).toEqual([]);
  });
});

describe('CSV fields with a BIGINT beside them (the columnar cache)', () => {
  it('cast to INT and FLOAT through the BIGINT, and to other types from the text', async () => {
    const file = db.file('int-cols.csv', '1,-5\n2,12\n');
    const relation = `(SELECT *, TRY_CAST(c1 AS BIGINT) AS i1 FROM ${db.csvRelation(file, 2)}) AS t`;
    const shape: SourceShape = { format: 'csv', csvWidth: 2, csvIntColumns: [1] };
    const sum = translate('SELECT SUM(CAST(_1 AS INT)), AVG(CAST(_1 AS FLOAT)) FROM S3Object', shape, CSV_OUT).sql(relation);
    expect(sum).toContain('"s3_src"."i1"');
    expect(sum).not.toContain('s3_cast_int');
    expect(await db.lines(sum)).toEqual(['3,1.5']);
    const rows = translate('SELECT CAST(_1 AS DECIMAL) / 4, CAST(_2 AS INT) FROM S3Object WHERE CAST(_1 AS INT) = 2', shape, CSV_OUT).sql(relation);
    expect(rows).toContain('s3t_cast_dec("s3_src"."c1")');
    expect(await db.lines(rows)).toEqual(['0.5,12']);
  });
});

describe('CSV output rendering', () => {
  const out = (o: Partial<Extract<OutputFormat, { kind: 'csv' }>>): OutputFormat => ({ ...CSV_OUT, ...o } as OutputFormat);
  let tricky: Dataset;
  beforeAll(() => {
    tricky = Dataset.csv(db, 'tricky.csv', ['plain,"a,b","say ""hi""","two\nlines",'], undefined, 5);
  });

  it('quotes only fields that need it with ASNEEDED, doubling the quote character', async () => {
    expect(await tricky.run('SELECT * FROM S3Object')).toEqual(['plain,"a,b","say ""hi""","two\nlines",']);
  });

  it('quotes every field with ALWAYS, the empty ones too', async () => {
    expect(await tricky.run('SELECT * FROM S3Object', out({ quoteFields: 'ALWAYS' }))).toEqual(['"plain","a,b","say ""hi""","two\nlines",""']);
  });

  it('uses the given delimiters, quote and escape characters (multi-character delimiters too)', async () => {
    const o = out({ fieldDelimiter: '||', quoteCharacter: "'", quoteEscapeCharacter: '\\', recordDelimiter: '\r\n' });
    expect(await tricky.run("SELECT _1, _2, 'it''s', 'x||y', 'p\rq' FROM S3Object", o)).toEqual(["plain||a,b||'it\\'s'||'x||y'||'p\rq'"]);
  });

  it('quotes numbers, booleans and timestamps when a delimiter or quote is one of their characters', async () => {
    const typed = "SELECT -12, CAST('1.5' AS FLOAT), true, CAST('2020-01-02T03:04:05Z' AS TIMESTAMP), 7 FROM S3Object";
    expect(await tricky.run(typed)).toEqual(['-12,1.5,true,2020-01-02T03:04:05Z,7']);
    expect(await tricky.run(typed, out({ fieldDelimiter: '1' }))).toEqual(['"-12"1"1.5"1true1"2020-01-02T03:04:05Z"17']);
    expect(await tricky.run(typed, out({ quoteCharacter: 'e', quoteEscapeCharacter: 'e' }))).toEqual(['-12,1.5,etrueee,2020-01-02T03:04:05Z,7']);
    expect(await tricky.run(typed, out({ recordDelimiter: ':' }))).toEqual(['-12,1.5,true,"2020-01-02T03:04:05Z",7']);
  });

  it('quotes a field containing the record delimiter', async () => {
    expect(await tricky.run("SELECT 'a;b', 'c' FROM S3Object", out({ recordDelimiter: ';' }))).toEqual(['"a;b",c']);
  });

  it('writes each line raw through the COPY options the Select handler uses', async () => {
    const file = path.join(db.dir, 'copy.out');
    const sql = tricky.sql('SELECT * FROM S3Object');
    await db.conn.run(`COPY (${sql}) TO '${file}' (${copyOptionsSql({ format: 'csv', header: false, quote: '', escape: '', delimiter: '\u001f', newline: '\r\n' })})`);
    expect(fs.readFileSync(file, 'utf8')).toBe('plain,"a,b","say ""hi""","two\nlines",\r\n');
    const empty = people.sql("SELECT '' FROM S3Object LIMIT 2");
    await db.conn.run(`COPY (${empty}) TO '${file}' (${copyOptionsSql({ format: 'csv', header: false, quote: '', escape: '', delimiter: '\u001f', newline: '\n' })})`);
    expect(fs.readFileSync(file, 'utf8')).toBe('\n\n');
  });
});

describe('referenced columns', () => {
  it('lists the 1-based CSV columns a query reads, or all for SELECT *', () => {
    expect(translate('SELECT _3 FROM S3Object WHERE _1 = \'x\'', { format: 'csv', csvWidth: 2 }, CSV_OUT).referenced)
      .toEqual({ all: false, csvIndexes: [1, 3] });
    expect(translate('SELECT name FROM S3Object', people.shape, CSV_OUT).referenced).toEqual({ all: false, csvIndexes: [2] });
    expect(translate('SELECT * FROM S3Object', people.shape, CSV_OUT).referenced.all).toBe(true);
  });

  it('reads a column past the first row width as MISSING when the relation is widened to it', async () => {
    const t = translate('SELECT _1, _3 FROM S3Object', noHeader.shape, { kind: 'json', recordDelimiter: '\n' });
    const file = db.file('wide.csv', 'a,1\nb,2,3\n');
    expect(await db.lines(t.sql(db.csvRelation(file, 3)))).toEqual(['{"_1":"a"}', '{"_1":"b","_3":"3"}']);
  });
});
