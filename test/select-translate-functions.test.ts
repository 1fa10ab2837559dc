// Operators, CAST and functions through the translator, checked against the results AWS documents, plus
// hostile literals and identifiers that must reach DuckDB only as data.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Dataset, failureCode, TranslateDb } from './helpers/translate-db.js';

let db: TranslateDb;
let one: Dataset;

/** Evaluates `expr` on a one-row input and returns the CSV field. */
const value = async (expr: string) => (await one.run(`SELECT ${expr} FROM S3Object`))[0];
/** Evaluates `expr` on a one-row input and returns the JSON object. */
const json = async (expr: string) => (await one.json(`SELECT ${expr} FROM S3Object`))[0];

beforeAll(async () => {
  db = await TranslateDb.open();
  one = Dataset.csv(db, 'one.csv', ['x,1'], ['col', 'num']);
});

afterAll(() => db?.close());

describe('arithmetic', () => {
  it('divides ints as ints, truncating toward zero, with a remainder of the dividend sign', async () => {
    expect(await value('7 / 2, -7 / 2, 7 % 3, -7 % 3, 2 * 3 - 1')).toBe('3,-3,1,-1,5');
  });

  it('keeps decimal scale exact and approximates decimal division', async () => {
    expect(await value('1.10 + 2.20, 1.5 * 2, 7.0 / 2, 1 / 3.0')).toBe('3.30,3.0,3.5,0.333333333333333');
  });

  it('uses floats when a float is involved, like Java', async () => {
    expect(await value('CAST(1 AS FLOAT) / 4, CAST(1 AS FLOAT) / 0, CAST(10000000 AS FLOAT), CAST(0.0001 AS FLOAT)')).toBe('0.25,Infinity,1.0E7,1.0E-4');
  });

  it('prints floats as Java prints doubles: plain from 1e-3 up to 1e7, else with an exponent', async () => {
    const floats = ['0.1', '100', '2', '1234567', '12345678.9', '0.001', '0.0001', '-1.25e-7', '1.7976931348623157e308', '0', '-0.5', 'NaN', '-inf'];
    const exprs = floats.map((f) => `CAST('${f}' AS FLOAT)`).join(', ');
    expect(await value(exprs)).toBe('0.1,100.0,2.0,1234567.0,1.23456789E7,0.001,1.0E-4,-1.25E-7,1.7976931348623157E308,0.0,-0.5,NaN,-Infinity');
    expect(await json("CAST('NaN' AS FLOAT), CAST('1e300' AS FLOAT)")).toBe('{"_1":"NaN","_2":1.0E300}');
  });

  it('raises IntegerOverflow and division by zero errors', async () => {
    expect(await failureCode(() => value('9223372036854775807 + 1'))).toBe('IntegerOverflow');
    expect(await failureCode(() => value("-CAST('-9223372036854775808' AS INT)"))).toBe('IntegerOverflow');
    // A literal beyond int64 is kept exactly, as a decimal, rather than wrapped.
    expect(await value('-(-9223372036854775808)')).toBe('9223372036854775808');
    expect(await failureCode(() => value('1 / 0'))).toBe('ExternalEvalException');
    expect(await failureCode(() => value('1.5 / 0'))).toBe('ExternalEvalException');
    expect(await failureCode(() => value('5 % 0'))).toBe('ExternalEvalException');
  });

  it('rejects arithmetic on booleans and timestamps', () => {
    expect(() => one.sql('SELECT true + 1 FROM S3Object')).toThrow(expect.objectContaining({ code: 'InvalidDataType' }));
  });

  it('concatenates with ||, NULL-propagating', async () => {
    expect(await json("'a' || col || 1 || true, NULL || 'x'")).toBe('{"_1":"ax1true","_2":null}');
  });
});

