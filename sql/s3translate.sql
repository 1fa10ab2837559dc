-- Helpers of the S3 Select translator (src/select/translate/): dynamic JSON values, numeric coercion of
-- CSV text and output rendering. Named s3t_*; loaded after sql/s3select.sql, whose s3_* macros they use.
-- Errors follow the same convention: error('<S3ErrorCode>: message').
--
-- Dynamic values are DuckDB JSON: SQL NULL is MISSING, the JSON literal null is NULL. Macros whose
-- argument is used more than once bind it with list_transform([x], lambda v: …)[1], so a whole
-- expression passed in is evaluated once per row and the SQL text does not grow with nesting.

-- ===== Kinds of JSON values =====

-- Ordering rank of a value's kind (PartiQL: null < bool < number < timestamp < string < list < struct).
CREATE OR REPLACE MACRO s3t_jkind(v) AS CASE json_type(v)
  WHEN 'NULL' THEN 0 WHEN 'BOOLEAN' THEN 1 WHEN 'BIGINT' THEN 2 WHEN 'UBIGINT' THEN 2 WHEN 'DOUBLE' THEN 2
  WHEN 'HUGEINT' THEN 2 WHEN 'VARCHAR' THEN 4 WHEN 'ARRAY' THEN 6 WHEN 'OBJECT' THEN 7 END;

CREATE OR REPLACE MACRO s3t_jisint(v) AS json_type(v) IN ('BIGINT', 'UBIGINT');

CREATE OR REPLACE MACRO s3t_jstr(v) AS
  list_transform([v], lambda x: CASE WHEN json_type(x) = 'VARCHAR' THEN x ->> '$' END)[1];

CREATE OR REPLACE MACRO s3t_jnum(v) AS
  list_transform([v], lambda x: CASE WHEN s3t_jkind(x) = 2 THEN x::DOUBLE END)[1];

CREATE OR REPLACE MACRO s3t_jbool(v) AS
  list_transform([v], lambda x: CASE WHEN json_type(x) = 'BOOLEAN' THEN x::BOOLEAN END)[1];

-- JSON null as SQL NULL (COALESCE skips both).
CREATE OR REPLACE MACRO s3t_jnn(v) AS
  list_transform([v], lambda x: CASE WHEN json_type(x) = 'NULL' THEN NULL ELSE x END)[1];

-- IS NULL holds for NULL and MISSING alike.
CREATE OR REPLACE MACRO s3t_jisnull(v) AS coalesce(json_type(v) = 'NULL', true);

-- Text used to order strings (their value) and containers (their JSON text).
CREATE OR REPLACE MACRO s3t_jsorttext(v) AS
  list_transform([v], lambda x: CASE WHEN json_type(x) = 'VARCHAR' THEN x ->> '$' ELSE x::VARCHAR END)[1];

-- ===== Comparison of dynamic values =====

-- Equality: NULL when either side is NULL or MISSING, false when the kinds differ.
CREATE OR REPLACE MACRO s3t_jeq(a, b) AS list_transform([struct_pack(a := a, b := b)], lambda p: CASE
    WHEN s3t_jkind(p.a) IS NULL OR s3t_jkind(p.b) IS NULL OR s3t_jkind(p.a) = 0 OR s3t_jkind(p.b) = 0 THEN NULL
    WHEN s3t_jkind(p.a) <> s3t_jkind(p.b) THEN false
    WHEN s3t_jisint(p.a) AND s3t_jisint(p.b) THEN p.a::HUGEINT = p.b::HUGEINT
    WHEN s3t_jkind(p.a) = 2 THEN p.a::DOUBLE = p.b::DOUBLE
    WHEN s3t_jkind(p.a) = 4 THEN (p.a ->> '$') = (p.b ->> '$')
    ELSE p.a::VARCHAR = p.b::VARCHAR
  END)[1];

