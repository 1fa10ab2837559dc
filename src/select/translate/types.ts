// The static type model of translated expressions. Every S3 Select expression becomes DuckDB SQL plus
// a type family that decides how operators, functions and output rendering treat it:
//   string     VARCHAR (with `text`: an untyped CSV field, coerced to the other side's type where a
//              number, boolean or timestamp is expected)
//   int        an integer type (BIGINT after arithmetic)
//   decimal    exact DuckDB DECIMAL, or an approximation held in a DOUBLE (`dec.kind = 'approx'`)
//   float      DOUBLE / FLOAT
//   bool       BOOLEAN
//   timestamp  the S3 timestamp STRUCT(ts, off, prec) of sql/s3select.sql
//   json       a dynamic value held as DuckDB JSON: SQL NULL is MISSING, the JSON literal null is NULL
//   nested     a columnar STRUCT / LIST / MAP value (`duck` has its type)
//   null       the NULL literal; missing: the MISSING literal
import type { DuckType } from './duck-types.js';
import type { RowColumn, RowColumns } from './rows.js';

export type Family = 'string' | 'int' | 'decimal' | 'float' | 'bool' | 'timestamp' | 'json' | 'nested' | 'null' | 'missing';

export type DecimalRepr =
  /** A DuckDB DECIMAL(precision, scale); `trim` drops the trailing zeros our own casts add. */
  | { kind: 'exact'; precision: number; scale: number; trim: boolean }
  /** A DOUBLE standing in for a decimal result (AVG, decimal division): rendered rounded, without exponent. */
  | { kind: 'approx' };

export interface TExpr {
  sql: string;
  ty: Family;
  /** For typed values: SQL NULL stands for MISSING rather than NULL (CSV fields, values derived from JSON). */
  missing?: boolean;
  /** Untyped CSV text (ty = string). */
  text?: boolean;
  /**
   * CSV text known to be an int wherever it is not NULL: SQL of that BIGINT (NULL exactly where the
   * text is), so CASTs and sums need not parse the text.
   */
  intValue?: string;
  /** Integer held in a type narrower than BIGINT (widened before arithmetic). */
  narrow?: boolean;
  dec?: DecimalRepr;
  /** DuckDB type of a nested value. */
  duck?: DuckType;
  /** The value of a string, boolean or NULL literal (patterns, LIKE validation, IN lists). */
  literal?: string | boolean | null;
  /** A numeric literal (comparisons of dynamic values with it take a fast path). */
  constant?: boolean;
  /**
   * For a timestamp column or literal: the same instant as a plain DuckDB DATE / TIMESTAMP(TZ) value, so
   * comparisons between such operands stay native and can be pushed down into the Parquet reader.
   */
  instant?: string;
  /** A JSON path value read once per row, from a column (see json-views.ts). */
  row?: JsonRow;
}

/**
 * A JSON value held in a per-row column. `checked`, when set, is the value as expressions read it: the
 * column, or for rows where it is NULL the case-insensitive lookup again, which fails where the column
 * found several matching keys (AmbiguousFieldName) and is NULL otherwise.
 */
export interface JsonRow {
  cols: RowColumns;
  value: RowColumn;
  checked?: string;
  /** SQL of a BIGINT equal to the value wherever it is a number (always an int then); NULL elsewhere. */
  int?: string;
  /**
   * SQL of a DOUBLE equal to the value wherever it is a number, NULL elsewhere; numbers are the only
   * values besides null, equal DOUBLEs have equal texts, and ints are within ±2^53.
   */
  num?: string;
}

export const NULL_EXPR: TExpr = { sql: 'NULL', ty: 'null' };
export const MISSING_EXPR: TExpr = { sql: 'NULL', ty: 'missing', missing: true };

export const isNumeric = (e: TExpr) => e.ty === 'int' || e.ty === 'decimal' || e.ty === 'float';
export const isAbsent = (e: TExpr) => e.ty === 'null' || e.ty === 'missing';
/** Whether SQL NULL in `e` means MISSING. */
export const nullIsMissing = (e: TExpr) => e.ty === 'json' || e.ty === 'missing' || e.missing === true;

/** Builds a derived expression; it can be MISSING when any input can. */
export function derived(sql: string, ty: Family, inputs: readonly TExpr[], extra: Partial<TExpr> = {}): TExpr {
  const out: TExpr = { sql, ty, ...extra };
  if (ty !== 'json' && inputs.some(nullIsMissing)) out.missing = true;
  return out;
}

/** `e`'s type with new SQL: literal, instant and MISSING markers are not carried over. */
export function retyped(e: TExpr, sql: string): TExpr {
  const out: TExpr = { sql, ty: e.ty };
  if (e.dec) out.dec = e.dec;
  if (e.duck) out.duck = e.duck;
  if (e.text) out.text = true;
  if (e.narrow) out.narrow = true;
  return out;
}

/** DuckDB cast target of a family, for typing NULLs and CASE branches. */
export function sqlTypeOf(e: TExpr): string {
  switch (e.ty) {
    case 'string': return 'VARCHAR';
    case 'int': return 'BIGINT';
    case 'decimal': return e.dec?.kind === 'exact' ? `DECIMAL(${e.dec.precision}, ${e.dec.scale})` : 'DOUBLE';
    case 'float': return 'DOUBLE';
    case 'bool': return 'BOOLEAN';
    case 'timestamp': return 'STRUCT(ts TIMESTAMP, off SMALLINT, prec TINYINT)';
    case 'json': return 'JSON';
    case 'nested': return 'JSON';
    case 'null': case 'missing': return 'VARCHAR';
  }
}

/** Int literal of BIGINT type (DuckDB would pick INTEGER for small values and wrap at 2^31 in arithmetic). */
export function intSql(text: string): string {
  return `CAST(${text} AS BIGINT)`;
}
