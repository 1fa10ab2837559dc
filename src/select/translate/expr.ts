// Translates analysed expressions into typed DuckDB SQL (see types.ts for the type model).
import { S3Error } from '../../errors.js';
import type { AggregateExpr, CaseExpr, Expr, IonTimestamp, IsExpr, PathExpr, ResolvedRef } from '../sql/index.js';
import { aggregate } from './aggregates.js';
import { arithmetic, concat, negate, plus } from './arith.js';
import { asBool, toJson, unify } from './coerce.js';
import { between, compare, inList, like } from './compare.js';
import { call, cast, dateAdd, dateDiff, extract, substring, trim } from './functions.js';
import { jsonView, KIND, NUM, SORT_TEXT } from './json-views.js';
import { refValue, type Source } from './paths.js';
import { sqlString } from './sqltext.js';
import { MISSING_EXPR, NULL_EXPR, derived, intSql, isAbsent, nullIsMissing, type TExpr } from './types.js';

export class ExprTranslator {
  /** Translated select items, for ORDER BY keys that name a select alias. */
  aliasItems: (TExpr | undefined)[] = [];
  private grouping = false;
  private inAggregate = false;

  /** `grouped`: the query aggregates (GROUP BY or aggregate calls). */
  constructor(
    readonly source: Source,
    private readonly resolved: ReadonlyMap<PathExpr, ResolvedRef>,
    private readonly grouped = false,
  ) {}

  /**
   * Translates with `f` the parts of a grouped query evaluated per group (select list, GROUP BY keys,
   * HAVING, ORDER BY), where values outside aggregate calls must be the group keys themselves.
   */
  perGroup<T>(f: () => T): T {
    this.grouping = this.grouped;
    try {
      return f();
    } finally {
      this.grouping = false;
    }
  }

  readonly expr = (e: Expr): TExpr => {
    switch (e.kind) {
      case 'int': return intLiteral(e.text, e.fitsInt64);
      case 'decimal': return decimalLiteral(e.text);
      case 'float': return { sql: `CAST(${sqlString(e.text)} AS DOUBLE)`, ty: 'float', constant: true };
      case 'string': return { sql: sqlString(e.value), ty: 'string', literal: e.value };
      case 'bool': return { sql: e.value ? 'true' : 'false', ty: 'bool', literal: e.value };
      case 'null': return { ...NULL_EXPR, literal: null };
      case 'missing': return MISSING_EXPR;
      case 'timestamp': return { sql: `s3_cast_timestamp(${sqlString(e.text)})`, ty: 'timestamp', instant: instantSql(e.value) };
      case 'path': return this.path(e);
      case 'unary':
        if (e.op === 'NOT') return this.not(this.expr(e.operand));
        return e.op === '-' ? negate(this.expr(e.operand)) : plus(this.expr(e.operand));
      case 'binary': {
        const a = this.expr(e.left);
        const b = this.expr(e.right);
        if (e.op === '||') return concat(a, b);
        if (e.op === '+' || e.op === '-' || e.op === '*' || e.op === '/' || e.op === '%') return arithmetic(e.op, a, b);
        return derived(compare(e.op, a, b), 'bool', [a, b]);
      }
      case 'logical': {
        const ops = e.operands.map(this.expr);
        return derived(`(${ops.map((o) => asBool(o, e.op)).join(` ${e.op} `)})`, 'bool', ops);
      }
      case 'in': {
        const x = this.expr(e.operand);
        const items = e.list.map(this.expr);
        return derived(inList(x, items, e.negated), 'bool', [x, ...items]);
      }
      case 'between': {
        const x = this.expr(e.operand);
        const lo = this.expr(e.low);
        const hi = this.expr(e.high);
        return derived(between(x, lo, hi, e.negated), 'bool', [x, lo, hi]);
      }
      case 'like': {
        const x = this.expr(e.operand);
        const p = this.expr(e.pattern);
        const esc = e.escape ? this.expr(e.escape) : undefined;
        return derived(like(x, p, esc, e.negated), 'bool', esc ? [x, p, esc] : [x, p]);
      }
      case 'is': return this.is(e);
      case 'case': return this.caseExpr(e);
      case 'cast': return cast(e, this.expr);
      case 'aggregate': return this.aggregateCall(e);
      case 'call': return call(e, this.expr);
      case 'substring': return substring(e, this.expr);
      case 'trim': return trim(e, this.expr);
      case 'extract': return extract(e, this.expr);
      case 'dateAdd': return dateAdd(e, this.expr);
      case 'dateDiff': return dateDiff(e, this.expr);
    }
  };

  /** SQL of a condition (WHERE / HAVING). */
  condition(e: Expr, what: string): string {
    return asBool(this.expr(e), what);
  }

  /**
   * A WHERE condition to be computed as a value rather than filtered on, keeping a filter's order of
   * evaluation: DuckDB filters on AND / OR evaluate each operand only for the rows the ones before it
   * left undecided (a later operand that would fail is skipped for them), which CASE keeps and plain
   * AND / OR in a value do not. Only its truth matters: false and NULL both drop the row.
   */
  filterCondition(e: Expr, what = 'WHERE'): string {
    if (e.kind !== 'logical') return this.condition(e, what);
    const [first, ...rest] = e.operands;
    if (!first) return this.condition(e, what);
    const head = this.filterCondition(first, e.op);
    if (rest.length === 0) return head;
    const tail = this.filterCondition(rest.length === 1 ? rest[0]! : { ...e, operands: rest }, e.op);
    return e.op === 'AND' ? `CASE WHEN ${head} THEN ${tail} ELSE false END` : `CASE WHEN ${head} THEN true ELSE ${tail} END`;
  }