-- Three-way comparison (-1, 0, 1); NULL when either side is NULL/MISSING or the kinds do not order.
CREATE OR REPLACE MACRO s3t_jcmp(a, b) AS list_transform([struct_pack(a := a, b := b)], lambda p: CASE
    WHEN s3t_jkind(p.a) IS NULL OR s3t_jkind(p.b) IS NULL OR s3t_jkind(p.a) <> s3t_jkind(p.b) OR s3t_jkind(p.a) NOT IN (1, 2, 4) THEN NULL
    WHEN s3t_jisint(p.a) AND s3t_jisint(p.b) THEN
      CASE WHEN p.a::HUGEINT < p.b::HUGEINT THEN -1 WHEN p.a::HUGEINT > p.b::HUGEINT THEN 1 ELSE 0 END
    WHEN s3t_jkind(p.a) = 2 THEN CASE WHEN p.a::DOUBLE < p.b::DOUBLE THEN -1 WHEN p.a::DOUBLE > p.b::DOUBLE THEN 1 ELSE 0 END
    WHEN s3t_jkind(p.a) = 4 THEN CASE WHEN (p.a ->> '$') < (p.b ->> '$') THEN -1 WHEN (p.a ->> '$') > (p.b ->> '$') THEN 1 ELSE 0 END
    ELSE CASE WHEN p.a::BOOLEAN < p.b::BOOLEAN THEN -1 WHEN p.a::BOOLEAN > p.b::BOOLEAN THEN 1 ELSE 0 END
  END)[1];

-- ===== Arithmetic =====

