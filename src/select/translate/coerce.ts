// Conversions between type families, for operators, function arguments, CAST AS STRING and output.
import { S3Error } from '../../errors.js';
import { classifyScalar, type DuckType } from './duck-types.js';
import { BOOL, jsonView, STR, TEXT } from './json-views.js';
import { columnarValue } from './paths.js';
import { sqlString } from './sqltext.js';
import { derived, isAbsent, isNumeric, nullIsMissing, sqlTypeOf, type Family, type TExpr } from './types.js';

function typeError(what: string, e: TExpr): S3Error {
  return new S3Error('IncorrectSqlFunctionArgumentType', `${what} does not accept a value of type ${describeFamily(e.ty)}`);
}

export function describeFamily(f: Family): string {
  return f === 'nested' ? 'struct/list' : f === 'json' ? 'any' : f.toUpperCase();
}

/** The value as text, with CAST(… AS STRING) semantics (NULL stays NULL). Also the CSV output form. */
export function textOf(e: TExpr): string {
  switch (e.ty) {
    case 'string': return e.sql;
    case 'int': return `CAST(${e.sql} AS VARCHAR)`;
    case 'decimal':
      if (e.dec?.kind === 'approx') return `s3t_approx_text(${e.sql})`;
      return e.dec?.trim ? `s3t_dec_trim(CAST(${e.sql} AS VARCHAR))` : `CAST(${e.sql} AS VARCHAR)`;
    case 'float': return `s3t_float_text(CAST(${e.sql} AS VARCHAR))`;
    case 'bool': return `CAST(${e.sql} AS VARCHAR)`;
    case 'timestamp': return tsText(e);
    case 'json': return jsonView(e, TEXT);
    case 'nested': return `CAST(${nestedJson(e)} AS VARCHAR)`;
    case 'null': case 'missing': return 'CAST(NULL AS VARCHAR)';
  }
}

/**
 * Scalar families whose to_json text is already S3's rendering. (Floats are re-serialized by DuckDB's
 * JSON writer once inside a JSON value whatever we give it, so they need no conversion either.)
 */
const TO_JSON_FAMILIES = new Set(['int', 'decimal', 'float', 'bool', 'string', 'json', 'text-cast']);

function toJsonRenders(t: DuckType): boolean {
  switch (t.kind) {
    case 'scalar': return TO_JSON_FAMILIES.has(classifyScalar(t).family);
    case 'struct': return t.fields.every((f) => toJsonRenders(f.type));
    case 'list': return toJsonRenders(t.element);
    case 'map': return toJsonRenders(t.value);
    case 'other': return true;
  }
}

/**
 * JSON of a nested columnar value (SQL NULL for NULL), its timestamps in Ion text and binary values as
 * text, as they render on their own; to_json alone would print DuckDB's forms (`2020-01-01 00:00:00`).
 */
export function nestedJson(e: TExpr): string {
  return e.duck ? nestedJsonOf(e.sql, e.duck, 0) : `to_json(${e.sql})`;
}

function nestedJsonOf(sql: string, t: DuckType, depth: number): string {
  if (toJsonRenders(t)) return `to_json(${sql})`;
  switch (t.kind) {
    case 'scalar': return toJson(columnarValue(sql, t));
    case 'struct': {
      const members = t.fields.map((f) => `${sqlString(f.name)}, ${nestedJsonOf(`struct_extract(${sql}, ${sqlString(f.name)})`, f.type, depth)}`);
      return `CASE WHEN ${sql} IS NOT NULL THEN json_object(${members.join(', ')}) END`;
    }
    case 'list': {
      const x = `s3_x${depth}`;
      return `to_json(list_transform(${sql}, lambda ${x}: ${nestedJsonOf(x, t.element, depth + 1)}))`;
    }
    case 'map': {
      const x = `s3_x${depth}`;
      const entry = `struct_pack(key := ${x}.key, value := ${nestedJsonOf(`${x}.value`, t.value, depth + 1)})`;
      return `to_json(map_from_entries(list_transform(map_entries(${sql}), lambda ${x}: ${entry})))`;
    }
    case 'other': return `to_json(${sql})`;
  }
}

export function asText(e: TExpr): TExpr {
  return derived(textOf(e), 'string', [e]);
}

/** A string argument (string functions, LIKE): JSON strings are unwrapped, other JSON values are MISSING. */
export function asString(e: TExpr, what: string): string {
  switch (e.ty) {
    case 'string': return e.sql;
    case 'json': return jsonView(e, STR);
    case 'null': case 'missing': return 'CAST(NULL AS VARCHAR)';
    default: throw typeError(what, e);
  }
}

/** A condition (WHERE, HAVING, AND/OR/NOT, CASE WHEN). */
export function asBool(e: TExpr, what = 'A condition'): string {
  switch (e.ty) {
    case 'bool': return e.sql;
    case 'json': return jsonView(e, BOOL);
    case 'string': if (e.text) return `s3t_text_bool(${e.sql})`; break;
    case 'null': case 'missing': return 'CAST(NULL AS BOOLEAN)';
    default: break;
  }
  throw new S3Error('InvalidDataType', `${what} must be a boolean, not ${describeFamily(e.ty)}`);
}

