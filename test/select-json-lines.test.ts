// JSON LINES and DOCUMENT objects are read by read_json in two modes, and LINES also line by line
// through the CSV reader when a query reads no whole record (json-source.ts). A LINES object is
// also a valid DOCUMENT (concatenated values), so every query must answer alike either way: blank and
// whitespace lines, CRLF, padding, number and string spellings, nested values, compression; records that
// are not objects, scan ranges and bzip2 (through a pipe) read as LINES only; and malformed text fails
// with JSONParsingError.
import { execFileSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { raw } from './helpers/raw.js';
import { runSelectCases } from './helpers/select-cases.js';
import { startServer, type RunningServer } from './helpers/server.js';

const B = 'lines';

const GOOD: Record<string, string> = {
  'blank.jsonl': '{"a":1,"s":"x"}\n\n{"a":2,"s":"y"}\n\n',
  'spaces.jsonl': '{"a":1}\n   \n\t\n{"a":2}\n',
  'crlf.jsonl': '{"a":1,"s":"x"}\r\n{"a":2,"s":"y"}\r\n',
  'padded.jsonl': '\t{ "a" : 1 , "s" : "x" }  \n  {"a":2}\n',
  'spellings.jsonl': '{"a":1.50,"b":1e2,"c":-0.0,"s":"caf\\u00e9 \\"q\\""}\n{"a":100000000000000000000000,"b":0.1,"s":"\\/"}\n',
  'nested.jsonl': '{"a":{"b":[1,{"c":2}]},"t":true}\n{"a":{"b":[]},"t":false,"u":null}\n',
  'last.jsonl': '{"a":1}\n{"a":2}',
};

/** Records that are not objects: DOCUMENT refuses them, LINES reads each line as a value. */
const VALUES = '{"a":1}\n[1,2]\n"text"\n7\n{"a":3}\nnull\n  null\t\n';
/** The first three QUERIES over VALUES, JSON output: a null line (padded or not) is a MISSING record. */
const VALUES_ANSWERS = [
  '{"a":1}\n{"_1":[1,2]}\n{"_1":"text"}\n{"_1":7}\n{"a":3}\n{}\n{}\n',
  '{"a":1}\n{}\n{}\n{}\n{"a":3}\n{}\n{}\n',
  '{"_1":7,"_2":4,"_3":3,"_4":null}\n',
];

const BAD: Record<string, Buffer> = {
  'truncated.jsonl': Buffer.from('{"a":1}\n{"a":\n'),
  'two-values.jsonl': Buffer.from('{"a":1} {"a":2}\n'),
  'control.jsonl': Buffer.from('{"a":1}\x1f{"b":2}\n'),
  'binary.jsonl': Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xff, 0xfe, 0x00]), Buffer.from('"}\n')]),
};

const QUERIES = [
  'SELECT * FROM S3Object s',
  'SELECT s.a, s.s FROM S3Object s',
  'SELECT COUNT(*), SUM(s.a), MAX(s.a), MIN(s.s) FROM S3Object s',
  'SELECT s.a.b[1].c, s.t, s.u FROM S3Object s WHERE s.t IS NOT MISSING',
  "SELECT s.b, s.c FROM S3Object s WHERE s.s = 'café \"q\"' OR s.s = '/'",
];

/** A record just under S3 Select's 1 MB limit and one over it. */
const NEAR = JSON.stringify({ a: 1, s: 'x'.repeat(1_000_000) });
const OVER = JSON.stringify({ a: 2, s: 'x'.repeat(1_100_000) });

/** Eight bytes a line: record n starts at byte 8 (n - 1). */
const RANGE = '{"n":1}\n{"n":2}\n{"n":3}\n';

let server: RunningServer;

beforeAll(async () => {
  server = await startServer();
  await raw(server.url, { method: 'PUT', path: `/${B}` });
  const put = async (key: string, body: Buffer) => expect((await raw(server.url, { method: 'PUT', path: `/${B}/${key}`, body })).status).toBe(200);
  for (const [key, text] of Object.entries(GOOD)) {
    await put(key, Buffer.from(text));
    await put(`${key}.gz`, gzipSync(text));
  }
  for (const [key, body] of Object.entries(BAD)) await put(key, body);
  await put('values.jsonl', Buffer.from(VALUES));
  await put('near.jsonl', Buffer.from(`${NEAR}\n{"a":3}\n`));
  await put('over.jsonl', Buffer.from(`{"a":3}\n${OVER}\n`));
  await put('range.jsonl', Buffer.from(RANGE));
  await put('range.jsonl.bz2', execFileSync('python3', ['-c', 'import bz2,sys; sys.stdout.buffer.write(bz2.compress(sys.stdin.buffer.read()))'], { input: RANGE }));
});
afterAll(async () => {
  await server?.stop();
});

