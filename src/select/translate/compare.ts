// Comparisons, IN, BETWEEN and LIKE.
//
// Type rules (PartiQL, with S3 Select's treatment of untyped CSV text):
// - NULL or MISSING on either side gives NULL.
// - Values of different kinds are not equal: `=` is false, `<>` true, and ordering comparisons NULL.
// - CSV text meets a number: the text is read as a number (text that is not a finite number makes the
//   comparison NULL, so the row does not match). CSV text meets a boolean: 'true'/'false' in any case.
// - Any string meeting a timestamp is read as an Ion timestamp (NULL when it is not one): JSON and CSV
//   have no timestamp type, so this is how their values can be compared with timestamp literals.
// - Dynamic (JSON) values are compared by their kind at run time (s3t_jeq / s3t_jcmp).
import { S3Error } from '../../errors.js';
import type { ComparisonOp } from '../sql/index.js';
import { asString, toJson } from './coerce.js';
import { BOOL, eqNum, eqText, inText, jsonView, NUM, STR, type JsonView } from './json-views.js';
import { sqlString } from './sqltext.js';
import { isAbsent, isNumeric, type TExpr } from './types.js';

type Op = '=' | '<>' | '<' | '>' | '<=' | '>=';

const tsOf = (sql: string) => `struct_extract(${sql}, 'ts')`;

/** SQL (BOOLEAN) of `a op b`. */
export function compare(op: ComparisonOp, a: TExpr, b: TExpr): string {
  const o: Op = op === '!=' ? '<>' : op;
  if (isAbsent(a) || isAbsent(b)) return 'CAST(NULL AS BOOLEAN)';
  if (a.instant && b.instant) return `(${a.instant} ${o} ${b.instant})`;
  if (a.ty === 'timestamp' || b.ty === 'timestamp') {
    const ta = timestampSide(a);
    const tb = timestampSide(b);
    if (ta && tb) return `(${tsOf(ta)} ${o} ${tsOf(tb)})`;
    return mismatch(o, a, b);
  }
  if (a.ty === 'json' || b.ty === 'json' || a.ty === 'nested' || b.ty === 'nested') {
    const fast = a.ty === 'json' ? withConstant(o, a, b, false) : b.ty === 'json' ? withConstant(o, b, a, true) : undefined;
    if (fast) return fast;
    const ja = toJson(a);
    const jb = toJson(b);
    if (o === '=') return `s3t_jeq(${ja}, ${jb})`;
    if (o === '<>') return `(NOT s3t_jeq(${ja}, ${jb}))`;
    return `(s3t_jcmp(${ja}, ${jb}) ${o} 0)`;
  }
  if (a.text && isNumeric(b)) return `(s3t_tnum(${a.sql}) ${o} ${b.sql})`;
  if (b.text && isNumeric(a)) return `(${a.sql} ${o} s3t_tnum(${b.sql}))`;
  if (a.text && b.ty === 'bool') return `(s3t_text_bool(${a.sql}) ${o} ${b.sql})`;
  if (b.text && a.ty === 'bool') return `(${a.sql} ${o} s3t_text_bool(${b.sql}))`;
  const same = a.ty === b.ty || (isNumeric(a) && isNumeric(b));
  return same ? `(${a.sql} ${o} ${b.sql})` : mismatch(o, a, b);
}

const FLIP: Record<Op, Op> = { '=': '=', '<>': '<>', '<': '>', '>': '<', '<=': '>=', '>=': '<=' };

/**
 * A dynamic value `j` compared with a literal `c` (on the left when `flipped`), without converting the
 * literal to JSON per row: equality on the value's text, ordering on its typed value (NULL when the kinds
 * differ, as ordering across kinds is).
 */
