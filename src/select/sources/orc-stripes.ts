// Stripe skipping for ORC: from the WHERE clause, a test on a stripe's column statistics that is false
// only when no row of the stripe can satisfy the clause. Only conditions whose outcome the statistics
// decide exactly are used — a top-level column compared with a literal of its own kind:
//   integer columns with integer literals (exact, as BigInt), floating-point columns with integer
//   literals within ±2^53 (=, <, <= only: DuckDB orders NaN above every number, so > and >= could match
//   NaN values the statistics leave out), text columns with string literals (UTF-8 byte order, as DuckDB
//   compares VARCHAR);
//   combined with AND, OR, BETWEEN and IN. Anything else counts as "may match".
// A comparison with NULL never holds, so a stripe whose column holds only nulls cannot match either.
import type { ColumnStats } from '../../formats/orc/index.js';
import { analyze, parseSql, type Expr, type PathExpr, type ResolvedRef } from '../sql/index.js';
import type { StripeFilter } from './binary-decode.js';

type Kind = 'int' | 'float' | 'string';
type Op = '=' | '<' | '>' | '<=' | '>=';
/** May a stripe with these statistics hold a matching row? */
type MayMatch = (stats: Record<string, ColumnStats>) => boolean;

const FLIP: Record<Op, Op> = { '=': '=', '<': '>', '>': '<', '<=': '>=', '>=': '<=' };
const MAX_EXACT = 2n ** 53n;

function kindOf(duckType: string): Kind | undefined {
  const t = duckType.toUpperCase();
  if (['TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT'].includes(t)) return 'int';
  if (t === 'FLOAT' || t === 'DOUBLE') return 'float';
  if (t === 'VARCHAR') return 'string';
  return undefined;
}

type Literal = { kind: 'int'; value: bigint } | { kind: 'string'; value: string };

function literalOf(e: Expr): Literal | undefined {
  if (e.kind === 'int') return { kind: 'int', value: BigInt(e.text) };
  if (e.kind === 'string') return { kind: 'string', value: e.value };
  if (e.kind === 'unary' && e.op === '-' && e.operand.kind === 'int') return { kind: 'int', value: -BigInt(e.operand.text) };
  return undefined;
}

/** -1, 0 or 1 for a stats bound against the literal, or undefined when they are not comparable exactly. */
function order(bound: ColumnStats['min'], lit: Literal, kind: Kind): number | undefined {
  if (kind === 'string' && lit.kind === 'string' && typeof bound === 'string') {
    return Math.sign(Buffer.compare(Buffer.from(bound, 'utf8'), Buffer.from(lit.value, 'utf8')));
  }
  if (lit.kind !== 'int') return undefined;
  if (kind === 'int' && typeof bound === 'bigint') return bound < lit.value ? -1 : bound > lit.value ? 1 : 0;
  if (kind === 'float' && typeof bound === 'number' && lit.value <= MAX_EXACT && lit.value >= -MAX_EXACT) {
    const v = Number(lit.value);
    return bound < v ? -1 : bound > v ? 1 : 0;
  }
  return undefined;
}

function comparison(column: string, kind: Kind, op: Op, lit: Literal): MayMatch | undefined {
  if (kind === 'float' && (op === '>' || op === '>=')) return undefined;
  if ((kind === 'string') !== (lit.kind === 'string')) return undefined;
  return (all) => {
    const s = all[column];
    if (!s) return true;
    if (s.numberOfValues === 0) return false;
    if (s.min === undefined || s.max === undefined) return true;
    const lo = order(s.min, lit, kind);
    const hi = order(s.max, lit, kind);
    if (lo === undefined || hi === undefined) return true;
    switch (op) {
      case '=': return lo <= 0 && hi >= 0;
      case '<': return lo < 0;
      case '<=': return lo <= 0;
      case '>': return hi > 0;
      case '>=': return hi >= 0;
    }
  };
}

class Planner {
  constructor(private readonly resolved: ReadonlyMap<PathExpr, ResolvedRef>, private readonly kinds: Map<string, Kind>) {}

  private column(e: Expr): { name: string; kind: Kind } | undefined {
    if (e.kind !== 'path') return undefined;
    const ref = this.resolved.get(e);
    if (ref?.kind !== 'field' || ref.rest.length > 0) return undefined;
    const kind = this.kinds.get(ref.column);
    return kind ? { name: ref.column, kind } : undefined;
  }

  private compare(op: Op, left: Expr, right: Expr): MayMatch | undefined {
    let col = this.column(left);
    let lit = literalOf(right);
    if (!col || !lit) {
      col = this.column(right);
      lit = literalOf(left);
      op = FLIP[op];
    }
    return col && lit ? comparison(col.name, col.kind, op, lit) : undefined;
  }

  plan(e: Expr): MayMatch | undefined {
    switch (e.kind) {
      case 'logical': {
        const parts = e.operands.map((o) => this.plan(o));
        if (e.op === 'AND') {
          const known = parts.filter((p): p is MayMatch => p !== undefined);
          return known.length ? (s) => known.every((p) => p(s)) : undefined;
        }
        if (parts.some((p) => p === undefined)) return undefined;
        return (s) => parts.some((p) => p!(s));
      }
      case 'binary':
        return ['=', '<', '>', '<=', '>='].includes(e.op) ? this.compare(e.op as Op, e.left, e.right) : undefined;
      case 'between': {
        if (e.negated) return undefined;
        return this.plan({ kind: 'logical', op: 'AND', operands: [
          { kind: 'binary', op: '>=', left: e.operand, right: e.low, pos: e.pos },
          { kind: 'binary', op: '<=', left: e.operand, right: e.high, pos: e.pos },
        ], pos: e.pos });
      }
      case 'in': {
        if (e.negated || e.list.length === 0) return undefined;
        return this.plan({ kind: 'logical', op: 'OR', operands: e.list.map((item) => ({ kind: 'binary', op: '=', left: e.operand, right: item, pos: e.pos })), pos: e.pos });
      }
      default:
        return undefined;
    }
  }
}

/**
 * A stripe filter for the query, or undefined when its WHERE clause gives none. Queries that do not
 * parse or resolve get none either: translating them reports the error.
 */
export function orcStripeFilter(expression: string, columns: readonly { name: string; type: string }[]): StripeFilter | undefined {
  let where: Expr | undefined;
  let resolved: ReadonlyMap<PathExpr, ResolvedRef>;
  try {
    const stmt = parseSql(expression);
    where = stmt.where;
    if (!where) return undefined;
    resolved = analyze(stmt, { format: 'columnar', columns: columns.map((c) => c.name) }).resolved;
  } catch {
    return undefined;
  }
  const kinds = new Map<string, Kind>();
  for (const c of columns) {
    const k = kindOf(c.type);
    if (k) kinds.set(c.name, k);
  }
  return new Planner(resolved, kinds).plan(where);
}
