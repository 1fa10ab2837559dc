// S3 Select options through boto3: CSV dialects, compression, scan ranges, JSON documents, Parquet,
// output serializations, errors before and after the stream starts.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { raw } from './helpers/raw.js';
import { runSelectCases, type SelectCase, type SelectResult } from './helpers/select-cases.js';
import { ROOT, startServer, type RunningServer } from './helpers/server.js';

let server: RunningServer;
const B = 'opts';

const objects: Record<string, Buffer | string> = {
  'plain.csv': 'a,b,c\n1,2,3\n4,,6\n',
  'semi.csv': 'x;y\r\n1;"q;r"\r\n2;s\r\n',
  'multi.csv': 'a||b~~1||x y~~2||"p||q"~~',
  'comments.csv': '#skip,me\nk,v\n#also\n1,a#b\n',
  'single-quote.csv': "n,v\n1,'a,b'\n2,'it''s'\n",
  'ragged.csv': 'a,b\n1\n1,2,3\n',
  'bom.csv': '\uFEFFid,name\n7,seven\n',
  'names.csv': 'Name,NAME,city\nAnn,ANN,Oslo\n',
  'range.csv': 'A,B\nC,D\nE,F\n',
  'doc.json': '{"a": {"b": [1, 2]}, "items": [{"k": 1}, {"k": 2}]}\n{"a": {"b": []}, "items": [{"k": 3}]}',
  'lines.jsonl': '{"n":1,"s":"x"}\n{"n":2,"s":null}\n{"n":3}\n',
  'nums.csv': 'v\n1\n2\n3\n',
  'empty.csv': 'v\n',
};

beforeAll(async () => {
  server = await startServer();
  await raw(server.url, { method: 'PUT', path: `/${B}` });
  const csvText = String(objects['plain.csv']);
  objects['plain.csv.gz'] = gzipSync(csvText);
  objects['plain.csv.bz2'] = execFileSync('bzip2', ['-c'], { input: csvText });
  objects['plain.csv.zst'] = Buffer.from(await import('fzstd').then(() => zstdFrame(csvText)));
  objects['types.parquet'] = readFileSync(path.join(ROOT, 'test/fixtures/parquet/types.parquet'));
  for (const [key, body] of Object.entries(objects)) {
    const r = await raw(server.url, { method: 'PUT', path: `/${B}/${key}`, body: Buffer.from(body) });
    expect(r.status).toBe(200);
  }
});
afterAll(async () => { await server?.stop(); });

/** A zstd frame made with DuckDB's writer would add a dependency; the zstd CLI is used when present. */
function zstdFrame(text: string): Buffer {
  try {
    return execFileSync('zstd', ['-c', '-q'], { input: text });
  } catch {
    return Buffer.alloc(0);
  }
}

const CSV_USE = { CSV: { FileHeaderInfo: 'USE' } };
const CSV_NONE = { CSV: { FileHeaderInfo: 'NONE' } };

async function check(cases: [SelectCase, Partial<SelectResult>][]) {
  const results = await runSelectCases(server.url, B, cases.map(([c]) => c));
  results.forEach((r, i) => {
    const [c, want] = cases[i];
    const got: Partial<SelectResult> = {};
    for (const k of Object.keys(want) as (keyof SelectResult)[]) (got as Record<string, unknown>)[k] = r[k];
    expect({ case: c.expression, key: c.key, ...got }).toEqual({ case: c.expression, key: c.key, ...want });
  });
  return results;
}

