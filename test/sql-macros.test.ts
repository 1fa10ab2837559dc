// The S3 Select function macros (sql/s3select.sql) and the pattern compiler, run in a plain DuckDB instance.
import { DuckDBInstance, type DuckDBConnection, type JS } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3Error } from '../src/errors.js';
import { mapDuckDbError } from '../src/duckdb/errors.js';
import { loadSqlDir } from '../src/duckdb/setup.js';
import { compileParse, compileToString } from '../src/duckdb/ts-pattern.js';

let instance: DuckDBInstance;
let conn: DuckDBConnection;

beforeAll(async () => {
  instance = await DuckDBInstance.create(':memory:');
  conn = await instance.connect();
  expect(await loadSqlDir(conn)).toContain('s3select.sql');
});

afterAll(() => {
  conn?.closeSync();
  instance?.closeSync();
});

async function val(expr: string): Promise<JS> {
  const reader = await conn.runAndReadAll(`SELECT ${expr} AS v`);
  return reader.getRowObjectsJS()[0]!.v!;
}

/** The S3 error code the expression raises (through the same mapping the engine uses). */
async function code(expr: string): Promise<string> {
  try {
    await conn.runAndReadAll(`SELECT ${expr} AS v`);
  } catch (err) {
    return mapDuckDbError(err).code;
  }
  throw new Error(`no error from ${expr}`);
}

const q = (s: string) => `'${s.replace(/'/g, "''")}'`;
const ts = (ion: string) => `s3_to_timestamp(${q(ion)})`;
const text = (expr: string) => val(`s3_ts_text(${expr})`);
const num = async (expr: string) => Number(await val(expr));

describe('strings', () => {
  it.each([
    ["s3_substring('123456789', 0)", '123456789'],
    ["s3_substring('123456789', -4)", '123456789'],
    ["s3_substring('123456789', 3)", '3456789'],
    ["s3_substring('123456789', 1, 5)", '12345'],
    ["s3_substring('123456789', -4, 6)", '1'],
    ["s3_substring('123456789', 0, 2)", '1'],
    ["s3_substring('123456789', 5, 100)", '56789'],
    ["s3_substring('123456789', 10, 2)", ''],
    ["s3_substring('123456789', 2, 0)", ''],
    ["s3_substring('héllo', 2, 2)", 'él'],
    ["s3_trim('1112211foobar22211122', 'BOTH', '12')", 'foobar'],
    ["s3_trim('1112211foobar22211122', 'LEADING', '21')", 'foobar22211122'],
    ["s3_trim('1112211foobar22211122', 'TRAILING', '12')", '1112211foobar'],
    ["s3_trim('   foobar   ', 'BOTH')", 'foobar'],
    ["s3_trim('   foobar   ', 'LEADING')", 'foobar   '],
    ["s3_trim(chr(9) || ' x ', 'BOTH')", '\t x'],
  ])('%s = %j', async (expr, expected) => {
    expect(await val(expr)).toBe(expected);
  });

  it('counts characters, not bytes', async () => {
    expect(await num("s3_char_length('héllo')")).toBe(5);
    expect(await num("s3_char_length('')")).toBe(0);
  });

  it('propagates NULL', async () => {
    for (const e of ['s3_char_length(NULL)', "s3_substring(NULL, 1)", "s3_substring('abc', NULL)", "s3_substring('abc', 1, NULL)",
      'CAST(s3_substring(NULL, 1, -1) AS VARCHAR)', "s3_trim(NULL, 'BOTH', 'x')", "s3_trim('xax', 'BOTH', NULL)"]) {
      expect(await val(e), e).toBeNull();
    }
  });

  it('rejects a negative SUBSTRING length', async () => {
    expect(await code("s3_substring('abc', 1, -1)")).toBe('IllegalSqlFunctionArgument');
  });
});

