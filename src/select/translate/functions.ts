// CAST and the scalar functions. Conversions follow PartiQL's CAST rules through the s3_cast_* macros
// of sql/s3select.sql (bad input raises CastFailed at run time); date functions and string functions
// use that file's macros; TO_STRING / TO_TIMESTAMP patterns are compiled by src/duckdb/ts-pattern.ts.
import { compileParse, compileToString } from '../../duckdb/ts-pattern.js';
import { S3Error } from '../../errors.js';
import type { CallExpr, CastExpr, DateAddExpr, DateDiffExpr, Expr, ExtractExpr, SubstringExpr, TrimExpr, TypeFamily } from '../sql/index.js';
import { asInt, asString, asText, asTimestamp, describeFamily, toJson, unify } from './coerce.js';
import { compare } from './compare.js';
import { sqlString } from './sqltext.js';
import { derived, isAbsent, retyped, sqlTypeOf, type TExpr } from './types.js';

/** Translates a sub-expression (supplied by the expression translator). */
export type Sub = (e: Expr) => TExpr;

function invalidCast(from: TExpr, to: TypeFamily): S3Error {
  return new S3Error('InvalidCast', `Cannot CAST a ${describeFamily(from.ty)} value to ${to.toUpperCase()}`);
}

export function castTo(v: TExpr, to: TypeFamily): TExpr {
  const out = (sql: string, extra: Partial<TExpr> = {}) => derived(sql, to, [v], extra);
  if (isAbsent(v)) {
    return { sql: `CAST(NULL AS ${sqlTypeOf({ sql: 'NULL', ty: to })})`, ty: to, missing: v.ty === 'missing' };
  }
  const j = v.ty === 'json';
  // Text with an int beside it (see TExpr.intValue) converts as that int does: CAST('12' AS FLOAT) is 12.0.
  if (v.ty === 'string' && v.intValue && (to === 'int' || to === 'float')) {
    return castTo({ sql: v.intValue, ty: 'int', ...(v.missing ? { missing: true } : {}) }, to);
  }
  switch (to) {
    case 'string':
      return asText(v);
    case 'bool':
      if (v.ty === 'bool') return v;
      if (j) return out(`s3t_jcast_bool(${v.sql})`);
      if (v.ty === 'string') return out(`s3_cast_bool(${v.sql})`);
      if (v.ty === 'int' || v.ty === 'decimal' || v.ty === 'float') return out(`(${v.sql} <> 0)`);
      throw invalidCast(v, to);
    case 'int':
      if (v.ty === 'int') return v;
      if (j) return out(`s3t_jcast_int(${v.sql})`);
      if (v.ty === 'string') return out(`s3_cast_int_text(${v.sql})`);
      if (v.ty === 'decimal' || v.ty === 'float' || v.ty === 'bool') return out(`s3_cast_int(${v.sql})`);
      throw invalidCast(v, to);
    case 'float':
      if (v.ty === 'float') return v;
      if (j) return out(`s3t_jcast_float(${v.sql})`);
      if (v.ty === 'int' || v.ty === 'decimal') return out(`CAST(${v.sql} AS DOUBLE)`);
      if (v.ty === 'string') return out(`s3_cast_float_text(${v.sql})`);
      if (v.ty === 'bool') return out(`s3_cast_float(${v.sql})`);
      throw invalidCast(v, to);
    case 'decimal':
      if (v.ty === 'decimal') return v;
      if (v.ty === 'int') return out(`CAST(${v.sql} AS DECIMAL(38, 0))`, { dec: { kind: 'exact', precision: 38, scale: 0, trim: false } });
      if (j) return out(`s3t_jcast_dec(${v.sql})`, { dec: { kind: 'exact', precision: 38, scale: 10, trim: true } });
      if (v.ty === 'string' || v.ty === 'float' || v.ty === 'bool') {
        return out(`s3t_cast_dec(${v.sql})`, { dec: { kind: 'exact', precision: 38, scale: 10, trim: true } });
      }
      throw invalidCast(v, to);
    case 'timestamp':
      if (v.ty === 'timestamp') return v;
      if (j) return out(`s3t_jcast_ts(${v.sql})`);
      if (v.ty === 'string') return out(`s3_cast_timestamp(${v.sql})`);
      throw invalidCast(v, to);
  }
}

export function cast(e: CastExpr, sub: Sub): TExpr {
  return castTo(sub(e.operand), e.type.family);
}

function patternOf(e: TExpr, fn: string): string {
  if (typeof e.literal !== 'string') {
    throw new S3Error('IllegalSqlFunctionArgument', `The pattern of ${fn} must be a string literal`);
  }
  return e.literal;
}