describe('CSV input options', () => {
  it('handles header modes, delimiters, quoting, comments, ragged rows and BOMs', async () => {
    await check([
      [{ key: 'plain.csv', expression: 'SELECT _1, _3 FROM S3Object', input: CSV_NONE }, { records: 'a,c\n1,3\n4,6\n' }],
      [{ key: 'plain.csv', expression: 'SELECT _2 FROM S3Object', input: { CSV: { FileHeaderInfo: 'IGNORE' } } }, { records: '2\n\n' }],
      [{ key: 'plain.csv', expression: "SELECT a FROM S3Object WHERE b = ''", input: CSV_USE }, { records: '4\n' }],
      [{ key: 'semi.csv', expression: 'SELECT y FROM S3Object s', input: { CSV: { FileHeaderInfo: 'USE', FieldDelimiter: ';', RecordDelimiter: '\r\n' } } }, { records: 'q;r\ns\n' }],
      [{ key: 'multi.csv', expression: 'SELECT b, a FROM S3Object', input: { CSV: { FileHeaderInfo: 'USE', FieldDelimiter: '||', RecordDelimiter: '~~' } } }, { records: 'x y,1\np||q,2\n' }],
      [{ key: 'comments.csv', expression: 'SELECT * FROM S3Object', input: { CSV: { FileHeaderInfo: 'USE', Comments: '#' } } }, { records: '1,a#b\n' }],
      [{ key: 'single-quote.csv', expression: 'SELECT v FROM S3Object', input: { CSV: { FileHeaderInfo: 'USE', QuoteCharacter: "'", QuoteEscapeCharacter: "'" } } }, { records: '"a,b"\nit\'s\n' }],
      [{ key: 'ragged.csv', expression: 'SELECT _2, _3 FROM S3Object', input: CSV_NONE }, { records: 'b,\n,\n2,3\n' }],
      [{ key: 'ragged.csv', expression: 'SELECT _3 FROM S3Object', input: CSV_USE }, { error: 'InvalidColumnIndex' }],
      [{ key: 'bom.csv', expression: 'SELECT name FROM S3Object WHERE id = 7', input: CSV_USE }, { records: 'seven\n' }],
      [{ key: 'names.csv', expression: 'SELECT "NAME" FROM S3Object', input: CSV_USE }, { records: 'ANN\n' }],
      [{ key: 'names.csv', expression: 'SELECT name FROM S3Object', input: CSV_USE }, { error: 'AmbiguousFieldName', errorKind: 'http' }],
      [{ key: 'names.csv', expression: 'SELECT "nAmE" FROM S3Object', input: CSV_USE }, { error: 'MissingHeaderName' }],
      [{ key: 'plain.csv', expression: 'SELECT _9 FROM S3Object', input: CSV_USE }, { error: 'InvalidColumnIndex' }],
    ]);
  });

  it('decompresses GZIP, BZIP2 and ZSTD', async () => {
    const cases: [SelectCase, Partial<SelectResult>][] = [
      [{ key: 'plain.csv.gz', expression: 'SELECT c FROM S3Object', input: { ...CSV_USE, CompressionType: 'GZIP' } }, { records: '3\n6\n' }],
      [{ key: 'plain.csv.bz2', expression: 'SELECT c FROM S3Object', input: { ...CSV_USE, CompressionType: 'BZIP2' } }, { records: '3\n6\n' }],
      [{ key: 'plain.csv', expression: 'SELECT c FROM S3Object', input: { ...CSV_USE, CompressionType: 'GZIP' } }, { error: 'TruncatedInput' }],
    ];
    if ((objects['plain.csv.zst'] as Buffer).length > 0) {
      cases.push([{ key: 'plain.csv.zst', expression: 'SELECT c FROM S3Object', input: { ...CSV_USE, CompressionType: 'ZSTD' } }, { records: '3\n6\n' }]);
    }
    const r = await check(cases);
    expect(r[0].stats!.BytesScanned).toBe((objects['plain.csv.gz'] as Buffer).length);
    expect(r[0].stats!.BytesProcessed).toBe(String(objects['plain.csv']).length);
  });

  it('applies ScanRange record by record', async () => {
    await check([
      [{ key: 'range.csv', expression: 'SELECT * FROM S3Object', input: CSV_NONE, scanRange: { Start: 1, End: 4 } }, { records: 'C,D\n' }],
      [{ key: 'range.csv', expression: 'SELECT * FROM S3Object', input: CSV_NONE, scanRange: { Start: 0, End: 0 } }, { records: 'A,B\n' }],
      [{ key: 'range.csv', expression: 'SELECT * FROM S3Object', input: CSV_NONE, scanRange: { Start: 4 } }, { records: 'C,D\nE,F\n' }],
      [{ key: 'range.csv', expression: 'SELECT * FROM S3Object', input: CSV_NONE, scanRange: { End: 4 } }, { records: 'E,F\n' }],
      [{ key: 'plain.csv.gz', expression: 'SELECT * FROM S3Object', input: { ...CSV_NONE, CompressionType: 'GZIP' }, scanRange: { Start: 0, End: 3 } }, { error: 'UnsupportedScanRangeInput' }],
    ]);
  });
});

describe('JSON input', () => {
  it('reads DOCUMENT and LINES with paths, wildcards and MISSING', async () => {
    await check([
      [{ key: 'doc.json', expression: 'SELECT s.a.b[1] AS x FROM S3Object s', input: { JSON: { Type: 'DOCUMENT' } }, output: { JSON: {} } }, { records: '{"x":2}\n{}\n' }],
      [{ key: 'doc.json', expression: 'SELECT i.k FROM S3Object[*].items[*] i', input: { JSON: { Type: 'DOCUMENT' } }, output: { CSV: {} } }, { records: '1\n2\n3\n' }],
      [{ key: 'lines.jsonl', expression: 'SELECT * FROM S3Object s WHERE s.n > 1', input: { JSON: { Type: 'LINES' } }, output: { JSON: {} } }, { records: '{"n":2,"s":null}\n{"n":3}\n' }],
      [{ key: 'lines.jsonl', expression: 'SELECT s.n FROM S3Object s WHERE s.s IS MISSING', input: { JSON: { Type: 'LINES' } } }, { records: '3\n' }],
      [{ key: 'lines.jsonl', expression: 'SELECT s.n FROM S3Object s WHERE s.s IS NULL', input: { JSON: { Type: 'LINES' } } }, { records: '2\n3\n' }],
      [{ key: 'lines.jsonl', expression: 'SELECT s.s FROM S3Object s', input: { JSON: { Type: 'LINES' } }, output: { JSON: {} } }, { records: '{"s":"x"}\n{"s":null}\n{}\n' }],
      [{ key: 'lines.jsonl', expression: 'SELECT COUNT(*), SUM(s.n), AVG(s.n) FROM S3Object s', input: { JSON: { Type: 'LINES' } }, output: { JSON: {} } }, { records: '{"_1":3,"_2":6,"_3":2}\n' }],
    ]);
  });
});

