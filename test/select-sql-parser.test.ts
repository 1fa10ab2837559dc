import { describe, expect, it } from 'vitest';
import { S3Error } from '../src/errors.js';
import { pathText } from '../src/select/sql/aggregates.js';
import type { Expr, SelectStatement } from '../src/select/sql/ast.js';
import { parseSql } from '../src/select/sql/parser.js';

/** Compact prefix rendering of an expression tree, for asserting shapes. */
function sx(e: Expr): string {
  const all = (xs: Expr[]) => xs.map(sx).join(' ');
  const not = (n: boolean) => (n ? 'NOT ' : '');
  switch (e.kind) {
    case 'int': case 'decimal': case 'float': return e.text;
    case 'string': return `'${e.value}'`;
    case 'bool': return String(e.value);
    case 'null': return 'NULL';
    case 'missing': return 'MISSING';
    case 'timestamp': return `ts:${e.text}`;
    case 'path': return pathText(e);
    case 'unary': return `(${e.op} ${sx(e.operand)})`;
    case 'binary': return `(${e.op} ${sx(e.left)} ${sx(e.right)})`;
    case 'logical': return `(${e.op} ${all(e.operands)})`;
    case 'in': return `(${not(e.negated)}IN ${sx(e.operand)} [${all(e.list)}])`;
    case 'between': return `(${not(e.negated)}BETWEEN ${sx(e.operand)} ${sx(e.low)} ${sx(e.high)})`;
    case 'like': return `(${not(e.negated)}LIKE ${sx(e.operand)} ${sx(e.pattern)}${e.escape ? ` ${sx(e.escape)}` : ''})`;
    case 'is': return `(IS ${not(e.negated)}${e.test} ${sx(e.operand)})`;
    case 'case': {
      const arms = e.whens.map((w) => ` (WHEN ${sx(w.when)} ${sx(w.then)})`).join('');
      return `(CASE${e.operand ? ` ${sx(e.operand)}` : ''}${arms}${e.else ? ` (ELSE ${sx(e.else)})` : ''})`;
    }
    case 'cast': return `(CAST ${sx(e.operand)} ${e.type.family}${e.type.params.length ? `(${e.type.params.join(',')})` : ''})`;
    case 'aggregate': return `(${e.fn} ${e.arg ? sx(e.arg) : '*'})`;
    case 'call': return `(${e.fn}${e.args.length ? ` ${all(e.args)}` : ''})`;
    case 'substring': return `(SUBSTRING ${sx(e.operand)} ${sx(e.start)}${e.length ? ` ${sx(e.length)}` : ''})`;
    case 'trim': return `(TRIM ${e.spec}${e.chars ? ` ${sx(e.chars)}` : ''} ${sx(e.operand)})`;
    case 'extract': return `(EXTRACT ${e.part} ${sx(e.operand)})`;
    case 'dateAdd': return `(DATE_ADD ${e.part} ${sx(e.quantity)} ${sx(e.timestamp)})`;
    case 'dateDiff': return `(DATE_DIFF ${e.part} ${sx(e.from)} ${sx(e.to)})`;
  }
}

const where = (cond: string) => sx(parseSql(`SELECT * FROM S3Object WHERE ${cond}`).where!);
const item = (expr: string) => {
  const p = parseSql(`SELECT ${expr} FROM S3Object`).projection;
  if (p.kind !== 'items' || p.items[0].kind !== 'expr') throw new Error('not an expression item');
  return sx(p.items[0].expr);
};

function parseError(sql: string): S3Error {
  try {
    parseSql(sql);
  } catch (e) {
    if (e instanceof S3Error) return e;
    throw e;
  }
  throw new Error(`expected ${JSON.stringify(sql)} to fail`);
}

