import { describe, expect, it } from 'vitest';
import { S3Error } from '../src/errors.js';
import { parseIonLiteral, parseIonTimestamp } from '../src/select/sql/ion.js';
import { isReserved } from '../src/select/sql/keywords.js';
import { tokenize, type Token } from '../src/select/sql/lexer.js';

const P = { line: 1, col: 1, offset: 0 };

function kinds(sql: string): string[] {
  return tokenize(sql).map((t) => `${t.kind}:${t.text}`);
}

function lexError(sql: string): S3Error {
  try {
    tokenize(sql);
  } catch (e) {
    if (e instanceof S3Error) return e;
    throw e;
  }
  throw new Error(`expected a lexer error for ${JSON.stringify(sql)}`);
}

describe('tokenize', () => {
  it('classifies words, numbers, strings, quoted names and operators', () => {
    expect(kinds(`SELECT s."Na""me", 'it''s', 12, 1.5, .5, 3e-2, x FROM S3Object s WHERE a <> b`)).toEqual([
      'keyword:SELECT', 'ident:s', 'punct:.', 'qident:Na"me', 'punct:,', "string:it's", 'punct:,', 'number:12', 'punct:,',
      'number:1.5', 'punct:,', 'number:.5', 'punct:,', 'number:3e-2', 'punct:,', 'ident:x', 'keyword:FROM',
      'ident:S3Object', 'ident:s', 'keyword:WHERE', 'ident:a', 'op:<>', 'ident:b', 'eof:',
    ]);
  });

  it('recognises every two-character operator and single ones', () => {
    expect(kinds('a||b<=c>=d!=e<>f<g>h=i+j-k*l/m%n').filter((k) => k.startsWith('op:'))).toEqual(
      ['op:||', 'op:<=', 'op:>=', 'op:!=', 'op:<>', 'op:<', 'op:>', 'op:=', 'op:+', 'op:-', 'op:*', 'op:/', 'op:%'],
    );
  });

  it('distinguishes number kinds', () => {
    const nums = tokenize('1 1.0 1. 1e5 1.5E+3 99999999999999999999999').filter((t): t is Extract<Token, { kind: 'number' }> => t.kind === 'number');
    expect(nums.map((n) => n.numeric)).toEqual(['int', 'decimal', 'decimal', 'float', 'float', 'int']);
  });

  it('tracks 1-based lines and columns across LF, CRLF and CR, counting code points', () => {
    const toks = tokenize("SELECT\n  a,\r\n b\r'😀' c");
    const at = (text: string) => toks.find((t) => t.text === text)!.pos;
    expect(at('a')).toEqual({ line: 2, col: 3, offset: 9 });
    expect(at('b')).toEqual({ line: 3, col: 2, offset: 14 });
    expect(at('c')).toEqual({ line: 4, col: 5, offset: 21 });
  });

  it('skips -- and /* */ comments', () => {
    expect(kinds('a -- note\n/* block\n */ b')).toEqual(['ident:a', 'ident:b', 'eof:']);
  });

  it('marks reserved words case-insensitively and leaves other names alone', () => {
    expect(isReserved('Cast')).toBe(true);
    expect(isReserved('timezone_hour')).toBe(true);
    expect(isReserved('S3Object')).toBe(false);
    expect(isReserved('date_add')).toBe(false);
    expect(kinds('cast Count s3object')).toEqual(['keyword:cast', 'keyword:Count', 'ident:s3object', 'eof:']);
  });

  it.each([
    ['a # b', 'LexerInvalidChar', 3],
    ['a \u0000 b', 'LexerInvalidChar', 3],
    ['a @b', 'LexerInvalidChar', 3],
    ['a é', 'LexerInvalidChar', 3],
    ['a ! b', 'LexerInvalidOperator', 3],
    ['a | b', 'LexerInvalidOperator', 3],
    ['a ^ b', 'LexerInvalidOperator', 3],
    ["a = 'open", 'LexerInvalidLiteral', 5],
    ['a = "open', 'LexerInvalidLiteral', 5],
    ['x = 12abc', 'LexerInvalidLiteral', 5],
    ['x = 1e+', 'LexerInvalidLiteral', 5],
    ['x = `2010T', 'LexerInvalidIONLiteral', 5],
    ['x = `2010-13T`', 'LexerInvalidIONLiteral', 5],
    ['x /* never closed', 'LexerInvalidChar', 3],
  ])('%j fails with %s at column %i', (sql, code, col) => {
    const e = lexError(sql);
    expect(e.code).toBe(code);
    expect(e.status).toBe(400);
    expect(e.message).toMatch(new RegExp(`at line 1, column ${col}$`));
  });
});