describe('Parquet input (written by pyarrow)', () => {
  it('reads typed columns, nested values and row-group scan ranges', async () => {
    const size = (objects['types.parquet'] as Buffer).length;
    await check([
      [{ key: 'types.parquet', expression: 'SELECT id, name, price, ok FROM S3Object WHERE id <= 4', input: { Parquet: {} } }, { records: '1,name-0,0.25,true\n2,name-1,1.25,false\n3,name-2,2.25,true\n4,,3.25,false\n' }],
      [{ key: 'types.parquet', expression: 'SELECT s.loc.city, s.tags[0] FROM S3Object s WHERE s.id = 2', input: { Parquet: {} }, output: { JSON: {} } }, { records: '{"city":"c1","_2":"t1"}\n' }],
      [{ key: 'types.parquet', expression: 'SELECT COUNT(*) FROM S3Object', input: { Parquet: {} } }, { records: '10\n' }],
      [{ key: 'types.parquet', expression: 'SELECT COUNT(*) FROM S3Object', input: { Parquet: {} }, scanRange: { Start: 0, End: size - 1 } }, { records: '10\n' }],
      [{ key: 'types.parquet', expression: 'SELECT nope FROM S3Object', input: { Parquet: {} } }, { error: 'EvaluatorBindingDoesNotExist' }],
      [{ key: 'plain.csv', expression: 'SELECT * FROM S3Object', input: { Parquet: {} } }, { error: 'ParquetParsingError' }],
    ]);
  });
});

describe('output serialization and errors', () => {
  it('quotes, delimits and names output as asked', async () => {
    await check([
      [{ key: 'plain.csv', expression: 'SELECT a, c FROM S3Object', input: CSV_USE, output: { CSV: { QuoteFields: 'ALWAYS' } } }, { records: '"1","3"\n"4","6"\n' }],
      [{ key: 'plain.csv', expression: 'SELECT a, c FROM S3Object', input: CSV_USE, output: { CSV: { FieldDelimiter: '\t', RecordDelimiter: '\r\n' } } }, { records: '1\t3\r\n4\t6\r\n' }],
      [{ key: 'plain.csv', expression: 'SELECT a AS x1, c FROM S3Object', input: CSV_USE, output: { JSON: { RecordDelimiter: ';' } } }, { records: '{"x1":"1","c":"3"};{"x1":"4","c":"6"};' }],
      [{ key: 'plain.csv', expression: 'SELECT a AS first FROM S3Object', input: CSV_USE }, { error: 'ParseExpectedIdentForAlias' }],
      [{ key: 'nums.csv', expression: 'SELECT SUM(CAST(v AS INT)), AVG(CAST(v AS INT)), MIN(v), MAX(v), COUNT(v) FROM S3Object', input: CSV_USE }, { records: '6,2,1,3,3\n' }],
      [{ key: 'empty.csv', expression: 'SELECT COUNT(*), SUM(CAST(v AS INT)) FROM S3Object', input: CSV_USE }, { records: '0,\n' }],
      [{ key: 'nums.csv', expression: 'SELECT v FROM S3Object LIMIT 2', input: CSV_USE }, { records: '1\n2\n' }],
      [{ key: 'nums.csv', expression: 'SELECT v FROM S3Object ORDER BY v DESC', input: CSV_USE }, { records: '3\n2\n1\n' }],
      [{ key: 'nums.csv', expression: "SELECT CAST(v AS INT) * 10 || 'x' FROM S3Object WHERE v BETWEEN 2 AND 3", input: CSV_USE }, { records: '20x\n30x\n' }],
      [{ key: 'plain.csv', expression: "SELECT CAST(a AS INT) FROM S3Object WHERE CAST(b AS INT) > 'x'", input: CSV_USE }, { errorKind: 'http' }],
      [{ key: 'nums.csv', expression: 'SELECT CAST(v AS TIMESTAMP) FROM S3Object', input: CSV_USE }, { error: 'CastFailed' }],
      [{ key: 'nums.csv', expression: 'SELECT v FROM S3Object LIMIT -1', input: CSV_USE }, { errorKind: 'http' }],
    ]);
  });
});