describe('LIKE … ESCAPE', () => {
  it.each([
    ["s3_like('a_b', 'a\\_b', '\\')", true],
    ["s3_like('axb', 'a\\_b', '\\')", false],
    ["s3_like('a%b', 'a!%b', '!')", true],
    ["s3_like('a\\b', 'a\\\\b', '\\')", true],
    ["s3_like('abc', 'a%', '\\')", true],
    ["s3_like('Abc', 'a%', '\\')", false],
    ["s3_like('a%', 'a%%', '%')", true],
  ])('%s = %s', async (expr, expected) => {
    expect(await val(expr)).toBe(expected);
  });

  it('rejects escapes before ordinary characters, trailing escapes and bad escape values', async () => {
    expect(await code("s3_like('ab', '\\ab', '\\')")).toBe('EvaluatorLikePatternInvalidEscapeSequence');
    expect(await code("s3_like('a', 'a\\', '\\')")).toBe('EvaluatorLikePatternInvalidEscapeSequence');
    expect(await code("s3_like('a', 'a\\\\\\', '\\')")).toBe('EvaluatorLikePatternInvalidEscapeSequence');
    expect(await code("s3_like('a', 'a', 'xy')")).toBe('LikeInvalidInputs');
    expect(await code("s3_like('a', 'a', '')")).toBe('LikeInvalidInputs');
  });

  it('propagates NULL', async () => {
    expect(await val("s3_like(NULL, 'a', '\\')")).toBeNull();
    expect(await val("s3_like('a', NULL, '\\')")).toBeNull();
  });
});

describe('CAST helpers', () => {
  it.each([
    ["s3_cast_int('12')", 12n], ["s3_cast_int(' -007 ')", -7n], ["s3_cast_int('+5')", 5n], ["s3_cast_int('1_000')", 1000n],
    ["s3_cast_int('0x1F')", 31n], ["s3_cast_int('-0x1F')", -31n], ["s3_cast_int('0b101')", 5n], ['s3_cast_int(1.9)', 1n],
    ['s3_cast_int(-1.9::DOUBLE)', -1n], ['s3_cast_int(true)', 1n], ['s3_cast_int(false)', 0n], ['s3_cast_int(42)', 42n],
    ["s3_cast_float(' 1.5 ')", 1.5], ["s3_cast_float('1e3')", 1000], ['s3_cast_float(true)', 1], ['s3_cast_float(7)', 7],
    ["s3_cast_bool('TRUE')", true], ["s3_cast_bool('false')", false], ['s3_cast_bool(0)', false], ['s3_cast_bool(2.5)', true],
    ["s3_cast_int_text('-12')", -12n], ["s3_cast_int_text('-0')", 0n], ["s3_cast_int_text('007')", 7n], ["s3_cast_int_text(' 3')", 3n],
    ['s3_cast_int_text(NULL::VARCHAR)', null], ["s3_cast_float_text('2.5')", 2.5], ['s3_cast_float_text(NULL::VARCHAR)', null],
  ])('%s = %s', async (expr, expected) => {
    expect(await val(expr)).toEqual(expected);
  });

  it('fails like PartiQL', async () => {
    expect(await code("s3_cast_int('1.5')")).toBe('CastFailed');
    expect(await code("s3_cast_int('abc')")).toBe('CastFailed');
    expect(await code("s3_cast_int('1__0')")).toBe('CastFailed');
    expect(await code("s3_cast_int('99999999999999999999')")).toBe('IntegerOverflow');
    expect(await code('s3_cast_int(1e30::DOUBLE)')).toBe('IntegerOverflow');
    expect(await code("s3_cast_float('x1')")).toBe('CastFailed');
    expect(await code("s3_cast_int_text('1e3')")).toBe('CastFailed');
    expect(await code("s3_cast_int_text('9223372036854775808')")).toBe('IntegerOverflow');
    expect(await code("s3_cast_float_text('x1')")).toBe('CastFailed');
    expect(await code("s3_cast_bool('yes')")).toBe('CastFailed');
    expect(await code("s3_cast_timestamp('2007-13T')")).toBe('CastFailed');
  });

  it('propagates NULL', async () => {
    for (const e of ['s3_cast_int(NULL::VARCHAR)', 's3_cast_float(NULL::VARCHAR)', 's3_cast_bool(NULL::VARCHAR)', 's3_cast_timestamp(NULL::VARCHAR)']) {
      expect(await val(e), e).toBeNull();
    }
  });
});

