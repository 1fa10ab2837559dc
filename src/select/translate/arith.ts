// Arithmetic (+ - * / %), unary minus/plus and `||`.
//
// Static numbers keep their family: int op int is an int (division and remainder truncate toward zero,
// as in PartiQL; overflow raises IntegerOverflow), decimals stay exact for + - % and for * while the
// precision fits 38 digits (otherwise, and for /, a DOUBLE approximation), floats are DOUBLE. Division
// by zero is an error (ExternalEvalException: Division by zero) except for floats, which give
// Infinity/NaN as Java does. CSV text and JSON values are dynamic numbers (s3t_jarith): ints while both
// sides are ints, else DOUBLE; a non-number operand makes the result MISSING.
import { S3Error } from '../../errors.js';
import type { ArithmeticOp } from '../sql/index.js';
import { asText, describeFamily, dynNumber } from './coerce.js';
import { sqlString } from './sqltext.js';
import { MISSING_EXPR, NULL_EXPR, derived, isAbsent, nullIsMissing, retyped, type DecimalRepr, type TExpr } from './types.js';

/** An int operand as BIGINT (narrow Parquet ints would otherwise overflow at their own width). */
const wide = (e: TExpr) => (e.narrow ? `CAST(${e.sql} AS BIGINT)` : e.sql);
const dbl = (e: TExpr) => `CAST(${e.sql} AS DOUBLE)`;

function precisionOf(e: TExpr): { p: number; s: number } {
  if (e.ty === 'int') return { p: 19, s: 0 };
  if (e.dec?.kind === 'exact') return { p: e.dec.precision, s: e.dec.scale };
  return { p: 38, s: 0 };
}

function isDynamic(e: TExpr): boolean {
  return e.ty === 'json' || e.ty === 'string' || e.ty === 'nested';
}

function checkOperand(e: TExpr, op: string): void {
  if (e.ty === 'bool' || e.ty === 'timestamp') {
    throw new S3Error('InvalidDataType', `The ${op} operator needs numbers, not ${describeFamily(e.ty)}`);
  }
}

export function arithmetic(op: ArithmeticOp, a: TExpr, b: TExpr): TExpr {
  checkOperand(a, op);
  checkOperand(b, op);
  if (a.ty === 'missing' || b.ty === 'missing') return MISSING_EXPR;
  if (isDynamic(a) || isDynamic(b)) {
    return { sql: `s3t_jarith(${dynNumber(a, op)}, ${dynNumber(b, op)}, ${sqlString(op)})`, ty: 'json' };
  }
  if (isAbsent(a) || isAbsent(b)) return NULL_EXPR;
  const inputs = [a, b];
  if (a.ty === 'float' || b.ty === 'float') {
    const sql = op === '%' ? `fmod(${dbl(a)}, ${dbl(b)})` : `(${dbl(a)} ${op} ${dbl(b)})`;
    return derived(sql, 'float', inputs);
  }
  if (a.ty === 'int' && b.ty === 'int') {
    const sql = op === '/' ? `s3t_idiv(${wide(a)}, ${wide(b)})` : op === '%' ? `s3t_imod(${wide(a)}, ${wide(b)})` : `(${wide(a)} ${op} ${wide(b)})`;
    return derived(sql, 'int', inputs);
  }
  // Decimals (at least one side), the other side an int or a decimal.
  const approx: DecimalRepr = { kind: 'approx' };
  if (a.dec?.kind === 'approx' || b.dec?.kind === 'approx' || op === '/') {
    const sql = op === '/' ? `s3t_ddiv(${a.sql}, ${b.sql})` : op === '%' ? `fmod(${dbl(a)}, ${dbl(b)})` : `(${dbl(a)} ${op} ${dbl(b)})`;
    return derived(sql, 'decimal', inputs, { dec: approx });
  }
  const pa = precisionOf(a);
  const pb = precisionOf(b);
  const trim = (a.dec?.kind === 'exact' && a.dec.trim) || (b.dec?.kind === 'exact' && b.dec.trim);
  if (op === '*') {
    if (pa.p + pb.p > 38) return derived(`(${dbl(a)} * ${dbl(b)})`, 'decimal', inputs, { dec: approx });
    return derived(`(${wide(a)} * ${wide(b)})`, 'decimal', inputs, { dec: { kind: 'exact', precision: pa.p + pb.p, scale: pa.s + pb.s, trim } });
  }
  const scale = Math.max(pa.s, pb.s);
  const precision = Math.min(38, Math.max(pa.p - pa.s, pb.p - pb.s) + scale + 1);
  const sql = op === '%' ? `s3t_imod(${wide(a)}, ${wide(b)})` : `(${wide(a)} ${op} ${wide(b)})`;
  return derived(sql, 'decimal', inputs, { dec: { kind: 'exact', precision, scale, trim } });
}

export function negate(a: TExpr): TExpr {
  checkOperand(a, 'unary -');
  if (isAbsent(a)) return a;
  if (isDynamic(a)) return { sql: `s3t_jneg(${dynNumber(a, 'unary -')})`, ty: 'json' };
  const out = retyped(a, `(- ${a.ty === 'int' ? wide(a) : a.sql})`);
  delete out.narrow;
  if (nullIsMissing(a)) out.missing = true;
  return out;
}

export function plus(a: TExpr): TExpr {
  checkOperand(a, 'unary +');
  if (a.ty === 'string') return { sql: dynNumber(a, 'unary +'), ty: 'json' };
  return a;
}

/** `a || b` on the values' text (an extension; PartiQL only concatenates strings). */
export function concat(a: TExpr, b: TExpr): TExpr {
  const ta = asText(a);
  const tb = asText(b);
  return derived(`(${ta.sql} || ${tb.sql})`, 'string', [a, b]);
}