describe('spec §3 examples parse', () => {
  it.each([
    'SELECT * FROM S3Object',
    'select * from s3object limit 100',
    "SELECT s._1, s._2 FROM S3Object s WHERE s._3 = 'x' LIMIT 5;",
    'SELECT id FROM S3Object[*].Rules[*].id',
    'SELECT id FROM S3Object[*].Rules[*].id WHERE id IS NOT MISSING',
    'SELECT d.dir_name, d.files FROM S3Object[*] d',
    'SELECT _1.dir_name, _1.owner FROM S3Object[*]',
    'SELECT price FROM S3Object[*].books[*].price',
    "SELECT _1.price FROM S3Object[*].books[*]",
    'Select s.name from S3Object s',
    'Select s.projects[0].project_name from S3Object s',
    'SELECT s."name" from S3Object s',
    'SELECT s."CAST" from S3Object s',
    'SELECT s.name1.name2.name3, s.name1.name2[1].name3 FROM S3Object AS s',
    "SELECT * FROM S3Object[*].a.\"B\"['c d'][2][*].* x",
    'SELECT COUNT(*) FROM S3Object',
    'SELECT AVG(CAST(_1 AS INT)), SUM(CAST(_2 AS FLOAT)), MIN(_3), MAX(_3) FROM S3Object',
    "SELECT * FROM S3Object s WHERE s._1 LIKE '%x\\_%' ESCAPE '\\'",
    'SELECT * FROM S3Object s WHERE s._2 NOT BETWEEN 1 AND 5 OR s._3 IN (1, 2, 3)',
    'SELECT DATE_ADD(month, 13, `2010T`), DATE_DIFF(month, `2011T`, `2010T`) FROM S3Object',
    'SELECT EXTRACT(TIMEZONE_HOUR FROM `2017-01-02T03:04:05+07:08`) FROM S3Object',
    "SELECT TO_STRING(`1969-07-20T20:18Z`, 'y-MM-dd''T''H:m:ssX'), TO_TIMESTAMP('2007T'), UTCNOW() FROM S3Object",
    "SELECT NULLIF(1.0, 1), NULLIF(1, '1'), COALESCE(NULL, MISSING, 1) FROM S3Object",
    "SELECT SUBSTRING('123456789', 1, 5), SUBSTRING('123456789' FROM 0 FOR 3), SUBSTRING('x', -4) FROM S3Object",
    "SELECT TRIM(BOTH '12' FROM '1112211foobar22211122'), TRIM('  x  '), TRIM(LEADING FROM s._1) FROM S3Object s",
    'SELECT CHAR_LENGTH(_1), CHARACTER_LENGTH(_1), LOWER(_1), UPPER(_1) FROM S3Object',
    "SELECT CASE _1 WHEN 'a' THEN 1 ELSE 0 END, CASE WHEN _1 IS NULL THEN 'n' END FROM S3Object",
    'SELECT * FROM S3Object WHERE CAST(_1 AS TIMESTAMP) > `2007-04-05T14:30Z`',
    'SELECT\n  s._1\nFROM\n  S3Object s\nWHERE\n  s._2 = 1\n;',
    'SELECT DISTINCT _1, COUNT(*) AS n FROM S3Object GROUP BY _1 HAVING COUNT(*) > 1 ORDER BY n DESC NULLS LAST, _1 LIMIT 3',
  ])('%s', (sql) => {
    expect(() => parseSql(sql)).not.toThrow();
  });
});