  private path(p: PathExpr): TExpr {
    const ref = this.resolved.get(p);
    if (!ref) throw new S3Error('InternalError', 'An attribute reference was not resolved');
    if (ref.kind === 'outputAlias') {
      const item = this.aliasItems[ref.item];
      if (!item) throw new S3Error('InternalError', 'ORDER BY names a select item that was not translated');
      return item;
    }
    const v = refValue(this.source, ref);
    // Per-row views of a value are other columns, which a grouped query cannot read outside aggregates:
    // there the views are computed from the value itself (a group key).
    if (this.grouping && !this.inAggregate && v.row) delete v.row;
    return v;
  }

  private aggregateCall(e: AggregateExpr): TExpr {
    this.inAggregate = true;
    try {
      return aggregate(e, this.expr);
    } finally {
      this.inAggregate = false;
    }
  }

  private not(v: TExpr): TExpr {
    return derived(`(NOT ${asBool(v, 'NOT')})`, 'bool', [v]);
  }

  private is(e: IsExpr): TExpr {
    const v = this.expr(e.operand);
    let sql: string;
    if (e.test === 'MISSING') {
      sql = v.ty === 'missing' ? 'true' : nullIsMissing(v) ? `(${v.sql} IS NULL)` : 'false';
    } else if (isAbsent(v)) {
      sql = 'true';
    } else {
      sql = v.ty === 'json' ? `s3t_jisnull(${v.sql})` : `(${v.sql} IS NULL)`;
    }
    // IS never yields NULL or MISSING itself.
    return { sql: e.negated ? `(NOT ${sql})` : sql, ty: 'bool' };
  }

  private caseExpr(e: CaseExpr): TExpr {
    const operand = e.operand ? this.expr(e.operand) : undefined;
    const conds = e.whens.map((w) => {
      const c = this.expr(w.when);
      return operand ? compare('=', operand, c) : asBool(c, 'CASE WHEN');
    });
    const results = e.whens.map((w) => this.expr(w.then));
    results.push(e.else ? this.expr(e.else) : NULL_EXPR);
    const u = unify(results);
    const arms = conds.map((c, i) => `WHEN ${c} THEN ${u.sql[i]}`).join(' ');
    const out: TExpr = { sql: `CASE ${arms} ELSE ${u.sql[u.sql.length - 1]} END`, ty: u.ty, ...u.extra };
    if (u.ty !== 'json' && results.some(nullIsMissing)) out.missing = true;
    if (u.ty === 'null' || u.ty === 'missing') return results.every((r) => r.ty === 'missing') ? MISSING_EXPR : NULL_EXPR;
    return out;
  }

  /** ORDER BY keys of a value: dynamic values order by kind, then number, then text. */
  sortKeys(v: TExpr): string[] {
    switch (v.ty) {
      case 'json': return [`nullif(${jsonView(v, KIND)}, 0)`, jsonView(v, NUM), jsonView(v, SORT_TEXT)];
      case 'nested': return this.sortKeys({ sql: toJson(v), ty: 'json' });
      case 'timestamp': return [`struct_extract(${v.sql}, 'ts')`];
      case 'null': case 'missing': return ['NULL'];
      default: return [v.sql];
    }
  }
}

const INT64 = /^-?\d+$/;
const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** The UTC instant of an Ion timestamp literal as a DuckDB TIMESTAMP literal (microseconds, like the macros). */
function instantSql(t: IonTimestamp): string {
  const d = new Date(0);
  d.setUTCFullYear(t.year, (t.month ?? 1) - 1, t.day ?? 1);
  d.setUTCHours(t.hour ?? 0, (t.minute ?? 0) - (t.offsetMinutes ?? 0), t.second ?? 0, 0);
  const date = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}`;
  const time = `${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}`;
  return `TIMESTAMP '${date} ${time}.${(t.fraction ?? '').slice(0, 6).padEnd(6, '0')}'`;
}

function intLiteral(text: string, fits: boolean): TExpr {
  if (fits && INT64.test(text)) return { sql: intSql(text), ty: 'int', constant: true };
  return decimalLiteral(text);
}

/**
 * An exact decimal literal: `1.50` keeps its scale; an exponent (`1.5e3`, from Ion's `d`) is applied;
 * more than 38 digits becomes an approximation.
 */
function decimalLiteral(text: string): TExpr {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m) throw new S3Error('LexerInvalidLiteral', `Invalid number ${text}`);
  const [, sign, int = '', frac = '', exp = '0'] = m;
  const shift = Number(exp);
  let digits = (int + frac).replace(/^0+(?=\d)/, '') || '0';
  let scale = frac.length - shift;
  if (scale < 0) {
    digits += '0'.repeat(-scale);
    scale = 0;
  }
  const precision = Math.max(digits.length, scale + 1);
  if (precision > 38 || scale > 38) return { sql: `CAST(${sqlString(text)} AS DOUBLE)`, ty: 'decimal', dec: { kind: 'approx' }, constant: true };
  const padded = digits.padStart(scale + 1, '0');
  const canonical = `${sign === '-' ? '-' : ''}${padded.slice(0, padded.length - scale)}${scale > 0 ? '.' + padded.slice(padded.length - scale) : ''}`;
  const dec = { kind: 'exact', precision, scale, trim: false } as const;
  return { sql: `CAST(${sqlString(canonical)} AS DECIMAL(${precision}, ${scale}))`, ty: 'decimal', dec, constant: true };
}