describe('JSON LINES read line by line', () => {
  it('answers as the same object read as a DOCUMENT, for JSON and CSV output, compressed or not', async () => {
    const cases = Object.keys(GOOD).flatMap((key) => QUERIES.flatMap((expression) =>
      [{ CSV: {} }, { JSON: {} }].flatMap((output) => [
        { key, expression, output, gz: false },
        { key: `${key}.gz`, expression, output, gz: true },
      ])));
    const run = (type: string) => runSelectCases(server.url, B, cases.map((c) => ({
      key: c.key, expression: c.expression, output: c.output,
      input: { JSON: { Type: type }, CompressionType: c.gz ? 'GZIP' : 'NONE' },
    })));
    const [lines, doc] = await Promise.all([run('LINES'), run('DOCUMENT')]);
    const differ = cases.flatMap((c, i) => (lines[i]!.records === doc[i]!.records && lines[i]!.error === doc[i]!.error ? []
      : [{ ...c, lines: lines[i]!.records ?? lines[i]!.error, doc: doc[i]!.records ?? doc[i]!.error }]));
    expect(differ).toEqual([]);
    // The cases answer something: records from every object, and the padded line's values.
    expect(lines.filter((r) => r.error === undefined).length).toBeGreaterThan(cases.length / 2);
    expect(lines[cases.findIndex((c) => c.key === 'padded.jsonl' && c.expression === QUERIES[1] && 'CSV' in c.output)]!.records).toBe('1,x\n2,\n');
  });

  it('reads lines that are not objects as values', async () => {
    const results = await runSelectCases(server.url, B, QUERIES.slice(0, 3).map((expression) => ({ key: 'values.jsonl', input: { JSON: { Type: 'LINES' } }, expression, output: { JSON: {} } })));
    expect(results.map((r) => r.records ?? r.error)).toEqual(VALUES_ANSWERS);
  });

  it('reads the records a scan range starts, and bzip2 objects (both through a pipe)', async () => {
    const q = (scanRange: { Start?: number; End?: number } | undefined, key = 'range.jsonl', CompressionType = 'NONE') =>
      ({ key, input: { JSON: { Type: 'LINES' }, CompressionType }, expression: 'SELECT s.n FROM S3Object s', ...(scanRange ? { scanRange } : {}) });
    const results = await runSelectCases(server.url, B, [q({ Start: 1, End: 9 }), q({ Start: 0, End: 0 }), q({ Start: 9 }), q(undefined, 'range.jsonl.bz2', 'BZIP2')]);
    expect(results.map((r) => r.records ?? r.error)).toEqual(['2\n', '1\n', '3\n', '1\n2\n3\n']);
  });

  it('refuses a record over 1 MB with OverMaxRecordSize, whatever the query reads, LINES or DOCUMENT', async () => {
    const queries = ['SELECT * FROM S3Object s', 'SELECT s.a FROM S3Object s', 'SELECT COUNT(*) FROM S3Object s'];
    const cases = ['near.jsonl', 'over.jsonl'].flatMap((key) => ['LINES', 'DOCUMENT'].flatMap((Type) => queries.map((expression) => ({ key, Type, expression }))));
    const results = await runSelectCases(server.url, B, cases.map((c) => ({ key: c.key, expression: c.expression, input: { JSON: { Type: c.Type } } })));
    const answers = cases.map((c, i) => ({ ...c, answer: results[i]!.error ?? results[i]!.records }));
    const near = [`1,${'x'.repeat(1_000_000)}\n3\n`, '1\n3\n', '2\n'];
    expect(answers).toEqual(cases.map((c, i) => ({ ...c, answer: c.key === 'over.jsonl' ? 'OverMaxRecordSize' : near[i % 3] })));
  });

  it('refuses malformed lines with JSONParsingError, whole records read or not', async () => {
    const cases = Object.keys(BAD).flatMap((key) => ['SELECT * FROM S3Object', 'SELECT s.a FROM S3Object s', 'SELECT COUNT(*) FROM S3Object s WHERE s.a > 0']
      .map((expression) => ({ key, expression })));
    const results = await runSelectCases(server.url, B, cases.map((c) => ({ ...c, input: { JSON: { Type: 'LINES' } } })));
    cases.forEach((c, i) => expect({ ...c, error: results[i]!.error }).toEqual({ ...c, error: 'JSONParsingError' }));
  });
});