describe('logic and predicates', () => {
  it('uses three-valued AND / OR / NOT', async () => {
    expect(await json('NULL AND false, NULL AND true, NULL OR true, NOT NULL, NOT (1 = 2)')).toBe('{"_1":false,"_2":null,"_3":true,"_4":null,"_5":true}');
  });

  it('tests NULL and MISSING', async () => {
    expect(await json('NULL IS NULL, MISSING IS NULL, MISSING IS MISSING, NULL IS MISSING, 1 IS NOT NULL, col IS NOT MISSING'))
      .toBe('{"_1":true,"_2":true,"_3":true,"_4":false,"_5":true,"_6":true}');
  });

  it('compares values of different types as unequal, and orders only alike ones', async () => {
    expect(await json("1 = '1', 1 <> '1', 1 < '2', 1 = 1.0, `2020T` = `2020-01-01T00:00Z`"))
      .toBe('{"_1":false,"_2":true,"_3":null,"_4":true,"_5":true}');
  });

  it('supports BETWEEN and IN, negated too', async () => {
    expect(await json("5 BETWEEN 1 AND 10, 5 NOT BETWEEN 1 AND 4, 'b' IN ('a', 'b'), 3 NOT IN (1, 2), 3 IN (1, NULL)"))
      .toBe('{"_1":true,"_2":true,"_3":true,"_4":true,"_5":null}');
  });

  it('matches LIKE with _, % and ESCAPE, case-sensitively and across lines', async () => {
    expect(await json("'abc_defgh' LIKE 'abc$_defgh' ESCAPE '$', 'abcXdefgh' LIKE 'abc$_defgh' ESCAPE '$', 'a\\b' LIKE 'a\\b', 'AB' LIKE 'a%', 'a\nb' LIKE 'a%b', '50%' LIKE '50!%' ESCAPE '!'"))
      .toBe('{"_1":true,"_2":false,"_3":true,"_4":false,"_5":true,"_6":true}');
  });

  it('rejects a bad ESCAPE at translation time, or at run time when the pattern is not a literal', async () => {
    expect(() => one.sql("SELECT 'a' LIKE 'a$b' ESCAPE '$' FROM S3Object")).toThrow(expect.objectContaining({ code: 'EvaluatorLikePatternInvalidEscapeSequence' }));
    expect(() => one.sql("SELECT 'a' LIKE 'a$' ESCAPE '$' FROM S3Object")).toThrow(expect.objectContaining({ code: 'EvaluatorLikePatternInvalidEscapeSequence' }));
    expect(() => one.sql("SELECT 'a' LIKE 'a' ESCAPE 'ab' FROM S3Object")).toThrow(expect.objectContaining({ code: 'LikeInvalidInputs' }));
    expect(await failureCode(() => value("'a' LIKE col || '$' ESCAPE '$'"))).toBe('EvaluatorLikePatternInvalidEscapeSequence');
  });
});

describe('CASE, COALESCE and NULLIF (AWS examples)', () => {
  it('evaluates simple and searched CASE', async () => {
    expect(await value("CASE num WHEN '1' THEN 'one' ELSE 'other' END, CASE WHEN num > 5 THEN 'big' WHEN num > 0 THEN 'small' END")).toBe('one,small');
    expect(await json("CASE WHEN false THEN 1 END, CASE WHEN true THEN 1 ELSE 'x' END")).toBe('{"_1":null,"_2":1}');
  });

  it('returns the first value neither NULL nor MISSING', async () => {
    expect(await json("COALESCE(1), COALESCE(null), COALESCE(null, null), COALESCE(missing), COALESCE(missing, missing), COALESCE(1, null), COALESCE(null, null, 1), COALESCE(null, 'string'), COALESCE(missing, 1)"))
      .toBe('{"_1":1,"_2":null,"_3":null,"_4":null,"_5":null,"_6":1,"_7":1,"_8":"string","_9":1}');
  });

  it('returns NULL when both arguments are equal', async () => {
    expect(await json("NULLIF(1, 1), NULLIF(1, 2), NULLIF(1.0, 1), NULLIF(1, '1'), NULLIF(1, NULL), NULLIF(NULL, 1), NULLIF(null, null), NULLIF(missing, null), NULLIF(missing, missing)"))
      .toBe('{"_1":null,"_2":1,"_3":null,"_4":1,"_5":1,"_6":null,"_7":null,"_8":null,"_9":null}');
  });
});