export function call(e: CallExpr, sub: Sub): TExpr {
  const args = e.args.map(sub);
  const [a, b] = args as [TExpr, TExpr];
  switch (e.fn) {
    case 'CHAR_LENGTH': return derived(`length(${asString(a, e.fn)})`, 'int', args);
    case 'LOWER': return derived(`lower(${asString(a, e.fn)})`, 'string', args);
    case 'UPPER': return derived(`upper(${asString(a, e.fn)})`, 'string', args);
    case 'COALESCE': return coalesce(args);
    case 'NULLIF': return nullif(a, b);
    case 'UTCNOW': return { sql: 's3_utcnow()', ty: 'timestamp' };
    case 'TO_STRING': {
      const render = compileToString(patternOf(b, 'TO_STRING'));
      return derived(render(asTimestamp(a, e.fn)), 'string', [a]);
    }
    case 'TO_TIMESTAMP': {
      if (args.length === 1) {
        if (a.ty === 'timestamp') return a;
        return derived(`s3_to_timestamp(${asString(a, e.fn)})`, 'timestamp', [a]);
      }
      const parse = compileParse(patternOf(b, 'TO_TIMESTAMP'));
      return derived(parse(asString(a, e.fn)), 'timestamp', [a]);
    }
  }
}

/** First argument that is neither NULL nor MISSING; NULL when there is none. */
function coalesce(args: TExpr[]): TExpr {
  const u = unify(args);
  if (u.ty === 'json') {
    return { sql: `coalesce(${u.sql.map((s) => `s3t_jnn(${s})`).join(', ')}, CAST('null' AS JSON))`, ty: 'json' };
  }
  if (u.ty === 'null' || u.ty === 'missing') return { sql: 'NULL', ty: 'null' };
  return { sql: `coalesce(${u.sql.join(', ')})`, ty: u.ty, ...u.extra };
}

/** NULL when a equals b (compared as `=` does), else a; NULL/MISSING a gives NULL. */
function nullif(a: TExpr, b: TExpr): TExpr {
  if (isAbsent(a)) return { sql: 'NULL', ty: 'null' };
  const eq = compare('=', a, b);
  if (a.ty === 'json') {
    return { sql: `CASE WHEN coalesce(${eq}, false) THEN CAST('null' AS JSON) ELSE coalesce(${toJson(a)}, CAST('null' AS JSON)) END`, ty: 'json' };
  }
  return retyped(a, `CASE WHEN coalesce(${eq}, false) THEN NULL ELSE ${a.sql} END`);
}

export function substring(e: SubstringExpr, sub: Sub): TExpr {
  const s = sub(e.operand);
  const start = sub(e.start);
  const args = [asString(s, 'SUBSTRING'), asInt(start, 'SUBSTRING')];
  const inputs = [s, start];
  if (e.length) {
    const len = sub(e.length);
    args.push(asInt(len, 'SUBSTRING'));
    inputs.push(len);
  }
  return derived(`s3_substring(${args.join(', ')})`, 'string', inputs);
}

export function trim(e: TrimExpr, sub: Sub): TExpr {
  const s = sub(e.operand);
  const args = [asString(s, 'TRIM'), sqlString(e.spec)];
  const inputs = [s];
  if (e.chars) {
    const chars = sub(e.chars);
    args.push(asString(chars, 'TRIM'));
    inputs.push(chars);
  }
  return derived(`s3_trim(${args.join(', ')})`, 'string', inputs);
}

export function extract(e: ExtractExpr, sub: Sub): TExpr {
  const t = sub(e.operand);
  return derived(`s3_extract(${sqlString(e.part.toLowerCase())}, ${asTimestamp(t, 'EXTRACT')})`, 'int', [t]);
}

export function dateAdd(e: DateAddExpr, sub: Sub): TExpr {
  const q = sub(e.quantity);
  const t = sub(e.timestamp);
  return derived(`s3_date_add(${sqlString(e.part.toLowerCase())}, ${asInt(q, 'DATE_ADD')}, ${asTimestamp(t, 'DATE_ADD')})`, 'timestamp', [q, t]);
}

export function dateDiff(e: DateDiffExpr, sub: Sub): TExpr {
  const a = sub(e.from);
  const b = sub(e.to);
  return derived(`s3_date_diff(${sqlString(e.part.toLowerCase())}, ${asTimestamp(a, 'DATE_DIFF')}, ${asTimestamp(b, 'DATE_DIFF')})`, 'int', [a, b]);
}
