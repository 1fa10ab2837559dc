// Aggregate-query rules. All violations are UnsupportedSqlStructure: AWS lists no dedicated code for
// them, and each is a query shape the dialect cannot evaluate (aggregates in WHERE or GROUP BY,
// aggregates nested in aggregates, or record values mixed with aggregates without being grouped).
import type { Expr, PathExpr, PathStep, Pos, SelectStatement } from './ast.js';
import { childrenOf } from './ast.js';
import { sqlError } from './error.js';
import type { ResolvedRef } from './resolve.js';

export function containsAggregate(e: Expr): boolean {
  return e.kind === 'aggregate' || childrenOf(e).some(containsAggregate);
}

/** Whether the statement aggregates: GROUP BY, HAVING (one group), or an aggregate in SELECT/ORDER BY. */
export function isAggregateQuery(s: SelectStatement): boolean {
  if (s.groupBy.length > 0 || s.having) return true;
  const exprs: Expr[] = [];
  if (s.projection.kind === 'items') for (const it of s.projection.items) if (it.kind === 'expr') exprs.push(it.expr);
  if (s.having) exprs.push(s.having);
  for (const o of s.orderBy) exprs.push(o.expr);
  return exprs.some(containsAggregate);
}

/**
 * Checks the aggregate rules. `resolved` maps every path to its meaning, so `s.a` and `a` count as
 * the same grouping key.
 */
export function checkAggregates(s: SelectStatement, resolved: ReadonlyMap<PathExpr, ResolvedRef>): void {
  if (s.where) forbid(s.where, 'WHERE');
  for (const g of s.groupBy) forbid(g, 'GROUP BY');
  const aggregate = isAggregateQuery(s);
  const all: Expr[] = [];
  if (s.projection.kind === 'items') for (const it of s.projection.items) if (it.kind === 'expr') all.push(it.expr);
  if (s.having) all.push(s.having);
  for (const o of s.orderBy) all.push(o.expr);
  for (const e of all) checkNesting(e);
  if (!aggregate) return;
  if (s.projection.kind === 'star') throw shapeError("'*' cannot be selected in an aggregate query", s.projection.pos);
  const keys = new Set(s.groupBy.map((g) => keyOf(g, resolved)));
  for (const it of s.projection.items) {
    if (it.kind === 'pathStar') throw shapeError("'.*' cannot be selected in an aggregate query", it.pos);
    checkGrouped(it.expr, keys, resolved);
  }
  if (s.having) checkGrouped(s.having, keys, resolved);
  for (const o of s.orderBy) checkGrouped(o.expr, keys, resolved);
}

function forbid(e: Expr, clause: string): void {
  if (e.kind === 'aggregate') throw shapeError(`Aggregate functions are not allowed in ${clause}`, e.pos);
  for (const c of childrenOf(e)) forbid(c, clause);
}

function checkNesting(e: Expr): void {
  if (e.kind === 'aggregate') {
    if (e.arg) forbid(e.arg, `the argument of ${e.fn}`);
    return;
  }
  for (const c of childrenOf(e)) checkNesting(c);
}

function checkGrouped(e: Expr, keys: ReadonlySet<string>, resolved: ReadonlyMap<PathExpr, ResolvedRef>): void {
  if (e.kind === 'aggregate' || keys.has(keyOf(e, resolved))) return;
  if (e.kind === 'path') {
    if (resolved.get(e)?.kind === 'outputAlias') return;
    const what = keys.size === 0 ? 'cannot be mixed with aggregate functions without GROUP BY' : 'must appear in GROUP BY or inside an aggregate function';
    throw shapeError(`'${pathText(e)}' ${what}`, e.pos);
  }
  for (const c of childrenOf(e)) checkGrouped(c, keys, resolved);
}

/** Canonical text of an expression, positions dropped and paths replaced by what they resolve to. */
export function keyOf(e: Expr, resolved: ReadonlyMap<PathExpr, ResolvedRef>): string {
  return JSON.stringify(e, (k, v: unknown) => {
    if (k === 'pos') return undefined;
    if (typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'path') {
      return { ref: refKey(resolved.get(v as PathExpr)) };
    }
    return v;
  });
}

function refKey(ref: ResolvedRef | undefined): unknown {
  if (!ref) return null;
  switch (ref.kind) {
    case 'row': return ['row'];
    case 'column': return ['column', ref.index];
    case 'field': return ['field', ref.column, ref.rest.map(stepKey)];
    case 'value': return ['value', ref.steps.map(stepKey)];
    case 'outputAlias': return ['alias', ref.item];
  }
}

function stepKey(s: PathStep): unknown {
  if (s.kind === 'field') return s.quoted ? ['=', s.name] : ['~', s.name.toLowerCase()];
  return s.kind === 'index' ? s.index : s.kind;
}

export function pathText(p: PathExpr): string {
  let out = p.root.quoted ? `"${p.root.name}"` : p.root.name;
  for (const s of p.steps) {
    if (s.kind === 'field') out += s.quoted ? `."${s.name}"` : `.${s.name}`;
    else if (s.kind === 'index') out += `[${s.index}]`;
    else out += s.kind === 'wildcard' ? '[*]' : '.*';
  }
  return out;
}

function shapeError(what: string, pos: Pos) {
  return sqlError('UnsupportedSqlStructure', what, pos);
}