describe('CAST', () => {
  it('converts strings, numbers and booleans with PartiQL rules', async () => {
    expect(await json("CAST('12' AS INT), CAST(1.9 AS INT), CAST(-1.9 AS INTEGER), CAST(true AS INT), CAST('0x1F' AS INT), CAST(' 7 ' AS INT)"))
      .toBe('{"_1":12,"_2":1,"_3":-1,"_4":1,"_5":31,"_6":7}');
    expect(await json("CAST(0.456 AS FLOAT), CAST('1.50' AS DECIMAL), CAST(2 AS DECIMAL(10, 2)), CAST('TRUE' AS BOOL), CAST(0 AS BOOLEAN), CAST(12 AS STRING), CAST(1.50 AS VARCHAR)"))
      .toBe('{"_1":0.456,"_2":1.5,"_3":2,"_4":true,"_5":false,"_6":"12","_7":"1.50"}');
  });

  it('reads and prints timestamps in Ion text form', async () => {
    expect(await value("CAST('2007-04-05T14:30Z' AS TIMESTAMP), CAST(`2007T` AS STRING), `2007-02-23T12:14:33.079-08:00`")).toBe('2007-04-05T14:30Z,2007T,2007-02-23T12:14:33.079-08:00');
    expect(await json('`2010-01-01T`')).toBe('{"_1":"2010-01-01"}');
  });

  it('fails with CastFailed on bad input at run time, and InvalidCast for impossible conversions', async () => {
    expect(await failureCode(() => value("CAST('abc' AS INT)"))).toBe('CastFailed');
    expect(await failureCode(() => value('CAST(col AS FLOAT)'))).toBe('CastFailed');
    expect(await failureCode(() => value("CAST('2019-02-30T' AS TIMESTAMP)"))).toBe('CastFailed');
    expect(() => one.sql('SELECT CAST(`2010T` AS INT) FROM S3Object')).toThrow(expect.objectContaining({ code: 'InvalidCast' }));
  });
});

describe('string functions (AWS examples)', () => {
  it('measures and changes case', async () => {
    expect(await value("CHAR_LENGTH(''), CHARACTER_LENGTH('abcdefg'), LOWER('AbCdEfG!@#$'), UPPER('AbCdEfG!@#$'), CHAR_LENGTH('😁é')"))
      .toBe('0,7,abcdefg!@#$,ABCDEFG!@#$,2');
  });

  it('takes substrings in both syntaxes', async () => {
    expect(await value("SUBSTRING('123456789', 0), SUBSTRING('123456789', 1), SUBSTRING('123456789', 2), SUBSTRING('123456789', -4), SUBSTRING('123456789', 0, 999), SUBSTRING('123456789', 1, 5), SUBSTRING('123456789' FROM 3 FOR 2)"))
      .toBe('123456789,123456789,23456789,123456789,123456789,12345,34');
  });

  it('trims spaces or a set of characters', async () => {
    expect(await json("TRIM('       foobar         '), TRIM(LEADING FROM '  foobar  '), TRIM(TRAILING FROM '  foobar  '), TRIM(BOTH '12' FROM '1112211foobar22211122')"))
      .toBe('{"_1":"foobar","_2":"foobar  ","_3":"  foobar","_4":"foobar"}');
  });

  it('rejects non-string arguments at translation time', () => {
    expect(() => one.sql('SELECT UPPER(5) FROM S3Object')).toThrow(expect.objectContaining({ code: 'IncorrectSqlFunctionArgumentType' }));
  });
});