describe('statement structure', () => {
  it('captures clauses, FROM path and alias', () => {
    const s: SelectStatement = parseSql("SELECT DISTINCT s.a AS x, s.b y FROM s3object[*].items[*] AS s WHERE s.a > 1 GROUP BY s.a, s.b HAVING COUNT(*) > 2 ORDER BY x DESC NULLS FIRST, y LIMIT 10");
    expect(s.distinct).toBe(true);
    expect(s.from).toMatchObject({ name: { name: 's3object' }, wildcard: true, steps: [{ kind: 'field', name: 'items' }, { kind: 'wildcard' }], alias: { name: 's', quoted: false } });
    expect(s.projection.kind === 'items' && s.projection.items.map((i) => (i.kind === 'expr' ? i.alias?.name : '*'))).toEqual(['x', 'y']);
    expect(s.groupBy.map(sx)).toEqual(['s.a', 's.b']);
    expect(sx(s.having!)).toBe('(> (COUNT *) 2)');
    expect(s.orderBy.map((o) => [sx(o.expr), o.direction, o.nulls])).toEqual([['x', 'DESC', 'FIRST'], ['y', 'ASC', undefined]]);
    expect(s.limit!.value).toBe(10n);
  });

  it('records positions of nodes', () => {
    const s = parseSql('SELECT a\n  FROM S3Object\n WHERE b = 1');
    expect(s.where!.pos).toEqual({ line: 3, col: 10, offset: 34 });
    expect(s.where!.kind === 'binary' && s.where!.left.pos).toEqual({ line: 3, col: 8, offset: 32 });
  });

  it('accepts `*` alone, alias.* and path.*', () => {
    expect(parseSql('SELECT * FROM S3Object').projection.kind).toBe('star');
    const p = parseSql('SELECT s.*, s.a.* FROM S3Object s').projection;
    expect(p.kind === 'items' && p.items.map((i) => (i.kind === 'pathStar' ? pathText(i.path) : '?'))).toEqual(['s', 's.a']);
  });

  it('keeps identifier spelling and quoting', () => {
    const p = parseSql('SELECT Foo, "Foo", s."a""b", s[\'c d\'] FROM S3Object s').projection;
    const exprs = p.kind === 'items' ? p.items.map((i) => (i.kind === 'expr' ? i.expr : undefined)) : [];
    expect(exprs[0]).toMatchObject({ kind: 'path', root: { name: 'Foo', quoted: false }, steps: [] });
    expect(exprs[1]).toMatchObject({ kind: 'path', root: { name: 'Foo', quoted: true } });
    expect(exprs[2]).toMatchObject({ steps: [{ kind: 'field', name: 'a"b', quoted: true }] });
    expect(exprs[3]).toMatchObject({ steps: [{ kind: 'field', name: 'c d', quoted: true }] });
  });
});

