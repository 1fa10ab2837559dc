import { describe, expect, it } from 'vitest';
import { CsvRowParser, JsonLinesRowParser } from '../bench/rows.js';

function parseCsv(chunks: (string | Buffer)[]): string[][] {
  const rows: string[][] = [];
  const p = new CsvRowParser((r) => rows.push(r));
  for (const c of chunks) {
    if (typeof c === 'string') p.push(c);
    else p.pushBytes(c);
  }
  p.end();
  return rows;
}

const TEXT = 'a,b,c\n"x,1","say ""hi""",\n"multi\nline",é,z\r\nlast,row,no-newline';
const ROWS = [['a', 'b', 'c'], ['x,1', 'say "hi"', ''], ['multi\nline', 'é', 'z'], ['last', 'row', 'no-newline']];

describe('CsvRowParser', () => {
  it('parses quoting, doubled quotes, empty fields, embedded newlines, CRLF and a missing final newline', () => {
    expect(parseCsv([TEXT])).toEqual(ROWS);
  });

  it('gives the same rows wherever the input is split, bytes included', () => {
    const bytes = Buffer.from(TEXT, 'utf8');
    for (let cut = 1; cut < bytes.length; cut++) {
      expect(parseCsv([bytes.subarray(0, cut), bytes.subarray(cut)]), `cut at ${cut}`).toEqual(ROWS);
    }
  });

  it('fails on an unterminated quote at the end', () => {
    expect(() => parseCsv(['a,"open\n'])).toThrow(/inside a quoted field/);
  });
});

describe('JsonLinesRowParser', () => {
  it('turns each record into its values, in key order, across splits', () => {
    const rows: string[][] = [];
    const p = new JsonLinesRowParser((r) => rows.push(r));
    p.push('{"a":1,"b":"x"}\n{"a":null,"b":');
    p.push('[1,2]}\n{"a":2.5,"b":true}');
    p.end();
    expect(rows).toEqual([['1', 'x'], ['', '[1,2]'], ['2.5', 'true']]);
  });

  it('rejects a record that is not an object', () => {
    const p = new JsonLinesRowParser(() => undefined);
    expect(() => p.push('[1,2]\n')).toThrow(/not an object/);
  });
});