describe('date functions (AWS examples)', () => {
  it('adds date parts', async () => {
    expect(await value('DATE_ADD(year, 5, `2010-01-01T`), DATE_ADD(month, 1, `2010T`), DATE_ADD(month, 13, `2010T`), DATE_ADD(day, -1, `2017-01-10T`), DATE_ADD(hour, 1, `2017-01-02T03:04Z`), DATE_ADD(second, 1, `2017-01-02T03:04:05.006Z`)'))
      .toBe('2015-01-01,2010-02T,2011-02T,2017-01-09,2017-01-02T04:04Z,2017-01-02T03:04:06.006Z');
  });

  it('takes differences and extracts parts', async () => {
    expect(await value('DATE_DIFF(year, `2010-01-01T`, `2011-01-01T`), DATE_DIFF(month, `2010T`, `2011T`), DATE_DIFF(month, `2011T`, `2010T`), DATE_DIFF(day, `2010-01-01T23:00Z`, `2010-01-02T01:00Z`)'))
      .toBe('1,12,-12,0');
    expect(await value('EXTRACT(YEAR FROM `2010-01-01T`), EXTRACT(MONTH FROM `2010T`), EXTRACT(HOUR FROM `2017-01-02T03:04:05+07:08`), EXTRACT(TIMEZONE_HOUR FROM `2017-01-02T03:04:05+07:08`), EXTRACT(TIMEZONE_MINUTE FROM `2017-01-02T03:04:05+07:08`)'))
      .toBe('2010,1,3,7,8');
  });

  it('formats and parses with patterns', async () => {
    expect(await json("TO_STRING(`1969-07-20T20:18Z`, 'MMMM d, y'), TO_STRING(`1969-07-20T20:18Z`, 'MMMM d, y h:m a'), TO_STRING(`1969-07-20T20:18+08:00`, 'y-MM-dd''T''H:m:ssXXXXX'), TO_STRING(`1969-07-20T20:18Z`, 'y-MM-dd''T''H:m:ssX')"))
      .toBe('{"_1":"July 20, 1969","_2":"July 20, 1969 8:18 PM","_3":"1969-07-20T20:18:00+08:00","_4":"1969-07-20T20:18:00Z"}');
    expect(await value("TO_TIMESTAMP('2007T'), TO_TIMESTAMP('2007-02-23T12:14:33.079-08:00'), TO_TIMESTAMP('20/07/1969', 'dd/MM/y')")).toBe('2007T,2007-02-23T12:14:33.079-08:00,1969-07-20');
  });

  it('needs literal patterns and valid timestamps', async () => {
    expect(() => one.sql('SELECT TO_STRING(UTCNOW(), col) FROM S3Object')).toThrow(expect.objectContaining({ code: 'IllegalSqlFunctionArgument' }));
    expect(await failureCode(() => value("TO_TIMESTAMP('not a time')"))).toBe('ValueParseFailure');
  });

  it('reads the clock with UTCNOW at millisecond precision', async () => {
    expect(await value('UTCNOW()')).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });
});

describe('hostile text', () => {
  it('passes string literals through as data', async () => {
    const nasty = "x'); DROP TABLE t; --\\ \"q\" \u2028 😁";
    const sqlLit = `'${nasty.replace(/'/g, "''")}'`;
    expect(await json(`${sqlLit} AS v`)).toBe(`{"v":${JSON.stringify(nasty)}}`);
    expect(await value(`${sqlLit} = ${sqlLit}`)).toBe('true');
  });

  it('passes NUL characters from Ion string literals through', async () => {
    expect(await json('CHAR_LENGTH(`"a\\0b"`)')).toBe('{"_1":3}');
  });

  it('keeps quoted identifiers, aliases and header names intact', async () => {
    const weird = Dataset.csv(db, 'weird.csv', ['v'], ['we"ird\'; --']);
    expect(await weird.json('SELECT s."we""ird\'; --" AS "a""b\\c" FROM S3Object s')).toEqual(['{"a\\"b\\\\c":"v"}']);
    expect(await weird.json('SELECT * FROM S3Object')).toEqual(['{"we\\"ird\'; --":"v"}']);
  });

  it('keeps JSON keys with quote characters as data', async () => {
    const doc = Dataset.json(db, 'hostile.json', '{"\'); DROP TABLE t; --":1,"$.a":2,"a\\"]":3}\n');
    expect(await doc.json(`SELECT s['''); DROP TABLE t; --'] AS a, s['$.a'] AS b, s['a"]'] AS c FROM S3Object s`)).toEqual(['{"a":1,"b":2,"c":3}']);
  });
});
