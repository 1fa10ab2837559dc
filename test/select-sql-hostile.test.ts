import { describe, expect, it } from 'vitest';
import { S3Error } from '../src/errors.js';
import { MAX_NESTING, MAX_TREE_DEPTH } from '../src/select/sql/expr-parser.js';
import { MAX_EXPRESSION_BYTES } from '../src/select/sql/lexer.js';
import { parseSql } from '../src/select/sql/parser.js';

function failure(sql: string): S3Error {
  try {
    parseSql(sql);
  } catch (e) {
    if (e instanceof S3Error) return e;
    throw e;
  }
  throw new Error('expected the query to be rejected');
}

describe('hostile input fails cleanly with an S3 error', () => {
  it('100k nested parentheses give MaxOperatorsExceeded, not a stack overflow', () => {
    const sql = `SELECT ${'('.repeat(100_000)}1${')'.repeat(100_000)} FROM S3Object`;
    const e = failure(sql);
    expect(e.code).toBe('MaxOperatorsExceeded');
    expect(e.message).toMatch(new RegExp(`at line 1, column ${8 + MAX_NESTING}$`));
  });

  it.each([
    ['NOT chains', `SELECT * FROM S3Object WHERE ${'NOT '.repeat(60_000)}a`],
    ['unary minus chains', `SELECT ${'- '.repeat(100_000)}1 FROM S3Object`],
    ['nested function calls', `SELECT ${'UPPER('.repeat(30_000)}a${')'.repeat(30_000)} FROM S3Object`],
    ['nested CASE', `SELECT ${'CASE WHEN a THEN '.repeat(10_000)}1 FROM S3Object`],
    ['right-nested equality', `SELECT * FROM S3Object WHERE ${'a = '.repeat(50_000)}a`],
  ])('%s are capped', (_name, sql) => {
    expect(failure(sql).code).toBe('MaxOperatorsExceeded');
  });

  it('caps the depth of left-associative operator chains', () => {
    expect(() => parseSql(`SELECT ${Array(MAX_TREE_DEPTH).fill('a').join(' + ')} FROM S3Object`)).not.toThrow();
    const e = failure(`SELECT ${Array(MAX_TREE_DEPTH + 2).fill('a').join(' + ')} FROM S3Object`);
    expect(e.code).toBe('MaxOperatorsExceeded');
  });

  it('keeps long AND/OR chains and IN lists flat, so they are accepted', () => {
    const ors = Array.from({ length: 5000 }, (_, i) => `_1 = '${i}'`).join(' OR ');
    const s = parseSql(`SELECT * FROM S3Object WHERE ${ors} AND _2 IN (${Array(5000).fill('1').join(',')})`);
    expect(s.where).toMatchObject({ kind: 'logical', op: 'OR' });
    expect(s.where!.kind === 'logical' && s.where!.operands.length).toBe(5000);
  });

  it('accepts huge literals and flags int64 overflow', () => {
    const digits = '9'.repeat(200_000);
    const s = parseSql(`SELECT * FROM S3Object WHERE _1 = ${digits}`);
    expect(s.where).toMatchObject({ kind: 'binary', right: { kind: 'int', fitsInt64: false } });
    expect(s.where!.kind === 'binary' && s.where!.right.kind === 'int' && s.where!.right.text.length).toBe(200_000);
    const str = 'x'.repeat(200_000);
    expect(parseSql(`SELECT '${str}' FROM S3Object`).projection).toMatchObject({ items: [{ expr: { kind: 'string', value: str } }] });
  });

  it('enforces the 256 KiB limit in UTF-8 bytes', () => {
    const prefix = "SELECT * FROM S3Object WHERE _1 = '";
    const fill = (bytes: number) => `${prefix}${'x'.repeat(bytes - prefix.length - 1)}'`;
    expect(() => parseSql(fill(MAX_EXPRESSION_BYTES))).not.toThrow();
    expect(failure(fill(MAX_EXPRESSION_BYTES + 1)).code).toBe('ExpressionTooLong');
    // 'é' is one UTF-16 unit but two UTF-8 bytes.
    const wide = `${prefix}${'é'.repeat(MAX_EXPRESSION_BYTES / 2)}'`;
    expect(wide.length).toBeLessThan(MAX_EXPRESSION_BYTES);
    expect(failure(wide).code).toBe('ExpressionTooLong');
  });

  it.each([
    ['a NUL between tokens', 'SELECT a\u0000 FROM S3Object', 'LexerInvalidChar', 9],
    ['a NUL inside a string', "SELECT 'a\u0000b' FROM S3Object", 'LexerInvalidChar', 10],
    ['a NUL inside a quoted name', 'SELECT "a\u0000" FROM S3Object', 'LexerInvalidChar', 10],
    ['an unterminated string', "SELECT * FROM S3Object WHERE a = 'abc", 'LexerInvalidLiteral', 34],
    ['an unterminated quoted name', 'SELECT "abc FROM S3Object', 'LexerInvalidLiteral', 8],
    ['an unterminated backtick', 'SELECT * FROM S3Object WHERE a < `2010T', 'LexerInvalidIONLiteral', 34],
    ['an unterminated comment', 'SELECT * FROM S3Object /* x', 'LexerInvalidChar', 24],
  ])('%s', (_name, sql, code, col) => {
    const e = failure(sql);
    expect(e.code).toBe(code);
    expect(e.message).toMatch(new RegExp(`at line 1, column ${col}$`));
  });

  it('never lets a non-S3 error escape on garbage input', () => {
    const alphabet = ['SELECT', 'FROM', 'S3Object', 'WHERE', '(', ')', '[', ']', '*', '.', ',', "'", '"', '`', 'a', '1', '=', 'NOT', 'CASE', 'END', ' ', '\n', '||', 'AS', '-'];
    let seed = 42;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let n = 0; n < 2000; n++) {
      const parts = Array.from({ length: 1 + Math.floor(rand() * 30) }, () => alphabet[Math.floor(rand() * alphabet.length)]);
      const sql = parts.join(' ');
      try {
        parseSql(sql);
      } catch (e) {
        expect(e, sql).toBeInstanceOf(S3Error);
      }
    }
  });
});