describe('timestamps: Ion text in and out', () => {
  it.each(['2007T', '2007-02T', '2007-02-23', '2007-02-23T12:14Z', '2007-02-23T12:14:33Z', '2007-02-23T12:14:33.079-08:00',
    '2007-02-23T12:14:33.1+05:30', '2007-02-23T12:14-00:00', '0500-01-01', '2007-02-23T12:14:33.000000000Z'])('%s round-trips', async (ion) => {
    expect(await text(ts(ion))).toBe(ion);
  });

  it('stores the UTC instant, the offset and the precision', async () => {
    expect(await val(ts('2007-02-23T12:14:33.079-08:00'))).toEqual({ ts: new Date('2007-02-23T20:14:33.079Z'), off: -480, prec: 8 });
    expect(await val(ts('2007-02-23T'))).toEqual({ ts: new Date('2007-02-23T00:00:00Z'), off: null, prec: 3 });
    expect(await text(ts('2007-02-23T'))).toBe('2007-02-23');
  });

  it('rejects text that is not an Ion timestamp', async () => {
    for (const bad of ['2007', '2007-02', '2007-02-30', '2007-02-23T12:14', '2007-02-23T24:00Z', '2007-02-23T12:60Z', '0000T', 'x']) {
      expect(await code(ts(bad)), bad).toBe('ValueParseFailure');
    }
    expect(await val('s3_to_timestamp(NULL)')).toBeNull();
    expect(await val('s3_ts_text(NULL)')).toBeNull();
  });

  it('UTCNOW() is now, in UTC, to the millisecond', async () => {
    const now = await text('s3_utcnow()');
    expect(now).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(Math.abs(Date.parse(now as string) - Date.now())).toBeLessThan(60_000);
  });

  it('converts DuckDB DATE / TIMESTAMP / TIMESTAMPTZ values', async () => {
    expect(await text("s3_ts_of(TIMESTAMP '2020-01-02 03:04:05')")).toBe('2020-01-02T03:04:05Z');
    expect(await text("s3_ts_of(TIMESTAMP '2020-01-02 03:04:05.12')")).toBe('2020-01-02T03:04:05.120Z');
    expect(await text("s3_ts_of(TIMESTAMP '2020-01-02 03:04:05.123456')")).toBe('2020-01-02T03:04:05.123456Z');
    expect(await text("s3_ts_of(DATE '2020-01-02')")).toBe('2020-01-02');
    expect(await val("s3_ts_of(NULL::DATE)")).toBeNull();
  });
});

