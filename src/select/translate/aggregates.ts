// Aggregate functions. NULL and MISSING are skipped; over no rows COUNT is 0 and the others are NULL.
// Result types follow AWS: SUM of ints is an INT (HUGEINT sums are checked back into int64), SUM/AVG
// of floats a FLOAT, AVG of ints or decimals a decimal. CSV text and JSON values are dynamic: their
// numbers are summed as ints while every one is an int, else as DOUBLEs rounded to 15 significant
// digits (S3 reads JSON and CSV fractions as exact decimals, so binary noise such as
// 0.30000000000000004 would be wrong). MIN/MAX of CSV text compare its numbers; MIN/MAX of JSON values
// use PartiQL's order across kinds.
import type { AggregateExpr } from '../sql/index.js';
import { dynNumber, toJson } from './coerce.js';
import type { Sub } from './functions.js';
import { INT, IS_INT, jsonView, KIND, NUM, SORT_TEXT } from './json-views.js';
import { retyped, type TExpr } from './types.js';

const JSON_NULL = `CAST('null' AS JSON)`;

export function aggregate(e: AggregateExpr, sub: Sub): TExpr {
  if (e.arg === null) return { sql: 'count(*)', ty: 'int' };
  const v = sub(e.arg);
  switch (e.fn) {
    case 'COUNT':
      // A JSON key whose numbers are all ints (and null or MISSING its other values): count its BIGINTs.
      if (v.ty === 'json' && v.row?.int) return { sql: `count(${v.row.int})`, ty: 'int' };
      if (v.ty === 'json') return { sql: `count(nullif(CAST(${v.sql} AS VARCHAR), 'null'))`, ty: 'int' };
      if (v.ty === 'null' || v.ty === 'missing') return { sql: 'CAST(0 AS BIGINT)', ty: 'int' };
      return { sql: `count(${v.sql})`, ty: 'int' };
    case 'SUM':
      if (v.ty === 'int') return { sql: `s3t_int_checked(sum(${v.sql}))`, ty: 'int' };
      if (v.ty === 'float') return { sql: `sum(${v.sql})`, ty: 'float' };
      if (v.ty === 'decimal' && v.dec?.kind === 'exact') {
        return { sql: `sum(${v.sql})`, ty: 'decimal', dec: { kind: 'exact', precision: 38, scale: v.dec.scale, trim: v.dec.trim } };
      }
      if (v.ty === 'decimal') return { sql: `s3t_round15(sum(${v.sql}))`, ty: 'decimal', dec: { kind: 'approx' } };
      if (v.ty === 'json' && v.row?.int) {
        // dynamicSum when every number is an int: the int sum, or null when there is none.
        return { sql: `CASE WHEN count(${v.row.int}) = 0 THEN ${JSON_NULL} ELSE to_json(s3t_int_checked(sum(CAST(${v.row.int} AS HUGEINT)))) END`, ty: 'json' };
      }
      return dynamicSum(numberView(v));
    case 'AVG':
      if (v.ty === 'float') return { sql: `avg(${v.sql})`, ty: 'float' };
      if (v.ty === 'int' || v.ty === 'decimal') return { sql: `avg(${v.sql})`, ty: 'decimal', dec: { kind: 'approx' } };
      return { sql: `s3t_round15(avg(${numberView(v).num}))`, ty: 'decimal', dec: { kind: 'approx' } };
    case 'MIN':
    case 'MAX':
      return extreme(e.fn, v);
  }
}

/**
 * A dynamic argument seen as numbers: the value as a DOUBLE (NULL when not a number), whether it is an
 * int, and its int value (where it is one). Built on demand: JSON views become per-row columns.
 */
interface NumberView { readonly num: string; readonly isInt: string; readonly int: string }

function numberView(v: TExpr): NumberView {
  if (v.ty === 'string') {
    return { num: `s3t_tnum(${v.sql})`, isInt: `s3t_tisint(${v.sql})`, int: `TRY_CAST(trim(${v.sql}) AS HUGEINT)` };
  }
  const d: TExpr = v.ty === 'json' ? v : { sql: dynNumber(v, 'An aggregate'), ty: 'json' };
  return {
    get num() { return jsonView(d, NUM); },
    get isInt() { return jsonView(d, IS_INT); },
    get int() { return jsonView(d, INT); },
  };
}

function dynamicSum(n: NumberView): TExpr {
  const sql = `CASE WHEN count(${n.num}) = 0 THEN ${JSON_NULL} ` +
    `WHEN count(${n.num}) = count(CASE WHEN ${n.isInt} THEN ${n.num} END) ` +
    `THEN to_json(s3t_int_checked(sum(CASE WHEN ${n.isInt} THEN ${n.int} END))) ` +
    `ELSE s3t_fjson(s3t_round15(sum(${n.num}))) END`;
  return { sql, ty: 'json' };
}

function extreme(fn: 'MIN' | 'MAX', v: TExpr): TExpr {
  const pick = fn === 'MIN' ? 'arg_min' : 'arg_max';
  if (v.ty === 'string' && v.text) {
    // CSV text: the extreme number (AWS defines MIN/MAX for numbers), an int when that value is one.
    const n = numberView(v);
    const best = `${pick}(struct_pack(d := ${n.num}, i := ${n.isInt}, h := ${n.int}), ${n.num})`;
    return { sql: `coalesce(list_transform([${best}], lambda r: CASE WHEN r.i THEN to_json(r.h) ELSE s3t_fjson(r.d) END)[1], ${JSON_NULL})`, ty: 'json' };
  }
  if (v.ty === 'json' && v.row?.int) {
    // Every number is an int whose text is its BIGINT's, and null or MISSING the only other values.
    return { sql: `coalesce(to_json(${fn.toLowerCase()}(${v.row.int})), ${JSON_NULL})`, ty: 'json' };
  }
  if (v.ty === 'json' && v.row?.num) {
    // Every value is a number, null or MISSING, and equal numbers have equal texts: the extreme DOUBLE's.
    return { sql: `coalesce(${pick}(${v.sql}, ${v.row.num}), ${JSON_NULL})`, ty: 'json' };
  }
  if (v.ty === 'json' || v.ty === 'nested') {
    const j = toJson(v);
    const d: TExpr = v.ty === 'json' ? v : { sql: j, ty: 'json' };
    const kind = jsonView(d, KIND);
    const key = `CASE WHEN ${kind} > 0 THEN struct_pack(k := ${kind}, n := ${jsonView(d, NUM)}, s := ${jsonView(d, SORT_TEXT)}) END`;
    return { sql: `coalesce(${pick}(${j}, ${key}), ${JSON_NULL})`, ty: 'json' };
  }
  if (v.ty === 'null' || v.ty === 'missing') return { sql: 'NULL', ty: 'null' };
  return retyped(v, `${fn.toLowerCase()}(${v.sql})`);
}