function withConstant(op: Op, j: TExpr, c: TExpr, flipped: boolean): string | undefined {
  const o = flipped ? FLIP[op] : op;
  let eq: JsonView;
  let typed: JsonView;
  if (typeof c.literal === 'string' || typeof c.literal === 'boolean') {
    eq = eqText(`CAST(to_json(${c.sql}) AS VARCHAR)`);
    typed = typeof c.literal === 'string' ? STR : BOOL;
  } else if (c.constant && isNumeric(c)) {
    eq = eqNum(c.sql);
    typed = NUM;
  } else {
    return undefined;
  }
  if (o === '=') return jsonView(j, eq);
  if (o === '<>') return `(NOT ${jsonView(j, eq)})`;
  // An int key column orders exactly against an int constant (and lets the scan filter on it).
  if (typed === NUM && j.row?.int && c.ty === 'int') return `(${j.row.int} ${o} ${c.sql})`;
  return `(${jsonView(j, typed)} ${o} ${c.sql})`;
}

/** A timestamp operand, or a string read as one; undefined for other kinds. */
function timestampSide(e: TExpr): string | undefined {
  if (e.ty === 'timestamp') return e.sql;
  if (e.ty === 'string') return `s3t_try_ts(${e.sql})`;
  if (e.ty === 'json') return `s3t_try_ts(${jsonView(e, STR)})`;
  return undefined;
}

/** Values of different kinds: never equal, never ordered; NULL when either is absent. */
function mismatch(o: Op, a: TExpr, b: TExpr): string {
  const result = o === '=' ? 'false' : o === '<>' ? 'true' : 'NULL';
  return `CASE WHEN (${a.sql}) IS NULL OR (${b.sql}) IS NULL THEN NULL ELSE CAST(${result} AS BOOLEAN) END`;
}

/** `x IN (…)`: equality with each item, ORed (three-valued); one native IN when the types agree. */
export function inList(x: TExpr, items: readonly TExpr[], negated: boolean): string {
  if (x.ty === 'json' && items.length > 0 && items.every((i) => typeof i.literal === 'string' || typeof i.literal === 'boolean')) {
    const texts = items.map((i) => `CAST(to_json(${i.sql}) AS VARCHAR)`).join(', ');
    const body = jsonView(x, inText(`[${texts}]`));
    return negated ? `(NOT ${body})` : body;
  }
  const literalsAlike = items.every((i) => i.literal !== undefined && i.literal !== null && (
    (x.ty === 'string' && i.ty === 'string') || (isNumeric(x) && !x.text && isNumeric(i))));
  const body = literalsAlike && items.length > 0
    ? `(${x.sql} IN (${items.map((i) => i.sql).join(', ')}))`
    : items.length === 0 ? 'false' : `(${items.map((i) => compare('=', x, i)).join(' OR ')})`;
  return negated ? `(NOT ${body})` : body;
}

export function between(x: TExpr, low: TExpr, high: TExpr, negated: boolean): string {
  const body = `(${compare('>=', x, low)} AND ${compare('<=', x, high)})`;
  return negated ? `(NOT ${body})` : body;
}

/**
 * Checks a literal LIKE pattern the way PartiQL does: the escape character may only precede `%`, `_`
 * or itself, and may not end the pattern.
 */
export function checkLikePattern(pattern: string, escape: string): void {
  const chars = [...pattern];
  for (let i = 0; i < chars.length; i++) {
    if (chars[i] !== escape) continue;
    const next = chars[i + 1];
    if (next !== '%' && next !== '_' && next !== escape) {
      throw new S3Error('EvaluatorLikePatternInvalidEscapeSequence', `Invalid escape sequence at position ${i + 1} of the LIKE pattern`);
    }
    i++;
  }
}

export function like(x: TExpr, pattern: TExpr, escape: TExpr | undefined, negated: boolean): string {
  const v = asString(x, 'LIKE');
  const p = asString(pattern, 'LIKE');
  let body: string;
  if (!escape) {
    body = `(${v} LIKE ${p})`;
  } else {
    const e = asString(escape, 'LIKE … ESCAPE');
    if (typeof escape.literal === 'string') {
      if ([...escape.literal].length !== 1) throw new S3Error('LikeInvalidInputs', 'The ESCAPE value must be exactly one character');
      if (typeof pattern.literal === 'string') checkLikePattern(pattern.literal, escape.literal);
    }
    body = typeof pattern.literal === 'string' && typeof escape.literal === 'string'
      ? `(${v} LIKE ${p} ESCAPE ${sqlString(escape.literal)})`
      : `s3_like(${v}, ${p}, ${e})`;
  }
  return negated ? `(NOT ${body})` : body;
}