describe('DATE_ADD / DATE_DIFF / EXTRACT', () => {
  it.each([
    ['year', 5, '2010-01-01T', '2015-01-01'],
    ['month', 1, '2010T', '2010-02T'],
    ['month', 13, '2010T', '2011-02T'],
    ['day', -1, '2017-01-10T', '2017-01-09'],
    ['hour', 1, '2017T', '2017-01-01T01:00-00:00'],
    ['hour', 1, '2017-01-02T03:04Z', '2017-01-02T04:04Z'],
    ['minute', 1, '2017-01-02T03:04:05.006Z', '2017-01-02T03:05:05.006Z'],
    ['second', 1, '2017-01-02T03:04:05.006Z', '2017-01-02T03:04:06.006Z'],
    ['month', 1, '2017-01-31', '2017-02-28'],
    ['hour', 2, '2017-01-02T23:30+05:30', '2017-01-03T01:30+05:30'],
    ['second', 1, '2017-01-02T03:04Z', '2017-01-02T03:04:01Z'],
  ])('DATE_ADD(%s, %i, %s) = %s', async (part, n, ion, expected) => {
    expect(await text(`s3_date_add('${part}', ${n}, ${ts(ion)})`)).toBe(expected);
  });

  it.each([
    ['year', '2010-01-01T', '2011-01-01T', 1],
    // AWS documents 4 here, a typo for the month difference; PartiQL's Period arithmetic gives 0 years.
    ['year', '2010T', '2010-05T', 0],
    ['month', '2010T', '2010-05T', 4],
    ['month', '2010T', '2011T', 12],
    ['month', '2011T', '2010T', -12],
    ['day', '2010-01-01T23:00Z', '2010-01-02T01:00Z', 0],
    ['day', '2010-01-01T', '2010-01-02T', 1],
    ['day', '2010-01-02T', '2010-01-01T00:00:01Z', 0],
    ['month', '2010-01-31', '2010-02-28', 0],
    ['month', '2010-01-31', '2010-03-01', 1],
    ['month', '2010-03-01', '2010-01-31', -1],
    ['hour', '2017-01-01T00:00+01:00', '2016-12-31T23:00Z', 0],
    ['minute', '2017-01-01T00:00Z', '2017-01-01T01:30:59Z', 90],
    ['second', '2017-01-01T00:00:00.900Z', '2017-01-01T00:00:02.100Z', 2],
  ])('DATE_DIFF(%s, %s, %s) = %i', async (part, a, b, expected) => {
    expect(await num(`s3_date_diff('${part}', ${ts(a)}, ${ts(b)})`)).toBe(expected);
  });

  it.each([
    ['YEAR', '2010-01-01T', 2010],
    ['MONTH', '2010T', 1],
    ['MONTH', '2010-10T', 10],
    ['HOUR', '2017-01-02T03:04:05+07:08', 3],
    ['MINUTE', '2017-01-02T03:04:05+07:08', 4],
    ['SECOND', '2017-01-02T03:04:05.9+07:08', 5],
    ['TIMEZONE_HOUR', '2017-01-02T03:04:05+07:08', 7],
    ['TIMEZONE_MINUTE', '2017-01-02T03:04:05+07:08', 8],
    ['TIMEZONE_HOUR', '2017-01-02T03:04:05-08:30', -8],
    ['TIMEZONE_MINUTE', '2017-01-02T03:04:05-08:30', -30],
    ['DAY', '2017-01-02T23:04Z', 2],
  ])('EXTRACT(%s FROM %s) = %i', async (part, ion, expected) => {
    expect(await num(`s3_extract('${part}', ${ts(ion)})`)).toBe(expected);
  });

  it('propagates NULL and rejects unknown parts', async () => {
    expect(await val("s3_date_add('day', 1, NULL)")).toBeNull();
    expect(await val(`s3_date_add('day', NULL, ${ts('2010T')})`)).toBeNull();
    expect(await val(`s3_date_diff('day', NULL, ${ts('2010T')})`)).toBeNull();
    expect(await val("s3_extract('year', NULL)")).toBeNull();
    expect(await code(`s3_date_add('week', 1, ${ts('2010T')})`)).toBe('EvaluatorInvalidArguments');
    expect(await code(`s3_date_diff('week', ${ts('2010T')}, ${ts('2011T')})`)).toBe('EvaluatorInvalidArguments');
    expect(await code(`s3_extract('week', ${ts('2010T')})`)).toBe('EvaluatorInvalidArguments');
  });
});