-- Integer division and remainder truncate toward zero (as PartiQL / Java); a zero divisor is an error.
CREATE OR REPLACE MACRO s3t_idiv(a, b) AS list_transform([b], lambda d: CASE
    WHEN d = 0 THEN error('ExternalEvalException: Division by zero') ELSE a // d END)[1];
CREATE OR REPLACE MACRO s3t_imod(a, b) AS list_transform([b], lambda d: CASE
    WHEN d = 0 THEN error('ExternalEvalException: Division by zero') ELSE a % d END)[1];
-- Decimal division (exact in PartiQL, a DOUBLE here); a zero divisor is an error too.
CREATE OR REPLACE MACRO s3t_ddiv(a, b) AS list_transform([b], lambda d: CASE
    WHEN d = 0 THEN error('ExternalEvalException: Division by zero') ELSE a::DOUBLE / d::DOUBLE END)[1];

CREATE OR REPLACE MACRO s3t_iop(x, y, op) AS CASE op
  WHEN '+' THEN x + y WHEN '-' THEN x - y WHEN '*' THEN x * y WHEN '/' THEN s3t_idiv(x, y) ELSE s3t_imod(x, y) END;
CREATE OR REPLACE MACRO s3t_fop(x, y, op) AS CASE op
  WHEN '+' THEN x + y WHEN '-' THEN x - y WHEN '*' THEN x * y WHEN '/' THEN x / y ELSE fmod(x, y) END;

-- Arithmetic on dynamic numbers: ints stay ints (overflow raises), anything else is a DOUBLE. MISSING
-- wins over NULL; a non-number operand makes the result MISSING (PartiQL's permissive mode).
CREATE OR REPLACE MACRO s3t_jarith(a, b, op) AS list_transform([struct_pack(a := a, b := b)], lambda p: CASE
    WHEN p.a IS NULL OR p.b IS NULL THEN NULL
    WHEN json_type(p.a) = 'NULL' OR json_type(p.b) = 'NULL' THEN 'null'::JSON
    WHEN coalesce(s3t_jkind(p.a) <> 2 OR s3t_jkind(p.b) <> 2, true) THEN NULL
    WHEN s3t_jisint(p.a) AND s3t_jisint(p.b) THEN to_json(s3t_iop(p.a::BIGINT, p.b::BIGINT, op))
    ELSE s3t_fjson(s3t_fop(p.a::DOUBLE, p.b::DOUBLE, op))
  END)[1];

CREATE OR REPLACE MACRO s3t_jneg(a) AS list_transform([a], lambda x: CASE
    WHEN x IS NULL THEN NULL WHEN json_type(x) = 'NULL' THEN x
    WHEN s3t_jisint(x) THEN to_json(- x::BIGINT) WHEN s3t_jkind(x) = 2 THEN s3t_fjson(- x::DOUBLE) END)[1];

-- A DOUBLE as a JSON number; NaN and infinities (not JSON) become strings.
CREATE OR REPLACE MACRO s3t_fjson(d) AS list_transform([d], lambda x: CASE
    WHEN isnan(x) OR isinf(x) THEN to_json(s3t_float_text(x::VARCHAR)) ELSE to_json(x) END)[1];

-- CSV text in a numeric context: an int when it reads as one, else a DOUBLE, else MISSING.
CREATE OR REPLACE MACRO s3t_text_num(t) AS list_transform([trim(t)], lambda x: CASE
    WHEN regexp_full_match(x, '[+-]?[0-9]+') THEN coalesce(to_json(TRY_CAST(x AS BIGINT)), to_json(TRY_CAST(x AS DOUBLE)))
    WHEN regexp_full_match(x, '[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?') THEN to_json(TRY_CAST(x AS DOUBLE))
  END)[1];

-- CSV text as a boolean (true/false in any case), else MISSING.
CREATE OR REPLACE MACRO s3t_text_bool(t) AS CASE lower(trim(t)) WHEN 'true' THEN true WHEN 'false' THEN false END;

-- An Ion timestamp in text, or NULL when the text is not one (comparisons of strings with timestamps).
CREATE OR REPLACE MACRO s3t_try_ts(s) AS list_transform([trim(s)], lambda x: CASE
    WHEN regexp_full_match(x, '[0-9]{4}(T|-[0-9]{2}(T|-[0-9]{2}(T?|T[0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?([Zz]|[+-][0-9]{2}:[0-9]{2}))))')
      THEN TRY(s3_cast_timestamp(x)) END)[1];

-- HUGEINT sums back to INT (int64), raising IntegerOverflow instead of a conversion error.
CREATE OR REPLACE MACRO s3t_int_checked(h) AS list_transform([h], lambda x: CASE
    WHEN x IS NULL THEN NULL
    WHEN x BETWEEN -9223372036854775808 AND 9223372036854775807 THEN x::BIGINT
    ELSE error('IntegerOverflow: the result does not fit in INT') END)[1];

-- ===== CAST of dynamic values =====

CREATE OR REPLACE MACRO s3t_cast_error(kind, target) AS
  error('CastFailed: cannot convert a ' || kind || ' value to ' || target);

CREATE OR REPLACE MACRO s3t_jcast_int(v) AS list_transform([v], lambda x: CASE
    WHEN x IS NULL OR json_type(x) = 'NULL' THEN NULL
    WHEN json_type(x) = 'VARCHAR' THEN s3_cast_int(x ->> '$')
    WHEN json_type(x) = 'BIGINT' THEN x::BIGINT
    WHEN s3t_jkind(x) = 2 THEN s3_cast_int(x::DOUBLE)
    WHEN json_type(x) = 'BOOLEAN' THEN s3_cast_int(x::BOOLEAN)
    ELSE s3t_cast_error(lower(json_type(x)), 'INT') END)[1];

CREATE OR REPLACE MACRO s3t_jcast_float(v) AS list_transform([v], lambda x: CASE
    WHEN x IS NULL OR json_type(x) = 'NULL' THEN NULL
    WHEN json_type(x) = 'VARCHAR' THEN s3_cast_float(x ->> '$')
    WHEN s3t_jkind(x) = 2 THEN x::DOUBLE
    WHEN json_type(x) = 'BOOLEAN' THEN s3_cast_float(x::BOOLEAN)
    ELSE s3t_cast_error(lower(json_type(x)), 'FLOAT') END)[1];

CREATE OR REPLACE MACRO s3t_jcast_bool(v) AS list_transform([v], lambda x: CASE
    WHEN x IS NULL OR json_type(x) = 'NULL' THEN NULL
    WHEN json_type(x) = 'VARCHAR' THEN s3_cast_bool(x ->> '$')
    WHEN s3t_jkind(x) = 2 THEN x::DOUBLE <> 0
    WHEN json_type(x) = 'BOOLEAN' THEN x::BOOLEAN
    ELSE s3t_cast_error(lower(json_type(x)), 'BOOL') END)[1];

-- CAST(… AS DECIMAL): DECIMAL(38,10), rendered without the padding zeros (AWS ignores precision and scale).
CREATE OR REPLACE MACRO s3t_cast_dec(v) AS list_transform([v], lambda x: CASE
    WHEN x IS NULL THEN NULL
    WHEN typeof(x) = 'VARCHAR' THEN coalesce(TRY_CAST(trim(x::VARCHAR) AS DECIMAL(38, 10)),
      error('CastFailed: cannot convert the string to DECIMAL: ' || x::VARCHAR))
    WHEN typeof(x) = 'BOOLEAN' THEN CASE WHEN x::VARCHAR = 'true' THEN 1 ELSE 0 END::DECIMAL(38, 10)
    ELSE coalesce(TRY_CAST(x AS DECIMAL(38, 10)), error('CastFailed: the value does not fit in DECIMAL: ' || x::VARCHAR))
  END)[1];

CREATE OR REPLACE MACRO s3t_jcast_dec(v) AS list_transform([v], lambda x: CASE
    WHEN x IS NULL OR json_type(x) = 'NULL' THEN NULL
    WHEN json_type(x) = 'VARCHAR' THEN s3t_cast_dec(x ->> '$')
    WHEN s3t_jkind(x) = 2 THEN s3t_cast_dec(x::DOUBLE)
    WHEN json_type(x) = 'BOOLEAN' THEN s3t_cast_dec(x::BOOLEAN)
    ELSE s3t_cast_error(lower(json_type(x)), 'DECIMAL') END)[1];

CREATE OR REPLACE MACRO s3t_jcast_ts(v) AS list_transform([v], lambda x: CASE
    WHEN x IS NULL OR json_type(x) = 'NULL' THEN NULL
    WHEN json_type(x) = 'VARCHAR' THEN s3_cast_timestamp(x ->> '$')
    ELSE s3t_cast_error(lower(json_type(x)), 'TIMESTAMP') END)[1];

-- ===== Rendering =====

-- Java's Double.toString from DuckDB's shortest text of a DOUBLE/FLOAT: plain for 1e-3 <= |x| < 1e7
-- (at least one fraction digit, 2.0), else d.dddE±n (1.0E7, 1.5E-4); NaN, Infinity, -Infinity.
CREATE OR REPLACE MACRO s3t_float_text(s) AS list_transform([s], lambda t: CASE
    WHEN t IS NULL THEN NULL
    WHEN t IN ('nan', '-nan') THEN 'NaN'
    WHEN t = 'inf' THEN 'Infinity'
    WHEN t = '-inf' THEN '-Infinity'
    ELSE list_transform([regexp_extract(t, '^(-?)([0-9]+)(?:[.]([0-9]+))?(?:e([+-]?[0-9]+))?$', ['sg', 'i', 'f', 'x'])], lambda g:
      list_transform([CASE
          WHEN g.x <> '' THEN struct_pack(d := rtrim(g.i || g.f, '0'), e := g.x::INTEGER)
          WHEN g.i <> '0' THEN struct_pack(d := rtrim(g.i || g.f, '0'), e := length(g.i) - 1)
          ELSE struct_pack(d := rtrim(ltrim(g.f, '0'), '0'), e := -(length(g.f) - length(ltrim(g.f, '0')) + 1))
        END], lambda n: g.sg || CASE
          WHEN n.d = '' THEN '0.0'
          WHEN n.e >= 7 OR n.e < -3 THEN left(n.d, 1) || '.' || coalesce(nullif(substr(n.d, 2), ''), '0') || 'E' || n.e::VARCHAR
          WHEN n.e >= 0 THEN rpad(left(n.d, n.e + 1), (n.e + 1)::INTEGER, '0') || '.' || coalesce(nullif(substr(n.d, n.e + 2), ''), '0')
          ELSE '0.' || repeat('0', -n.e - 1) || n.d
        END)[1])[1]
  END)[1];

-- Decimal text without trailing fraction zeros (1.500 → 1.5, 2.000 → 2).
CREATE OR REPLACE MACRO s3t_dec_trim(s) AS
  list_transform([s], lambda t: CASE WHEN contains(t, '.') THEN rtrim(rtrim(t, '0'), '.') ELSE t END)[1];

-- A DOUBLE standing in for a decimal: 15 significant digits, no exponent in the usual range.
CREATE OR REPLACE MACRO s3t_approx_text(d) AS list_transform([d::DOUBLE], lambda x: CASE
    WHEN x IS NULL THEN NULL
    WHEN x = 0 THEN '0'
    WHEN isnan(x) OR isinf(x) OR abs(x) < 1e-6 OR abs(x) >= 1e15 THEN s3t_float_text(x::VARCHAR)
    ELSE s3t_dec_trim(round(x, (14 - floor(log10(abs(x))))::INTEGER)::VARCHAR)
  END)[1];

-- A dynamic value as CSV text: strings unquoted, null empty, containers as JSON text.
CREATE OR REPLACE MACRO s3t_jtext(v) AS list_transform([v], lambda x: CASE json_type(x)
    WHEN 'VARCHAR' THEN x ->> '$'
    WHEN 'DOUBLE' THEN s3t_float_text(x::DOUBLE::VARCHAR)
    WHEN 'NULL' THEN NULL
    ELSE x::VARCHAR END)[1];

-- A dynamic value as JSON output text (numbers formatted like floats elsewhere).
CREATE OR REPLACE MACRO s3t_jout(v) AS list_transform([v], lambda x: CASE json_type(x)
    WHEN 'DOUBLE' THEN s3t_float_text(x::DOUBLE::VARCHAR)
    ELSE x::VARCHAR END)[1];

-- A float as JSON output: NaN and infinities are not JSON numbers, so they are written as strings.
CREATE OR REPLACE MACRO s3t_float_json(s) AS list_transform([s3t_float_text(s)], lambda t: CASE
    WHEN t IN ('NaN', 'Infinity', '-Infinity') THEN '"' || t || '"' ELSE t END)[1];

-- BLOB as text: its UTF-8 when valid, else base64.
CREATE OR REPLACE MACRO s3t_blob_text(b) AS list_transform([b], lambda x: coalesce(TRY(decode(x)), to_base64(x)))[1];

-- CSV field quoting. q = quote, e = quote escape, d = field delimiter, r = record delimiter.
CREATE OR REPLACE MACRO s3t_csv_always(f, q, e) AS q || replace(coalesce(f, ''), q, e || q) || q;
CREATE OR REPLACE MACRO s3t_csv_asneeded(f, q, e, d, r) AS list_transform([coalesce(f, '')], lambda x: CASE
    WHEN contains(x, q) OR contains(x, d) OR contains(x, r) OR contains(x, chr(10)) OR contains(x, chr(13))
      THEN q || replace(x, q, e || q) || q
    ELSE x END)[1];

-- The values of a dynamic record for CSV output of `*`: an object's member values, an array's
-- elements, a scalar as itself, nothing for MISSING.
CREATE OR REPLACE MACRO s3t_jvalues(v) AS list_transform([v], lambda x: CASE
    WHEN x IS NULL THEN []::JSON[]
    WHEN json_type(x) = 'OBJECT' THEN json_extract(x, '$.*')
    WHEN json_type(x) = 'ARRAY' THEN json_extract(x, '$[*]')
    ELSE [x] END)[1];

-- Members of an object as JSON text without its braces (to splice `alias.*` into an output object);
-- NULL for anything that is not a non-empty object.
CREATE OR REPLACE MACRO s3t_jmembers(v) AS list_transform([v], lambda x: CASE
    WHEN json_type(x) = 'OBJECT' AND x::VARCHAR <> '{}' THEN substr(x::VARCHAR, 2, length(x::VARCHAR) - 2) END)[1];
