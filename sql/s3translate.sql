-- Helpers of the S3 Select translator (src/select/translate/): dynamic JSON values, numeric coercion of
-- CSV text and output rendering. Named s3t_*. DuckDB binds a macro's body when it is created, so a macro
-- must follow the ones it calls: this file loads after sql/s3select.sql (files load in name order),
-- whose s3_* macros it uses. Errors follow that file's convention: error('<S3ErrorCode>: message').
--
-- Dynamic values are DuckDB JSON: SQL NULL is MISSING, the JSON literal null is NULL. Macros whose
-- argument is used more than once bind it with list_transform([x], lambda v: …)[1], so a whole
-- expression passed in is evaluated once per row and the SQL text does not grow with nesting.

-- ===== Number text =====

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

-- A DOUBLE as a JSON number; NaN and infinities (not JSON) become strings.
CREATE OR REPLACE MACRO s3t_fjson(d) AS list_transform([d], lambda x: CASE
    WHEN isnan(x) OR isinf(x) THEN to_json(s3t_float_text(x::VARCHAR)) ELSE to_json(x) END)[1];

-- ===== Kinds of JSON values =====
-- DuckDB JSON values from read_json, json_extract and to_json are minified text, so a value's kind is
-- its first character and a number is an int unless its text has a fraction or an exponent. Reading the
-- text is several times cheaper than json_type(), which parses the value again at every call.

-- Each view of a dynamic value has one definition over the value's text t (s3t_jt_*), which reads t
-- several times: the translator applies it to per-row columns of JSON paths (src/select/translate/
-- json-views.ts). The s3t_j* forms take any JSON expression and bind its text once.

-- Kind from the first character's code: 0 null, 1 boolean, 2 number, 4 string, 6 array, 7 object (the
-- gaps keep PartiQL's order: timestamps rank 3 and blobs 5 among kinds); NULL for MISSING.
CREATE OR REPLACE MACRO s3t_kind_of(c) AS CASE WHEN c IS NULL THEN NULL WHEN c = 110 THEN 0 WHEN c = 116 OR c = 102 THEN 1
  WHEN c = 34 THEN 4 WHEN c = 91 THEN 6 WHEN c = 123 THEN 7 ELSE 2 END;
CREATE OR REPLACE MACRO s3t_jt_kind(t) AS s3t_kind_of(ascii(t));
CREATE OR REPLACE MACRO s3t_jkind(v) AS list_transform([ascii(v::VARCHAR)], lambda c: s3t_kind_of(c))[1];

CREATE OR REPLACE MACRO s3t_tisint(t) AS NOT (contains(t, '.') OR contains(t, 'e') OR contains(t, 'E'));
CREATE OR REPLACE MACRO s3t_jt_isint(t) AS s3t_jt_kind(t) = 2 AND s3t_tisint(t);
CREATE OR REPLACE MACRO s3t_jisint(v) AS list_transform([v::VARCHAR], lambda t: s3t_jt_isint(t))[1];
-- The exact value of an int (NULL for values that are not numbers; meaningful where s3t_jt_isint holds).
CREATE OR REPLACE MACRO s3t_jt_int(t) AS TRY_CAST(t AS HUGEINT);
CREATE OR REPLACE MACRO s3t_jint(v) AS s3t_jt_int(v::VARCHAR);