/** An INT argument (SUBSTRING, DATE_ADD), converted with CAST rules. */
export function asInt(e: TExpr, what: string): string {
  switch (e.ty) {
    case 'int': return e.sql;
    case 'string': return `s3_cast_int_text(${e.sql})`;
    case 'decimal': case 'float': case 'bool': return `s3_cast_int(${e.sql})`;
    case 'json': return `s3t_jcast_int(${e.sql})`;
    case 'null': case 'missing': return 'CAST(NULL AS BIGINT)';
    default: throw typeError(what, e);
  }
}

/** A timestamp argument; strings are read as Ion timestamps (CastFailed when they are not). */
export function asTimestamp(e: TExpr, what: string): string {
  switch (e.ty) {
    case 'timestamp': return e.sql;
    case 'string': return `s3_cast_timestamp(${e.sql})`;
    case 'json': return `s3t_jcast_ts(${e.sql})`;
    case 'null': case 'missing': return `CAST(NULL AS ${sqlTypeOf({ sql: 'NULL', ty: 'timestamp' })})`;
    default: throw typeError(what, e);
  }
}

/** Any value as a dynamic JSON value (NULL for MISSING, the JSON null for NULL). */
export function toJson(e: TExpr): string {
  let sql: string;
  switch (e.ty) {
    case 'json': return e.sql;
    case 'missing': return 'CAST(NULL AS JSON)';
    case 'null': return `CAST('null' AS JSON)`;
    case 'float': sql = `s3t_fjson(${e.sql})`; break;
    // An exact decimal's own text is a JSON number (to_json would print the DECIMAL's padding zeros).
    case 'decimal': sql = e.dec?.kind === 'exact' ? `CAST(${textOf(e)} AS JSON)` : `s3t_fjson(${e.sql})`; break;
    case 'timestamp': sql = `to_json(${tsText(e)})`; break;
    case 'nested': sql = nestedJson(e); break;
    default: sql = `to_json(${e.sql})`;
  }
  return nullIsMissing(e) ? sql : `coalesce(${sql}, CAST('null' AS JSON))`;
}

/** A number for dynamic arithmetic and aggregates: a JSON number, or MISSING when there is none. */
export function dynNumber(e: TExpr, what: string): string {
  if (e.ty === 'string') return `s3t_text_num(${e.sql})`;
  if (e.ty === 'json' || e.ty === 'nested' || isNumeric(e) || isAbsent(e)) return toJson(e);
  throw new S3Error('InvalidDataType', `${what} needs numbers, not ${describeFamily(e.ty)}`);
}

/** Unifies the result values of CASE / COALESCE: one family when they agree, else dynamic JSON. */
export function unify(values: readonly TExpr[]): { ty: Family; sql: string[]; extra: Partial<TExpr> } {
  const present = values.filter((v) => !isAbsent(v));
  const fams = new Set(present.map((v) => v.ty));
  let ty: Family;
  if (present.length === 0) ty = values.some((v) => v.ty === 'null') ? 'null' : 'missing';
  else if (fams.size === 1) ty = present[0]!.ty;
  else if ([...fams].every((f) => f === 'int' || f === 'decimal' || f === 'float')) ty = fams.has('float') ? 'float' : 'decimal';
  else ty = 'json';
  if (ty === 'nested' && new Set(present.map((v) => JSON.stringify(v.duck))).size > 1) ty = 'json';

  const extra: Partial<TExpr> = {};
  if (ty === 'decimal') {
    const approx = present.some((v) => v.ty === 'decimal' && v.dec?.kind === 'approx');
    const scale = Math.max(0, ...present.map((v) => (v.dec?.kind === 'exact' ? v.dec.scale : 0)));
    extra.dec = approx ? { kind: 'approx' } : { kind: 'exact', precision: 38, scale, trim: present.some((v) => v.dec?.kind === 'exact' && v.dec.trim) };
  }
  if (ty === 'string' && present.every((v) => v.text)) extra.text = true;
  if (ty === 'nested') extra.duck = present[0]!.duck!;
  const sql = values.map((v) => {
    if (ty === 'json') return toJson(v);
    if (v.ty === 'null' || v.ty === 'missing') return 'NULL';
    if (ty === 'float' || (ty === 'decimal' && extra.dec?.kind === 'approx')) return `CAST(${v.sql} AS DOUBLE)`;
    return v.sql;
  });
  return { ty, sql, extra };
}

/** Ion text of a timestamp; a column read as-is (DATE, TIMESTAMP[TZ]) takes the lambda-free macro. */
export function tsText(e: TExpr): string {
  if (e.instant !== undefined && e.sql === `s3_ts_of(${e.instant})`) return `s3_ts_text_of(${e.instant})`;
  return `s3_ts_text(${e.sql})`;
}