describe('TO_STRING patterns', () => {
  const fmt = (ion: string, pattern: string) => val(compileToString(pattern)(ts(ion)));

  it.each([
    ['MMMM d, y', 'July 20, 1969'],
    ['MMM d, yyyy', 'Jul 20, 1969'],
    ['M-d-yy', '7-20-69'],
    ['MM-d-y', '07-20-1969'],
    ['MMMM d, y h:m a', 'July 20, 1969 8:18 PM'],
    // AWS writes this pattern as the SQL literal 'y-MM-dd''T''H:m:ssX'.
    ["y-MM-dd'T'H:m:ssX", '1969-07-20T20:18:00Z'],
    ["'it''s' y", "it's 1969"],
    ['', ''],
  ])('AWS example %j', async (pattern, expected) => {
    expect(await fmt('1969-07-20T20:18Z', pattern)).toBe(expected);
  });

  it('renders offsets like AWS', async () => {
    expect(await fmt('1969-07-20T20:18+08:00', "y-MM-dd'T'H:m:ssXXXX")).toBe('1969-07-20T20:18:00+0800');
    expect(await fmt('1969-07-20T20:18+08:00', "y-MM-dd'T'H:m:ssXXXXX")).toBe('1969-07-20T20:18:00+08:00');
  });

  it.each([
    ['y', '2007'], ['yy', '07'], ['yyyy', '2007'], ['M', '2'], ['MM', '02'], ['MMM', 'Feb'], ['MMMM', 'February'], ['MMMMM', 'F'],
    ['d', '3'], ['dd', '03'], ['a', 'AM'], ['h', '4'], ['hh', '04'], ['H', '4'], ['HH', '04'], ['m', '5'], ['mm', '05'],
    ['s', '6'], ['ss', '06'], ['S', '0'], ['SSS', '007'], ['SSSSSS', '007891'], ['SSSSSSSSS', '007891000'], ['n', '7891000'],
    ['X', '+0530'], ['XX', '+0530'], ['XXX', '+05:30'], ['XXXX', '+0530'], ['XXXXX', '+05:30'],
    ['x', '+0530'], ['xx', '+0530'], ['xxx', '+05:30'], ['xxxx', '+0530'], ['xxxxx', '+05:30'],
  ])('symbol %s', async (pattern, expected) => {
    expect(await fmt('2007-02-03T04:05:06.007891+05:30', pattern)).toBe(expected);
  });

  it('handles whole-hour, zero and unknown offsets and the 12-hour clock', async () => {
    expect(await fmt('2007-02-03T00:05-08:00', 'X x XXX h a')).toBe('-08 -08 -08:00 12 AM');
    expect(await fmt('2007-02-03T12:05Z', 'X x xx xxx h a')).toBe('Z +00 +0000 +00:00 12 PM');
    expect(await fmt('2007-02-03T12:05-00:00', 'XXX')).toBe('Z');
    expect(await fmt('0500-03-09', 'MM/dd/yyyy y')).toBe('03/09/0500 500');
    expect(await val(compileToString('y')('NULL'))).toBeNull();
  });

  it('rejects bad patterns with the Evaluator codes', () => {
    const codeOf = (f: () => unknown) => {
      try {
        f();
      } catch (err) {
        return (err as S3Error).code;
      }
      return 'none';
    };
    expect(codeOf(() => compileToString("y'T"))).toBe('EvaluatorUnterminatedTimestampFormatPatternToken');
    expect(codeOf(() => compileToString('yyyyP'))).toBe('EvaluatorInvalidTimestampFormatPatternToken');
    expect(codeOf(() => compileToString('y [M]'))).toBe('EvaluatorInvalidTimestampFormatPatternToken');
    expect(codeOf(() => compileToString("y-MM-dd''T''H"))).toBe('EvaluatorInvalidTimestampFormatPatternToken');
    expect(codeOf(() => compileToString('ddd'))).toBe('EvaluatorInvalidTimestampFormatPatternSymbol');
    expect(codeOf(() => compileToString('yyyyy'))).toBe('EvaluatorInvalidTimestampFormatPatternSymbol');
    expect(codeOf(() => compileToString('SSSSSSSSSS'))).toBe('EvaluatorInvalidTimestampFormatPatternSymbol');
    expect(codeOf(() => compileParse('y-MMMMM'))).toBe('EvaluatorInvalidTimestampFormatPatternSymbolForParsing');
    expect(codeOf(() => compileParse('y y'))).toBe('EvaluatorTimestampFormatPatternDuplicateFields');
    expect(codeOf(() => compileParse('y-M-d H h a'))).toBe('EvaluatorTimestampFormatPatternDuplicateFields');
    expect(codeOf(() => compileParse('y-M-d h:m'))).toBe('EvaluatorTimestampFormatPatternHourClockAmPmMismatch');
    expect(codeOf(() => compileParse('y-M-d H:m a'))).toBe('EvaluatorTimestampFormatPatternHourClockAmPmMismatch');
    expect(codeOf(() => compileParse('y-d'))).toBe('EvaluatorInvalidTimestampFormatPattern');
    expect(codeOf(() => compileParse('M-d'))).toBe('EvaluatorInvalidTimestampFormatPattern');
    expect(codeOf(() => compileParse('y-M X'))).toBe('EvaluatorInvalidTimestampFormatPattern');
    expect(codeOf(() => compileParse("y-M-d'T'H"))).toBe('none');
    expect(codeOf(() => compileParse('y-M-dTH'))).toBe('EvaluatorInvalidTimestampFormatPatternToken');
  });
});