describe('Ion literals in backticks', () => {
  it.each([
    ['2007T', { year: 2007, precision: 'year', offsetMinutes: null }],
    ['2007-02T', { year: 2007, month: 2, precision: 'month', offsetMinutes: null }],
    ['2007-02-23', { year: 2007, month: 2, day: 23, precision: 'day', offsetMinutes: null }],
    ['2007-02-23T', { year: 2007, month: 2, day: 23, precision: 'day', offsetMinutes: null }],
    ['2007-04-05T14:30Z', { year: 2007, month: 4, day: 5, hour: 14, minute: 30, precision: 'minute', offsetMinutes: 0 }],
    ['2017-01-02T03:04:05+07:08', { year: 2017, month: 1, day: 2, hour: 3, minute: 4, second: 5, precision: 'second', offsetMinutes: 428 }],
    ['2007-02-23T12:14:33.079-08:00', {
      year: 2007, month: 2, day: 23, hour: 12, minute: 14, second: 33, fraction: '079', precision: 'fraction', offsetMinutes: -480,
    }],
    ['2007-02-23T20:14:33-00:00', { year: 2007, month: 2, day: 23, hour: 20, minute: 14, second: 33, precision: 'second', offsetMinutes: null }],
    ['2000-02-29T', { year: 2000, month: 2, day: 29, precision: 'day', offsetMinutes: null }],
  ])('timestamp %s parses into its components', (text, expected) => {
    expect(parseIonTimestamp(text)).toEqual(expected);
  });

  it.each([
    '2007', '2007-02', '0000T', '2007-00T', '2007-02-30', '1900-02-29T', '2007-02-23T12:14Z:', '2007-02-23T12:14',
    '2007-02-23T24:00Z', '2007-02-23T12:60Z', '2007-02-23T12:14:60Z', '2007-02-23T12:14:33.Z', '2007-02-23T12:14+24:00',
  ])('rejects malformed timestamp %s', (text) => {
    expect(parseIonTimestamp(text)).toBeUndefined();
  });

  it('keeps the literal text and reports LexerInvalidIONLiteral for a bad date', () => {
    const toks = tokenize('`2010-01-01T`');
    expect(toks[0]).toMatchObject({ kind: 'ion', text: '2010-01-01T', literal: { kind: 'timestamp', text: '2010-01-01T' } });
    expect(lexError('a = `2010-02-30T`').message).toContain('at line 1, column 5');
  });

  it.each([
    ['TRUE', { kind: 'string', value: 'TRUE' }],
    ['true', { kind: 'bool', value: true }],
    ['null.int', { kind: 'null' }],
    ['-42', { kind: 'int', text: '-42', fitsInt64: true }],
    ['0x1F', { kind: 'int', text: '31', fitsInt64: true }],
    ['1_000', { kind: 'int', text: '1000', fitsInt64: true }],
    ['9223372036854775808', { kind: 'int', text: '9223372036854775808', fitsInt64: false }],
    ['1.5', { kind: 'decimal', text: '1.5' }],
    ['15d-1', { kind: 'decimal', text: '15e-1' }],
    ['2.5e0', { kind: 'float', text: '2.5e0' }],
    ['"a\\tb\\u00e9"', { kind: 'string', value: 'a\tbé' }],
    ["'sym bol'", { kind: 'string', value: 'sym bol' }],
  ])('`%s` becomes %j', (text, expected) => {
    expect(parseIonLiteral(text, P)).toMatchObject(expected);
  });

  it.each(['[1, 2]', '{a: 1}', 'a::1', 'nan', '+inf', '"unterminated', '"bad \\q escape"', '007', ''])(
    'rejects unsupported or malformed Ion %j',
    (text) => {
      expect(() => parseIonLiteral(text, P)).toThrowError(expect.objectContaining({ code: 'LexerInvalidIONLiteral' }));
    },
  );
});