-- The value of a JSON string's text; only text with escapes needs a JSON parse.
CREATE OR REPLACE MACRO s3t_tstr(t) AS CASE WHEN contains(t, '\') THEN t::JSON ->> '$' ELSE t[2:-2] END;

CREATE OR REPLACE MACRO s3t_jt_str(t) AS CASE WHEN ascii(t) = 34 THEN s3t_tstr(t) END;
CREATE OR REPLACE MACRO s3t_jstr(v) AS list_transform([v::VARCHAR], lambda t: s3t_jt_str(t))[1];

-- Only a number's text reads as a DOUBLE (JSON has no bare nan or inf; NaN and Infinity are numbers).
CREATE OR REPLACE MACRO s3t_jt_num(t) AS TRY_CAST(t AS DOUBLE);
CREATE OR REPLACE MACRO s3t_jnum(v) AS s3t_jt_num(v::VARCHAR);

CREATE OR REPLACE MACRO s3t_jt_bool(t) AS CASE WHEN t = 'true' THEN true WHEN t = 'false' THEN false END;
CREATE OR REPLACE MACRO s3t_jbool(v) AS list_transform([v::VARCHAR], lambda t: s3t_jt_bool(t))[1];

-- JSON null as SQL NULL (COALESCE skips both).
CREATE OR REPLACE MACRO s3t_jnn(v) AS
  list_transform([v], lambda x: CASE WHEN x::VARCHAR = 'null' THEN NULL ELSE x END)[1];

-- IS NULL holds for NULL and MISSING alike.
CREATE OR REPLACE MACRO s3t_jisnull(v) AS coalesce(v::VARCHAR = 'null', true);

-- Text used to order strings (their value) and other kinds (their JSON text).
CREATE OR REPLACE MACRO s3t_jt_sorttext(t) AS CASE WHEN ascii(t) = 34 THEN s3t_tstr(t) ELSE t END;
CREATE OR REPLACE MACRO s3t_jsorttext(v) AS list_transform([v::VARCHAR], lambda t: s3t_jt_sorttext(t))[1];

-- Member k of object o for an unquoted name: the exact key when present (the fast path), else the one
-- key equal ignoring case; several such keys are AmbiguousFieldName. Keys go through a JSON pointer, so
-- any key text is safe (o is an object whenever json_keys finds keys). The object is bound together with
-- the key: DuckDB would otherwise compute a bare [o], shared by lookups of several keys, for every row.
CREATE OR REPLACE MACRO s3t__pointer(k) AS '/' || replace(replace(k, '~', '~0'), '/', '~1');
CREATE OR REPLACE MACRO s3t_jget_ci(o, k) AS list_transform([struct_pack(x := o, k := k)], lambda a: coalesce(
    json_extract(a.x, s3t__pointer(a.k)),
    list_transform([list_filter(json_keys(a.x), lambda n: lower(n) = lower(a.k))], lambda hits: CASE
      WHEN len(hits) > 1 THEN error('AmbiguousFieldName: the name ' || a.k || ' matches several attributes; double-quote it to match exactly')
      WHEN len(hits) = 1 THEN json_extract(a.x, s3t__pointer(hits[1])) END)[1]
  ))[1];
-- The same lookup without the failure: NULL when no key or several keys match (the translator computes
-- it for every row, and checks for ambiguity with s3t_jget_ci only where the value is used).
CREATE OR REPLACE MACRO s3t_jfind_ci(o, k) AS list_transform([struct_pack(x := o, k := k)], lambda a: coalesce(
    json_extract(a.x, s3t__pointer(a.k)),
    list_transform([list_filter(json_keys(a.x), lambda n: lower(n) = lower(a.k))], lambda hits: CASE
      WHEN len(hits) = 1 THEN json_extract(a.x, s3t__pointer(hits[1])) END)[1]
  ))[1];

-- FROM-path wildcards: the elements of an array ([*]) or member values of an object (.*), as a list to
-- unnest; a value with none yields one MISSING (NULL) row, as S3 Select does.
CREATE OR REPLACE MACRO s3t_expand_arr(v) AS list_transform([v], lambda x: CASE
    WHEN ascii(x::VARCHAR) = 91 AND x::VARCHAR <> '[]' THEN json_extract(x, '$[*]') ELSE [NULL::JSON] END)[1];
CREATE OR REPLACE MACRO s3t_expand_obj(v) AS list_transform([v], lambda x: CASE
    WHEN ascii(x::VARCHAR) = 123 AND x::VARCHAR <> '{}' THEN json_extract(x, '$.*') ELSE [NULL::JSON] END)[1];

-- A DOUBLE rounded to 15 significant digits: sums and averages of decimal data without binary noise.
CREATE OR REPLACE MACRO s3t_round15(d) AS list_transform([d::DOUBLE], lambda x: CASE
    WHEN x IS NULL OR x = 0 OR isnan(x) OR isinf(x) THEN x
    ELSE round(x, (14 - floor(log10(abs(x))))::INTEGER) END)[1];

-- ===== Comparison of dynamic values =====

-- Equality of two JSON texts: NULL when either is NULL or MISSING, false when the kinds differ. Equal
-- values of the same kind have equal minified text, except numbers (2 = 2.0).
CREATE OR REPLACE MACRO s3t_teq(a, b) AS
  list_transform([struct_pack(ka := s3t_kind_of(ascii(a)), kb := s3t_kind_of(ascii(b)))], lambda k: CASE
    WHEN k.ka IS NULL OR k.kb IS NULL OR k.ka = 0 OR k.kb = 0 THEN NULL
    WHEN a = b THEN true
    WHEN k.ka <> 2 OR k.kb <> 2 THEN false
    WHEN s3t_tisint(a) AND s3t_tisint(b) THEN a::HUGEINT = b::HUGEINT
    ELSE a::DOUBLE = b::DOUBLE END)[1];
CREATE OR REPLACE MACRO s3t_jeq(a, b) AS
  list_transform([struct_pack(a := a::VARCHAR, b := b::VARCHAR)], lambda p: s3t_teq(p.a, p.b))[1];

-- Equality with a constant: `lit` is the constant's JSON text (a string or boolean) …
CREATE OR REPLACE MACRO s3t_jt_eq_text(t, lit) AS CASE
    WHEN t = lit THEN true WHEN t IS NULL OR t = 'null' THEN NULL ELSE false END;
CREATE OR REPLACE MACRO s3t_jeq_text(v, lit) AS list_transform([v::VARCHAR], lambda t: s3t_jt_eq_text(t, lit))[1];
-- … or one of several such constants …
CREATE OR REPLACE MACRO s3t_jt_in_text(t, lits) AS CASE
    WHEN t IS NULL OR t = 'null' THEN NULL ELSE list_contains(lits, t) END;
CREATE OR REPLACE MACRO s3t_jin_text(v, lits) AS list_transform([v::VARCHAR], lambda t: s3t_jt_in_text(t, lits))[1];
-- … or a number n (ints are compared exactly; one too long for HUGEINT compares as a DOUBLE).
CREATE OR REPLACE MACRO s3t_jt_eq_num(t, n) AS CASE
    WHEN t IS NULL OR t = 'null' THEN NULL
    WHEN s3t_jt_kind(t) <> 2 THEN false
    WHEN s3t_tisint(t) THEN coalesce(TRY_CAST(t AS HUGEINT) = n, t::DOUBLE = n)
    ELSE t::DOUBLE = n END;
CREATE OR REPLACE MACRO s3t_jeq_num(v, n) AS list_transform([v::VARCHAR], lambda t: s3t_jt_eq_num(t, n))[1];

-- Three-way comparison (-1, 0, 1); NULL when either side is NULL/MISSING or the kinds do not order.
CREATE OR REPLACE MACRO s3t_tcmp(a, b) AS
  list_transform([struct_pack(ka := s3t_kind_of(ascii(a)), kb := s3t_kind_of(ascii(b)))], lambda k: CASE
    WHEN k.ka IS NULL OR k.kb IS NULL OR k.ka <> k.kb OR k.ka NOT IN (1, 2, 4) THEN NULL
    WHEN k.ka = 2 AND s3t_tisint(a) AND s3t_tisint(b) THEN sign(a::HUGEINT - b::HUGEINT)::INTEGER
    WHEN k.ka = 2 THEN CASE WHEN a::DOUBLE < b::DOUBLE THEN -1 WHEN a::DOUBLE > b::DOUBLE THEN 1 ELSE 0 END
    WHEN k.ka = 4 THEN CASE WHEN s3t_tstr(a) < s3t_tstr(b) THEN -1 WHEN s3t_tstr(a) > s3t_tstr(b) THEN 1 ELSE 0 END
    ELSE CASE WHEN a < b THEN -1 WHEN a > b THEN 1 ELSE 0 END
  END)[1];
CREATE OR REPLACE MACRO s3t_jcmp(a, b) AS
  list_transform([struct_pack(a := a::VARCHAR, b := b::VARCHAR)], lambda p: s3t_tcmp(p.a, p.b))[1];

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
CREATE OR REPLACE MACRO s3t_jarith(a, b, op) AS list_transform([struct_pack(a := a::VARCHAR, b := b::VARCHAR)], lambda p: CASE
    WHEN p.a IS NULL OR p.b IS NULL THEN NULL
    WHEN p.a = 'null' OR p.b = 'null' THEN 'null'::JSON
    WHEN s3t_kind_of(ascii(p.a)) <> 2 OR s3t_kind_of(ascii(p.b)) <> 2 THEN NULL
    WHEN s3t_tisint(p.a) AND s3t_tisint(p.b) THEN to_json(s3t_iop(p.a::BIGINT, p.b::BIGINT, op))
    ELSE s3t_fjson(s3t_fop(p.a::DOUBLE, p.b::DOUBLE, op))
  END)[1];

CREATE OR REPLACE MACRO s3t_jneg(a) AS list_transform([a::VARCHAR], lambda t: CASE
    WHEN t IS NULL THEN NULL WHEN t = 'null' THEN 'null'::JSON
    WHEN s3t_kind_of(ascii(t)) <> 2 THEN NULL
    WHEN s3t_tisint(t) THEN to_json(- t::BIGINT) ELSE s3t_fjson(- t::DOUBLE) END)[1];

-- CSV text as a number: a finite DOUBLE, else NULL.
CREATE OR REPLACE MACRO s3t_tnum(t) AS
  list_transform([TRY_CAST(t AS DOUBLE)], lambda d: CASE WHEN isfinite(d) THEN d END)[1];

-- CSV text in a numeric context, as a dynamic number: an int when it reads as one, else a DOUBLE, else
-- MISSING.
CREATE OR REPLACE MACRO s3t_text_num(t) AS list_transform([trim(t)], lambda x: list_transform([s3t_tnum(x)], lambda d: CASE
    WHEN d IS NULL THEN NULL
    WHEN s3t_tisint(x) THEN coalesce(to_json(TRY_CAST(x AS BIGINT)), to_json(d))
    ELSE to_json(d) END)[1])[1];

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

-- The kind name used in CastFailed messages.
CREATE OR REPLACE MACRO s3t_kind_name(t) AS
  ['null', 'bool', 'number', 'timestamp', 'string', 'blob', 'list', 'struct'][s3t_kind_of(ascii(t)) + 1];

CREATE OR REPLACE MACRO s3t_jcast_int(v) AS list_transform([v::VARCHAR], lambda t: CASE
    WHEN t IS NULL OR t = 'null' THEN NULL
    WHEN ascii(t) = 34 THEN s3_cast_int(s3t_tstr(t))
    WHEN s3t_kind_of(ascii(t)) = 2 AND s3t_tisint(t) THEN s3_cast_int(t::HUGEINT)
    WHEN s3t_kind_of(ascii(t)) = 2 THEN s3_cast_int(t::DOUBLE)
    WHEN s3t_kind_of(ascii(t)) = 1 THEN s3_cast_int(t::BOOLEAN)
    ELSE s3t_cast_error(s3t_kind_name(t), 'INT') END)[1];

CREATE OR REPLACE MACRO s3t_jcast_float(v) AS list_transform([v::VARCHAR], lambda t: CASE
    WHEN t IS NULL OR t = 'null' THEN NULL
    WHEN ascii(t) = 34 THEN s3_cast_float(s3t_tstr(t))
    WHEN s3t_kind_of(ascii(t)) = 2 THEN t::DOUBLE
    WHEN s3t_kind_of(ascii(t)) = 1 THEN s3_cast_float(t::BOOLEAN)
    ELSE s3t_cast_error(s3t_kind_name(t), 'FLOAT') END)[1];

CREATE OR REPLACE MACRO s3t_jcast_bool(v) AS list_transform([v::VARCHAR], lambda t: CASE
    WHEN t IS NULL OR t = 'null' THEN NULL
    WHEN ascii(t) = 34 THEN s3_cast_bool(s3t_tstr(t))
    WHEN s3t_kind_of(ascii(t)) = 2 THEN t::DOUBLE <> 0
    WHEN s3t_kind_of(ascii(t)) = 1 THEN t::BOOLEAN
    ELSE s3t_cast_error(s3t_kind_name(t), 'BOOL') END)[1];

-- CAST(… AS DECIMAL): DECIMAL(38,10), rendered without the padding zeros (AWS ignores precision and scale).
CREATE OR REPLACE MACRO s3t_cast_dec(v) AS list_transform([v], lambda x: CASE
    WHEN x IS NULL THEN NULL
    WHEN typeof(x) = 'VARCHAR' THEN coalesce(TRY_CAST(trim(x::VARCHAR) AS DECIMAL(38, 10)),
      error('CastFailed: cannot convert the string to DECIMAL: ' || x::VARCHAR))
    WHEN typeof(x) = 'BOOLEAN' THEN CASE WHEN x::VARCHAR = 'true' THEN 1 ELSE 0 END::DECIMAL(38, 10)
    ELSE coalesce(TRY_CAST(x AS DECIMAL(38, 10)), error('CastFailed: the value does not fit in DECIMAL: ' || x::VARCHAR))
  END)[1];

CREATE OR REPLACE MACRO s3t_jcast_dec(v) AS list_transform([v::VARCHAR], lambda t: CASE
    WHEN t IS NULL OR t = 'null' THEN NULL
    WHEN ascii(t) = 34 THEN s3t_cast_dec(s3t_tstr(t))
    WHEN s3t_kind_of(ascii(t)) = 2 THEN s3t_cast_dec(t)
    WHEN s3t_kind_of(ascii(t)) = 1 THEN s3t_cast_dec(t::BOOLEAN)
    ELSE s3t_cast_error(s3t_kind_name(t), 'DECIMAL') END)[1];

CREATE OR REPLACE MACRO s3t_jcast_ts(v) AS list_transform([v::VARCHAR], lambda t: CASE
    WHEN t IS NULL OR t = 'null' THEN NULL
    WHEN ascii(t) = 34 THEN s3_cast_timestamp(s3t_tstr(t))
    ELSE s3t_cast_error(s3t_kind_name(t), 'TIMESTAMP') END)[1];

-- ===== Rendering =====

-- Decimal text without trailing fraction zeros (1.500 → 1.5, 2.000 → 2).
CREATE OR REPLACE MACRO s3t_dec_trim(s) AS
  list_transform([s], lambda t: CASE WHEN contains(t, '.') THEN rtrim(rtrim(t, '0'), '.') ELSE t END)[1];

-- A DOUBLE standing in for a decimal: 15 significant digits, no exponent in the usual range.
CREATE OR REPLACE MACRO s3t_approx_text(d) AS list_transform([d::DOUBLE], lambda x: CASE
    WHEN x IS NULL THEN NULL
    WHEN x = 0 THEN '0'
    WHEN isnan(x) OR isinf(x) OR abs(x) < 1e-6 OR abs(x) >= 1e15 THEN s3t_float_text(x::VARCHAR)
    ELSE s3t_dec_trim(s3t_round15(x)::VARCHAR)
  END)[1];

-- A dynamic value as CSV text: strings unquoted, null empty, numbers and containers as their JSON text.
CREATE OR REPLACE MACRO s3t_jt_text(t) AS CASE WHEN ascii(t) = 34 THEN s3t_tstr(t) WHEN t = 'null' THEN NULL ELSE t END;
CREATE OR REPLACE MACRO s3t_jtext(v) AS list_transform([v::VARCHAR], lambda t: s3t_jt_text(t))[1];

-- A float as JSON output: NaN and infinities are not JSON numbers, so they are written as strings.
CREATE OR REPLACE MACRO s3t_float_json(s) AS list_transform([s3t_float_text(s)], lambda t: CASE
    WHEN t IN ('NaN', 'Infinity', '-Infinity') THEN '"' || t || '"' ELSE t END)[1];

-- BLOB as text: its UTF-8 when valid, else base64.
CREATE OR REPLACE MACRO s3t_blob_text(b) AS list_transform([b], lambda x: coalesce(TRY(decode(x)), to_base64(x)))[1];

-- CSV field quoting. q = quote, e = quote escape, d = field delimiter, r = record delimiter.
CREATE OR REPLACE MACRO s3t_csv_always(f, q, e) AS q || replace(coalesce(f, ''), q, e || q) || q;
-- s3t_csv_quoted uses f several times: give it a column, or let s3t_csv_asneeded bind an expression once.
CREATE OR REPLACE MACRO s3t_csv_quoted(f, q, e, d, r) AS CASE
    WHEN contains(f, q) OR contains(f, d) OR contains(f, r) OR contains(f, chr(10)) OR contains(f, chr(13))
      THEN q || replace(f, q, e || q) || q
    ELSE coalesce(f, '') END;
CREATE OR REPLACE MACRO s3t_csv_asneeded(f, q, e, d, r) AS list_transform([f], lambda x: s3t_csv_quoted(x, q, e, d, r))[1];

-- The values of a dynamic record for CSV output of `*`, as CSV text (see s3t_jtext): an object's member
-- values, an array's elements, a scalar as itself, nothing for MISSING. json_extract_string gives each
-- value's s3t_jtext in one pass.
CREATE OR REPLACE MACRO s3t_jtexts(v) AS list_transform([v], lambda x: CASE
    WHEN x IS NULL THEN []::VARCHAR[]
    WHEN ascii(x::VARCHAR) = 123 THEN json_extract_string(x, '$.*')
    WHEN ascii(x::VARCHAR) = 91 THEN json_extract_string(x, '$[*]')
    ELSE [s3t_jtext(x)] END)[1];

-- Members of an object as JSON text without its braces (to splice `alias.*` into an output object);
-- NULL for anything that is not a non-empty object.
CREATE OR REPLACE MACRO s3t_jmembers(v) AS list_transform([v::VARCHAR], lambda t: CASE
    WHEN ascii(t) = 123 AND t <> '{}' THEN t[2:-2] END)[1];
