-- S3 Select (PartiQL) functions as DuckDB macros. Loaded into the shared instance at start-up.
-- Public macros are named s3_*, helpers s3__*. Errors use error('<S3ErrorCode>: message'), which
-- src/duckdb/errors.ts maps back to that S3 error code.
--
-- Timestamps are STRUCT(ts TIMESTAMP, off SMALLINT, prec TINYINT):
--   ts    the UTC instant (compare and order timestamps by .ts)
--   off   the local offset in minutes; NULL = unknown (Ion's -00:00, and every date-only value)
--   prec  1 year, 2 month, 3 day, 4 minute, 5 second, 5+n second with n fraction digits (n <= 9;
--         DuckDB keeps microseconds, so digits 7-9 print as zeros)
-- Local fields (EXTRACT, TO_STRING, text form) come from ts + off.

-- ===== Strings =====

CREATE OR REPLACE MACRO s3_char_length(s) AS length(s);

-- SQL-92 SUBSTRING: a start before 1 still consumes length. NULL checks first, since greatest(NULL, 1) is 1.
CREATE OR REPLACE MACRO s3_substring(s, start) AS
    CASE WHEN s IS NULL OR start IS NULL THEN NULL ELSE substring(s, greatest(start, 1)) END,
  (s, start, len) AS
    CASE WHEN s IS NULL OR start IS NULL OR len IS NULL THEN NULL
      WHEN len < 0 THEN error('IllegalSqlFunctionArgument: the SUBSTRING length must not be negative')
      ELSE substring(s, greatest(start, 1), greatest(least(start + len, length(s) + 1) - greatest(start, 1), 0))
    END;

-- TRIM([LEADING|TRAILING|BOTH] [chars] FROM s): chars is a set of characters, default a space.
CREATE OR REPLACE MACRO s3_trim(s, mode, chars) AS
    CASE upper(mode) WHEN 'LEADING' THEN ltrim(s, chars) WHEN 'TRAILING' THEN rtrim(s, chars) ELSE trim(s, chars) END,
  (s, mode) AS
    CASE upper(mode) WHEN 'LEADING' THEN ltrim(s, ' ') WHEN 'TRAILING' THEN rtrim(s, ' ') ELSE trim(s, ' ') END;

-- LIKE … ESCAPE e. DuckDB accepts an escape before any character and a trailing escape; PartiQL allows
-- it only before %, _ or itself. Removing the valid pairs left to right leaves an escape iff one is bad.
CREATE OR REPLACE MACRO s3_like(v, p, e) AS
  CASE WHEN v IS NULL OR p IS NULL OR e IS NULL THEN NULL
    WHEN length(e) <> 1 THEN error('LikeInvalidInputs: the ESCAPE value must be exactly one character')
    WHEN contains(replace(replace(replace(p, e || e, ''), e || '%', ''), e || '_', ''), e)
      THEN error('EvaluatorLikePatternInvalidEscapeSequence: invalid escape sequence in LIKE pattern: ' || left(p, 64))
    ELSE like_escape(v, p, e)
  END;

-- ===== CAST helpers (PartiQL rules) =====

-- String to INT as an Ion integer: optional sign, leading zeros, `_` between digits, 0x / 0b forms,
-- surrounding whitespace. Anything else (e.g. '1.5') fails; out of int64 range is an overflow.
CREATE OR REPLACE MACRO s3__parse_int(s) AS list_transform(
  [trim(s, ' ' || chr(9) || chr(10) || chr(11) || chr(12) || chr(13))],
  lambda t: CASE
    WHEN t IS NULL THEN NULL
    WHEN regexp_full_match(t, '[+-]?[0-9]+(_[0-9]+)*')
      THEN coalesce(TRY_CAST(replace(t, '_', '') AS BIGINT), error('IntegerOverflow: the value does not fit in INT: ' || left(t, 64)))
    WHEN regexp_full_match(t, '[+-]?0([xX][0-9a-fA-F]+(_[0-9a-fA-F]+)*|[bB][01]+(_[01]+)*)')
      THEN CASE WHEN left(t, 1) = '-' THEN -1 ELSE 1 END
        * coalesce(TRY_CAST(replace(ltrim(t, '+-'), '_', '') AS BIGINT), error('IntegerOverflow: the value does not fit in INT: ' || left(t, 64)))
    ELSE error('CastFailed: cannot convert the string to INT: ' || left(t, 64))
  END)[1];

-- Plain decimal integers are by far the common case: DuckDB's own cast takes them; it also takes '1.5' and
-- '1e3', which Ion does not, so text with '.', 'e' or 'E' goes to the full parser (as does anything it refuses).
-- Text that is exactly the BIGINT's own text is checked first: one cast and a compare, cheaper than the scans.
CREATE OR REPLACE MACRO s3__fast_int(s) AS
  CASE WHEN CAST(TRY_CAST(s AS BIGINT) AS VARCHAR) = s THEN TRY_CAST(s AS BIGINT)
    WHEN strpos(s, '.') = 0 AND strpos(s, 'e') = 0 AND strpos(s, 'E') = 0 THEN TRY_CAST(s AS BIGINT) END;

-- CAST(s AS INT) for VARCHAR s (the translator uses it for text, saving s3_cast_int's type dispatch per row).
CREATE OR REPLACE MACRO s3_cast_int_text(s) AS coalesce(s3__fast_int(s), s3__parse_int(s));

-- CAST(v AS INT): strings as above, booleans 1/0, numbers truncated toward zero.
CREATE OR REPLACE MACRO s3_cast_int(v) AS
  CASE WHEN v IS NULL THEN NULL
    WHEN typeof(v) = 'VARCHAR' THEN s3_cast_int_text(v::VARCHAR)
    WHEN typeof(v) = 'BOOLEAN' THEN CASE WHEN v::VARCHAR = 'true' THEN 1 ELSE 0 END::BIGINT
    ELSE coalesce(TRY_CAST(trunc(TRY_CAST(v AS DECIMAL(38, 10))) AS BIGINT),
                  error('IntegerOverflow: the value does not fit in INT: ' || left(v::VARCHAR, 64)))
  END;

-- CAST(s AS FLOAT) for VARCHAR s.
CREATE OR REPLACE MACRO s3_cast_float_text(s) AS
  CASE WHEN s IS NOT NULL
    THEN coalesce(TRY_CAST(trim(s) AS DOUBLE), error('CastFailed: cannot convert the string to FLOAT: ' || left(s, 64))) END;

-- CAST(v AS FLOAT).
CREATE OR REPLACE MACRO s3_cast_float(v) AS
  CASE WHEN v IS NULL THEN NULL
    WHEN typeof(v) = 'VARCHAR' THEN s3_cast_float_text(v::VARCHAR)
    WHEN typeof(v) = 'BOOLEAN' THEN CASE WHEN v::VARCHAR = 'true' THEN 1.0 ELSE 0.0 END::DOUBLE
    ELSE TRY_CAST(v AS DOUBLE)
  END;

-- CAST(v AS BOOL): only 'true' / 'false' (any case) from strings; numbers are true unless zero.
CREATE OR REPLACE MACRO s3_cast_bool(v) AS
  CASE WHEN v IS NULL THEN NULL
    WHEN typeof(v) = 'VARCHAR' THEN CASE lower(v::VARCHAR) WHEN 'true' THEN true WHEN 'false' THEN false
      ELSE error('CastFailed: cannot convert the string to BOOL: ' || left(v::VARCHAR, 64)) END
    WHEN typeof(v) = 'BOOLEAN' THEN TRY_CAST(v AS BOOLEAN)
    ELSE TRY_CAST(v AS DOUBLE) <> 0
  END;

-- ===== Timestamps =====

-- The timestamp type; casting an argument to it also gives an untyped NULL a type.
CREATE OR REPLACE MACRO s3__as_ts(t) AS t::STRUCT(ts TIMESTAMP, off SMALLINT, prec TINYINT);

CREATE OR REPLACE MACRO s3__ts(ts, off, prec) AS
  struct_pack(ts := ts::TIMESTAMP, off := off::SMALLINT, prec := prec::TINYINT);

CREATE OR REPLACE MACRO s3__local(t) AS t.ts + to_minutes(coalesce(t.off, 0)::BIGINT);

CREATE OR REPLACE MACRO s3__off_text(off) AS
  CASE WHEN off IS NULL THEN '-00:00' WHEN off = 0 THEN 'Z'
    ELSE CASE WHEN off < 0 THEN '-' ELSE '+' END
      || lpad((abs(off) // 60)::VARCHAR, 2, '0') || ':' || lpad((abs(off) % 60)::VARCHAR, 2, '0')
  END;

-- Ion text of a timestamp at its precision: 2007T, 2007-02T, 2007-02-23, 2007-02-23T12:14Z,
-- 2007-02-23T12:14:33.079-08:00 (the same form the Ion reader accepts). The lambda binds t once:
-- macro arguments are expanded at every use, and t is usually a whole expression.
CREATE OR REPLACE MACRO s3__ts_text_at(l, prec, off) AS
  CASE prec
    WHEN 1 THEN strftime(l, '%YT')
    WHEN 2 THEN strftime(l, '%Y-%mT')
    WHEN 3 THEN strftime(l, '%Y-%m-%d')
    WHEN 4 THEN strftime(l, '%Y-%m-%dT%H:%M') || s3__off_text(off)
    WHEN 5 THEN strftime(l, '%Y-%m-%dT%H:%M:%S') || s3__off_text(off)
    ELSE strftime(l, '%Y-%m-%dT%H:%M:%S.') || left(strftime(l, '%f') || '000', prec - 5) || s3__off_text(off)
  END;

CREATE OR REPLACE MACRO s3_ts_text(t) AS
  list_transform([s3__as_ts(t)], lambda x: CASE WHEN x IS NULL THEN NULL ELSE s3__ts_text_at(s3__local(x), x.prec, x.off) END)[1];

-- The local date-time of captured Ion fields (NULL for a day that does not exist, e.g. 2019-02-30).
CREATE OR REPLACE MACRO s3__ion_local(g) AS TRY_CAST(
  g.y || '-' || coalesce(nullif(g.mo, ''), '01') || '-' || coalesce(nullif(g.d, ''), '01')
    || ' ' || coalesce(nullif(g.h, ''), '00') || ':' || coalesce(nullif(g.mi, ''), '00') || ':' || coalesce(nullif(g.s, ''), '00')
    || CASE WHEN g.f = '' THEN '' ELSE '.' || left(g.f, 6) END
  AS TIMESTAMP);

CREATE OR REPLACE MACRO s3__ion_off(o) AS
  CASE WHEN o IN ('', '-00:00') THEN NULL WHEN upper(o) = 'Z' THEN 0
    ELSE CASE WHEN left(o, 1) = '-' THEN -1 ELSE 1 END * (substr(o, 2, 2)::INTEGER * 60 + substr(o, 5, 2)::INTEGER)
  END;

-- Parses Ion timestamp text; `code` is the S3 error raised for text that is not one.
CREATE OR REPLACE MACRO s3__ion_ts(s, code) AS list_transform(
  [regexp_extract(s,
    '^([0-9]{4})(?:T|-(0[1-9]|1[0-2])(?:T|-(0[1-9]|[12][0-9]|3[01])(?:T?|T([01][0-9]|2[0-3]):([0-5][0-9])(?::([0-5][0-9])(?:\.([0-9]+))?)?([Zz]|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9]))))$',
    ['y', 'mo', 'd', 'h', 'mi', 's', 'f', 'o'])],
  lambda g: CASE
    WHEN g IS NULL THEN NULL
    WHEN g.y IN ('', '0000') OR s3__ion_local(g) IS NULL THEN error(code || ': not a valid timestamp: ' || left(s, 64))
    ELSE s3__ts(s3__ion_local(g) - to_minutes(coalesce(s3__ion_off(g.o), 0)::BIGINT), s3__ion_off(g.o),
      CASE WHEN g.mo = '' THEN 1 WHEN g.d = '' THEN 2 WHEN g.h = '' THEN 3 WHEN g.s = '' THEN 4
        ELSE 5 + least(length(g.f), 9) END)
  END)[1];

-- TO_TIMESTAMP(s) and CAST(s AS TIMESTAMP). TO_TIMESTAMP(s, pattern) is compiled by src/duckdb/ts-pattern.ts.
CREATE OR REPLACE MACRO s3_to_timestamp(s) AS s3__ion_ts(s, 'ValueParseFailure');
CREATE OR REPLACE MACRO s3_cast_timestamp(s) AS s3__ion_ts(s, 'CastFailed');

-- A DuckDB DATE / TIMESTAMP / TIMESTAMPTZ (e.g. a Parquet column) as an S3 timestamp; fraction digits
-- are the fewest of 0, 3, 6 that keep the value. TIMESTAMPTZ converts through the session zone (UTC).
CREATE OR REPLACE MACRO s3_ts_of(v) AS
  CASE WHEN v IS NULL THEN NULL ELSE list_transform([v::TIMESTAMP], lambda x:
    CASE WHEN typeof(v) = 'DATE' THEN s3__ts(x, NULL, 3)
      ELSE s3__ts(x, 0, CASE WHEN microsecond(x) % 1000000 = 0 THEN 5 WHEN microsecond(x) % 1000 = 0 THEN 8 ELSE 11 END)
    END)[1]
  END;

-- UTCNOW(): millisecond precision, offset Z.
CREATE OR REPLACE MACRO s3_utcnow() AS s3__ts(epoch_ms(epoch_ms(now())), 0, 8);

CREATE OR REPLACE MACRO s3__part_error(part) AS error('EvaluatorInvalidArguments: invalid date part: ' || part);

-- DATE_ADD(part, n, t): calendar arithmetic on the local fields (day-of-month clamps, as in Ion); the
-- precision rises to what the part needs (month 13 of `2010T` is `2011-02T`).
CREATE OR REPLACE MACRO s3__shift(l, part, n) AS
  CASE part
    WHEN 'year' THEN l + to_years(n::INTEGER)
    WHEN 'month' THEN l + to_months(n::INTEGER)
    WHEN 'day' THEN l + to_days(n::INTEGER)
    WHEN 'hour' THEN l + to_hours(n::BIGINT)
    WHEN 'minute' THEN l + to_minutes(n::BIGINT)
    WHEN 'second' THEN l + to_seconds(n::DOUBLE)
    ELSE s3__part_error(part)
  END;

CREATE OR REPLACE MACRO s3_date_add(part, n, t) AS list_transform([s3__as_ts(t)], lambda x:
  CASE WHEN x IS NULL OR n IS NULL THEN NULL ELSE s3__ts(
    s3__shift(s3__local(x), lower(part), n) - to_minutes(coalesce(x.off, 0)::BIGINT),
    x.off,
    greatest(x.prec, CASE lower(part) WHEN 'year' THEN 1 WHEN 'month' THEN 2 WHEN 'day' THEN 3 WHEN 'second' THEN 5 ELSE 4 END))
  END)[1];

-- Whole months between local dates, as java.time.Period: a partial month does not count.
CREATE OR REPLACE MACRO s3__months_between(la, lb) AS list_transform(
  [(year(lb) * 12 + month(lb)) - (year(la) * 12 + month(la))],
  lambda m: m - CASE WHEN m > 0 AND day(lb) < day(la) THEN 1 WHEN m < 0 AND day(lb) > day(la) THEN -1 ELSE 0 END)[1];

-- Whole seconds between instants, fractions dropped first (as PartiQL does).
CREATE OR REPLACE MACRO s3__secs_between(a, b) AS
  (epoch_us(date_trunc('second', b.ts)) - epoch_us(date_trunc('second', a.ts))) // 1000000;

-- DATE_DIFF(part, a, b): positive when a < b; whole units only (a day needs 24 hours). // truncates toward zero.
CREATE OR REPLACE MACRO s3_date_diff(part, a, b) AS list_transform([s3__as_ts(a)], lambda x:
  list_transform([s3__as_ts(b)], lambda y:
    CASE WHEN x IS NULL OR y IS NULL THEN NULL ELSE CASE lower(part)
      WHEN 'year' THEN s3__months_between(s3__local(x), s3__local(y)) // 12
      WHEN 'month' THEN s3__months_between(s3__local(x), s3__local(y))
      WHEN 'day' THEN s3__secs_between(x, y) // 86400
      WHEN 'hour' THEN s3__secs_between(x, y) // 3600
      WHEN 'minute' THEN s3__secs_between(x, y) // 60
      WHEN 'second' THEN s3__secs_between(x, y)
      ELSE s3__part_error(part)
    END END)[1])[1];

-- EXTRACT(part FROM t): local fields; the offset parts keep its sign (-08:30 gives -8 and -30).
CREATE OR REPLACE MACRO s3_extract(part, t) AS list_transform([s3__as_ts(t)], lambda x:
  CASE WHEN x IS NULL THEN NULL ELSE CASE lower(part)
    WHEN 'year' THEN year(s3__local(x))
    WHEN 'month' THEN month(s3__local(x))
    WHEN 'day' THEN day(s3__local(x))
    WHEN 'hour' THEN hour(s3__local(x))
    WHEN 'minute' THEN minute(s3__local(x))
    WHEN 'second' THEN second(s3__local(x))
    WHEN 'timezone_hour' THEN coalesce(x.off, 0) // 60
    WHEN 'timezone_minute' THEN coalesce(x.off, 0) % 60
    ELSE s3__part_error(part)
  END END)[1];

-- s3_ts_text(s3_ts_of(v)) for a DATE / TIMESTAMP / TIMESTAMPTZ column, without the lambdas: DuckDB pays a
-- fixed cost per vector for those, which dominates when a filter leaves a few rows per vector.
CREATE OR REPLACE MACRO s3_ts_text_of(v) AS
  CASE WHEN v IS NULL THEN NULL
    WHEN typeof(v) = 'DATE' THEN strftime(v::DATE, '%Y-%m-%d')
    WHEN microsecond(v::TIMESTAMP) % 1000000 = 0 THEN strftime(v::TIMESTAMP, '%Y-%m-%dT%H:%M:%SZ')
    WHEN microsecond(v::TIMESTAMP) % 1000 = 0 THEN strftime(v::TIMESTAMP, '%Y-%m-%dT%H:%M:%S.%gZ')
    ELSE strftime(v::TIMESTAMP, '%Y-%m-%dT%H:%M:%S.%fZ')
  END;