describe('expression shapes and precedence', () => {
  it.each([
    ['NOT a = b AND c', '(AND (NOT (= a b)) c)'],
    ['a OR b AND c OR d', '(OR a (AND b c) d)'],
    ['(a OR b) AND c', '(AND (OR a b) c)'],
    ['a = b = c', '(= a (= b c))'],
    ['a < b = c > d', '(= (< a b) (> c d))'],
    ["a || b = 'x'", "(= (|| a b) 'x')"],
    ['a + b || c', '(|| (+ a b) c)'],
    ['-2 * 3 = -6', '(= (* -2 3) -6)'],
    ['- - 2 = 2', '(= 2 2)'],
    ['-a * b > 0', '(> (* (- a) b) 0)'],
    ['+a = 1', '(= (+ a) 1)'],
    ['a - b - c = a / b % c', '(= (- (- a b) c) (% (/ a b) c))'],
    ['1 + 2 * 3 = 7', '(= (+ 1 (* 2 3)) 7)'],
    ['a IN (1, 2) = b BETWEEN 1 AND 2', '(= (IN a [1 2]) (BETWEEN b 1 2))'],
    ['a BETWEEN 1 AND 2 AND b', '(AND (BETWEEN a 1 2) b)'],
    ['a NOT IN (1) AND b NOT LIKE c', '(AND (NOT IN a [1]) (NOT LIKE b c))'],
    ["a LIKE 'x!%' ESCAPE '!'", "(LIKE a 'x!%' '!')"],
    ['a IS NOT NULL AND b IS MISSING', '(AND (IS NOT NULL a) (IS MISSING b))'],
    ['NOT a IS NULL', '(NOT (IS NULL a))'],
    ['a < 1 OR NOT NOT b', '(OR (< a 1) (NOT (NOT b)))'],
    ['a <> b AND c != d AND e <= f AND g >= h', '(AND (<> a b) (!= c d) (<= e f) (>= g h))'],
    ['9223372036854775808 > -9223372036854775808', '(> 9223372036854775808 -9223372036854775808)'],
    ["`2010-01-01T` < x AND `TRUE` = y", "(AND (< ts:2010-01-01T x) (= 'TRUE' y))"],
  ])('%s  ⇒  %s', (cond, shape) => {
    expect(where(cond)).toBe(shape);
  });

  it('flags int64 overflow on integer literals after sign folding', () => {
    const w = parseSql('SELECT * FROM S3Object WHERE a IN (9223372036854775807, 9223372036854775808, -9223372036854775808, -9223372036854775809)').where!;
    expect(w.kind === 'in' && w.list.map((e) => e.kind === 'int' && e.fitsInt64)).toEqual([true, false, true, false]);
  });

  it.each([
    ['CAST(a AS bool)', '(CAST a bool)'],
    ['CAST(a AS INTEGER)', '(CAST a int)'],
    ['CAST(a AS bigint)', '(CAST a int)'],
    ['CAST(a AS smallint)', '(CAST a int)'],
    ['CAST(a AS VARCHAR(10))', '(CAST a string(10))'],
    ['CAST(a AS character varying)', '(CAST a string)'],
    ['CAST(a AS double precision)', '(CAST a float)'],
    ['CAST(a AS real)', '(CAST a float)'],
    ['CAST(a AS DECIMAL(10, 2))', '(CAST a decimal(10,2))'],
    ['CAST(a AS numeric(5))', '(CAST a decimal(5))'],
    ['CAST(a AS timestamp)', '(CAST a timestamp)'],
    ['COUNT(*)', '(COUNT *)'],
    ['count(s.a)', '(COUNT s.a)'],
    ["SUBSTRING(a FROM 2 FOR 3)", '(SUBSTRING a 2 3)'],
    ["SUBSTRING(a, 2)", '(SUBSTRING a 2)'],
    ["TRIM(TRAILING 'x' FROM a)", "(TRIM TRAILING 'x' a)"],
    ["TRIM('x' FROM a)", "(TRIM BOTH 'x' a)"],
    ['TRIM(FROM a)', '(TRIM BOTH a)'],
    ['TRIM(a)', '(TRIM BOTH a)'],
    ['EXTRACT(YEAR FROM a)', '(EXTRACT YEAR a)'],
    ['date_add(day, -1, a)', '(DATE_ADD DAY -1 a)'],
    ['DATE_DIFF(second, a, b)', '(DATE_DIFF SECOND a b)'],
    ['character_length(a)', '(CHAR_LENGTH a)'],
    ['to_timestamp(a, \'y\')', "(TO_TIMESTAMP a 'y')"],
    ['utcnow()', '(UTCNOW)'],
    ['CASE WHEN a = 1 THEN \'x\' WHEN a = 2 THEN \'y\' ELSE \'z\' END', "(CASE (WHEN (= a 1) 'x') (WHEN (= a 2) 'y') (ELSE 'z'))"],
    ['CASE a WHEN 1 THEN 2 END', '(CASE a (WHEN 1 2))'],
    ['s.a[0].b', 's.a[0].b'],
    ['s._3', 's._3'],
    ['_1', '_1'],
    ['date_add', 'date_add'],
  ])('%s  ⇒  %s', (expr, shape) => {
    expect(item(expr)).toBe(shape);
  });
});