describe('TO_TIMESTAMP patterns', () => {
  const parse = (s: string, pattern: string) => text(compileParse(pattern)(q(s)));

  it.each([
    ['July 20, 1969', 'MMMM d, y', '1969-07-20'],
    ['jul 20, 1969', 'MMM d, yyyy', '1969-07-20'],
    ['7-20-69', 'M-d-yy', '2069-07-20'],
    ['7-20-70', 'M-d-yy', '1970-07-20'],
    ['July 20, 1969 8:18 pm', 'MMMM d, y h:m a', '1969-07-20T20:18-00:00'],
    ['12:05 AM 2007-02-03', 'hh:mm a y-MM-dd', '2007-02-03T00:05-00:00'],
    ['0:05 pm 2007-02-03', 'h:mm a y-MM-dd', '2007-02-03T12:05-00:00'],
    ['1969-07-20T20:18:00Z', "y-MM-dd'T'H:m:ssX", '1969-07-20T20:18:00Z'],
    ['1969-07-20T20:18:00+0800', "y-MM-dd'T'H:m:ssXXXX", '1969-07-20T20:18:00+08:00'],
    ['1969-07-20 20:18:00.120 -05:30', 'y-MM-dd H:m:ss.SSS xxx', '1969-07-20T20:18:00.12-05:30'],
    ['1969-07-20 20:18:00.000 +07', 'y-MM-dd H:m:ss.SSS x', '1969-07-20T20:18:00+07:00'],
    ['1969-07-20 20:18:00 123456789', 'y-MM-dd H:m:ss n', '1969-07-20T20:18:00.123456000-00:00'],
    ['1969', 'y', '1969T'],
    ['1969/07', 'y/MM', '1969-07T'],
    ['1969-07-20 20', 'y-MM-dd HH', '1969-07-20T20:00-00:00'],
    ['2019-02-30', 'y-M-d', '2019-02-28'],
    ["it's 2019", "'it''s' y", '2019T'],
  ])('%j with %j', async (s, pattern, expected) => {
    expect(await parse(s, pattern)).toBe(expected);
  });

  it('keeps the instant and the offset', async () => {
    const v = await val(compileParse("y-MM-dd'T'HH:mm:ssXXX")(q('2020-01-01T01:00:00+02:00')));
    expect(v).toEqual({ ts: new Date('2019-12-31T23:00:00Z'), off: 120, prec: 5 });
  });

  it('fails with ValueParseFailure on text that does not fit', async () => {
    for (const [s, p] of [['2019-13-01', 'y-M-d'], ['2019-02-32', 'y-M-d'], ['2019-01-01 24', 'y-M-d H'], ['2019-01-01 13 PM', 'y-M-d h a'],
['19-01-01', 'yyyy-MM-dd'], ['2019-01-01x', 'y-M-d'], ['Jux 1, 2019', 'MMM d, y'], ['0', 'y'], ['10000', 'y']]) {
      expect(await code(compileParse(p!)(q(s!))), `${s} / ${p}`).toBe('ValueParseFailure');
    }
    expect(await val(compileParse('y')('NULL::VARCHAR'))).toBeNull();
  });
});

describe('s3_ts_text_of (the fast path for timestamp columns)', () => {
  it.each(['TIMESTAMP', 'DATE', 'TIMESTAMPTZ'])('renders %s values exactly like s3_ts_text(s3_ts_of(v))', async (ty) => {
    // Whole seconds, milliseconds and microseconds over two centuries, plus NULL.
    const r = await conn.runAndReadAll(`WITH v AS (
        SELECT (TIMESTAMP '1900-01-01' + to_microseconds((hash(i) % 6000000000000000)::BIGINT // m * m))::${ty} AS t
        FROM range(30000) r(i), (VALUES (1), (1000), (1000000)) s(m) UNION ALL SELECT NULL)
      SELECT count(*) FILTER (WHERE s3_ts_text(s3_ts_of(t)) IS DISTINCT FROM s3_ts_text_of(t)) AS diff,
             count(DISTINCT length(s3_ts_text_of(t))) AS shapes FROM v`);
    const [row] = r.getRowObjectsJS();
    expect(Number(row.diff)).toBe(0);
    expect(Number(row.shapes)).toBeGreaterThanOrEqual(ty === 'DATE' ? 1 : 3);
  });
});