describe('parse errors carry the AWS code and the position', () => {
  // [sql, code, where]: `where` is a column, or text whose first occurrence is the culprit ('' = end).
  it.each<[string, string, string | number]>([
    ['', 'ParseExpectedKeyword', ''],
    ['DELETE FROM S3Object', 'ParseUnsupportedSyntax', 'DELETE'],
    ['42', 'ParseUnexpectedToken', '42'],
    ['SELECT FROM S3Object', 'ParseEmptySelect', 'FROM'],
    ['SELECT', 'ParseEmptySelect', ''],
    ['SELECT VALUE a FROM S3Object', 'ParseUnsupportedSelect', 'VALUE'],
    ['SELECT a b c FROM S3Object', 'ParseSelectMissingFrom', 'c FROM'],
    ['SELECT a', 'ParseSelectMissingFrom', ''],
    ['SELECT *, a FROM S3Object', 'ParseAsteriskIsNotAloneInSelectList', '*'],
    ['SELECT a, * FROM S3Object', 'ParseAsteriskIsNotAloneInSelectList', '*'],
    ['SELECT s.a[*] FROM S3Object s', 'ParseInvalidContextForWildcardInSelectList', '*'],
    ['SELECT s.*.a FROM S3Object s', 'ParseInvalidContextForWildcardInSelectList', '*'],
    ['SELECT s.* + 1 FROM S3Object s', 'ParseInvalidContextForWildcardInSelectList', '*'],
    ['SELECT s.a[1].* FROM S3Object s', 'ParseCannotMixSqbAndWildcardInSelectList', '1'],
    ['SELECT s.* AS x FROM S3Object s', 'ParseUnsupportedAlias', 'AS'],
    ['SELECT a AS FROM S3Object', 'ParseExpectedIdentForAlias', 'FROM'],
    ["SELECT a AS 'x' FROM S3Object", 'ParseExpectedIdentForAlias', "'x'"],
    ['SELECT a FROM S3Object AS', 'ParseExpectedIdentForAlias', ''],
    ['SELECT a FROM', 'ParseExpectedExpression', ''],
    ['SELECT a FROM mytable', 'EvaluatorBindingDoesNotExist', 'mytable'],
    ['SELECT a FROM (SELECT 1 FROM S3Object)', 'ParseUnsupportedSyntax', '('],
    ['SELECT a FROM S3Object.path', 'ParseInvalidPathComponent', '.'],
    ['SELECT a FROM S3Object[0].path', 'ParseInvalidPathComponent', '0'],
    ['SELECT a FROM S3Object s, S3Object t', 'ParseMalformedJoin', ','],
    ['SELECT a FROM S3Object s JOIN S3Object t ON 1 = 1', 'ParseMalformedJoin', 'JOIN'],
    ['SELECT a FROM S3Object UNION SELECT a FROM S3Object', 'ParseUnsupportedSyntax', 'UNION'],
    ['SELECT a FROM S3Object WHERE a IN (SELECT 1 FROM S3Object)', 'ParseUnsupportedSyntax', 'SELECT 1'],
    ['SELECT a FROM S3Object WHERE (SELECT 1) = 1', 'ParseUnsupportedSyntax', 'SELECT 1'],
    ['SELECT a FROM S3Object s t', 'ParseUnexpectedToken', 26],
    ['SELECT a FROM S3Object; SELECT', 'ParseUnexpectedToken', 25],
    ['SELECT a FROM S3Object LIMIT 1 WHERE a = 1', 'ParseUnexpectedToken', 'WHERE'],
    ['SELECT a FROM S3Object WHERE', 'ParseExpectedExpression', ''],
    ['SELECT a FROM S3Object WHERE a =', 'ParseExpectedExpression', ''],
    ['SELECT a FROM S3Object WHERE a LIKE b ESCAPE', 'ParseExpectedExpression', ''],
    ['SELECT a FROM S3Object WHERE a = ;', 'ParseExpectedExpression', ';'],
    ['SELECT () FROM S3Object', 'ParseUnexpectedTerm', ')'],
    ['SELECT a FROM S3Object WHERE a = )', 'ParseUnexpectedTerm', ')'],
    ['SELECT a FROM S3Object WHERE LIKE a', 'ParseUnexpectedOperator', 'LIKE'],
    ['SELECT a FROM S3Object WHERE = a', 'ParseUnexpectedOperator', '='],
    ['SELECT date FROM S3Object', 'ParseUnExpectedKeyword', 'date'],
    ['SELECT s.cast FROM S3Object s', 'ParseInvalidPathComponent', 'cast'],
    ["SELECT * FROM S3Object WHERE s.'x' = 1", 'ParseInvalidPathComponent', "'x'"],
    ['SELECT a FROM S3Object WHERE a[*] = 1', 'ParseInvalidPathComponent', '*'],
    ['SELECT a FROM S3Object WHERE a.* = 1', 'ParseInvalidPathComponent', '*'],
    ['SELECT a[-1] FROM S3Object', 'ParseInvalidPathComponent', '-'],
    ['SELECT a[1 FROM S3Object', 'ParseExpectedTokenType', 'FROM'],
    ['SELECT (1 + 2 FROM S3Object', 'ParseExpectedTokenType', 'FROM'],
    ['SELECT a FROM S3Object WHERE a IN 1', 'ParseExpectedTokenType', '1'],
    ['SELECT a FROM S3Object WHERE a BETWEEN 1 5', 'ParseExpectedKeyword', '5'],
    ['SELECT a FROM S3Object WHERE a IS 5', 'ParseExpectedTypeName', '5'],
    ['SELECT a FROM S3Object GROUP a', 'ParseExpectedKeyword', 30],
    ['SELECT a FROM S3Object ORDER a', 'ParseExpectedKeyword', 30],
    ['SELECT a FROM S3Object ORDER BY a NULLS a', 'ParseExpectedKeyword', 41],
    ['SELECT a FROM S3Object GROUP BY 1', 'ParseUnsupportedLiteralsGroupBy', '1'],
    ['SELECT a FROM S3Object LIMIT a', 'ParseExpectedNumber', 30],
    ["SELECT a FROM S3Object LIMIT '5'", 'ParseExpectedNumber', "'5'"],
    ['SELECT a FROM S3Object LIMIT 1.5', 'ParseExpectedNumber', '1.5'],
    ['SELECT a FROM S3Object LIMIT -1', 'EvaluatorNegativeLimit', '1'],
    ['SELECT a FROM S3Object LIMIT 9223372036854775808', 'IntegerOverflow', '9'],
    ['SELECT COUNT FROM S3Object', 'ParseExpectedLeftParenBuiltinFunctionCall', 'FROM'],
    ['SELECT TRIM a FROM S3Object', 'ParseExpectedLeftParenBuiltinFunctionCall', 'a'],
    ['SELECT CAST a AS INT FROM S3Object', 'ParseExpectedLeftParenAfterCast', 'a'],
    ['SELECT UPPER(a FROM S3Object', 'ParseExpectedRightParenBuiltinFunctionCall', 'FROM'],
    ["SELECT TRIM(' ' '1') FROM S3Object", 'ParseExpectedRightParenBuiltinFunctionCall', "'1'"],
    ['SELECT COUNT(* FROM S3Object', 'ParseExpectedRightParenBuiltinFunctionCall', 'FROM'],
    ['SELECT CAST(a AS INT FROM S3Object', 'ParseExpectedRightParenBuiltinFunctionCall', 'FROM'],
    ['SELECT COALESCE(a b, c) FROM S3Object', 'ParseExpectedArgumentDelimiter', 'b'],
    ["SELECT SUBSTRING('str' 1) FROM S3Object", 'ParseExpectedArgumentDelimiter', '1'],
    ['SELECT DATE_ADD(day 1, a) FROM S3Object', 'ParseExpectedArgumentDelimiter', '1'],
    ["SELECT SUBSTRING('str' FROM 1 FROM S3Object", 'ParseExpected2TokenTypes', 'FROM S3'],
    ['SELECT CAST(a INT) FROM S3Object', 'ParseExpectedKeyword', 'INT'],
    ['SELECT EXTRACT(year a) FROM S3Object', 'ParseExpectedKeyword', 'a)'],
    ["SELECT TRIM(BOTH 'x' a) FROM S3Object", 'ParseExpectedKeyword', 'a)'],
    ['SELECT CAST(a AS blob) FROM S3Object', 'ParseExpectedTypeName', 'blob'],
    ['SELECT CAST(a AS 5) FROM S3Object', 'ParseExpectedTypeName', '5'],
    ['SELECT CAST(a AS INT(4)) FROM S3Object', 'ParseCastArity', '(4'],
    ['SELECT CAST(a AS DECIMAL(1, 2, 3)) FROM S3Object', 'ParseCastArity', '(1'],
    ['SELECT CAST(a AS DECIMAL(x)) FROM S3Object', 'ParseInvalidTypeParam', 'x'],
    ['SELECT CAST(a AS VARCHAR(-1)) FROM S3Object', 'ParseInvalidTypeParam', '-'],
    ['SELECT CAST(a AS DECIMAL(5 2)) FROM S3Object', 'ParseInvalidTypeParam', '2'],
    ['SELECT EXTRACT(week FROM a) FROM S3Object', 'ParseExpectedDatePart', 'week'],
    ['SELECT DATE_ADD(timezone_hour, 1, a) FROM S3Object', 'ParseExpectedDatePart', 'timezone_hour'],
    ['SELECT CASE a ELSE 1 END FROM S3Object', 'ParseExpectedWhenClause', 'ELSE'],
    ['SELECT CASE END FROM S3Object', 'ParseExpectedWhenClause', 'END'],
    ['SELECT CASE WHEN a THEN 1 ELSE 2 WHEN b THEN 3 END FROM S3Object', 'ParseUnsupportedCaseClause', 'WHEN b'],
    ['SELECT CASE WHEN a 1 END FROM S3Object', 'ParseExpectedKeyword', '1'],
    ['SELECT CASE WHEN a THEN 1 FROM S3Object', 'ParseExpectedKeyword', 'FROM'],
    ['SELECT CASE WHEN a THEN s END.x FROM S3Object', 'ParseUnsupportedCase', '.x'],
    ['SELECT SUM(*) FROM S3Object', 'ParseUnsupportedCallWithStar', '*'],
    ['SELECT UPPER(*) FROM S3Object', 'ParseUnsupportedCallWithStar', '*'],
    ['SELECT COUNT() FROM S3Object', 'ParseNonUnaryAgregateFunctionCall', ')'],
    ['SELECT MAX(a, b) FROM S3Object', 'ParseNonUnaryAgregateFunctionCall', ','],
    ['SELECT foo(a) FROM S3Object', 'UnsupportedFunction', 'foo'],
    ['SELECT position(a) FROM S3Object', 'UnsupportedFunction', 'position'],
    ['SELECT NULLIF(a) FROM S3Object', 'EvaluatorInvalidArguments', 'NULLIF'],
    ['SELECT COALESCE() FROM S3Object', 'EvaluatorInvalidArguments', 'COALESCE'],
    ['SELECT UTCNOW(1) FROM S3Object', 'EvaluatorInvalidArguments', 'UTCNOW'],
    ['SELECT TO_STRING(a) FROM S3Object', 'EvaluatorInvalidArguments', 'TO_STRING'],
    ['SELECT LOWER(a, b) FROM S3Object', 'EvaluatorInvalidArguments', 'LOWER'],
  ])('%j → %s', (sql, code, needle) => {
    const e = parseError(sql);
    expect(e.code).toBe(code);
    expect(e.status).toBe(400);
    const col = typeof needle === 'number' ? needle : needle === '' ? sql.length + 1 : sql.indexOf(needle) + 1;
    expect(col).toBeGreaterThan(0);
    expect(e.message).toMatch(new RegExp(`at line 1, column ${col}$`));
  });

  it('reports line and column on multi-line queries', () => {
    const e = parseError('SELECT a,\n       b\nFROM S3Object\nWHERE a = = 1');
    expect(e.code).toBe('ParseUnexpectedOperator');
    expect(e.message).toMatch(/at line 4, column 11$/);
  });

  it('rejects reserved words as bare names but accepts them quoted', () => {
    expect(parseError('SELECT s.count FROM S3Object s').code).toBe('ParseInvalidPathComponent');
    expect(parseError('SELECT x FROM S3Object AS select').code).toBe('ParseExpectedIdentForAlias');
    expect(item('s."count"')).toBe('s."count"');
    expect(item('"select"')).toBe('"select"');
  });
});
