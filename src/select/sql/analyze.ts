// Semantic analysis: binds the table alias, resolves every path, applies the aggregate rules, and
// derives what a plan needs: output column names, referenced columns (for projection pushdown),
// whether the query aggregates, and the LIMIT.
import type { Expr, Identifier, PathExpr, PathStep, Pos, SelectStatement } from './ast.js';
import { childrenOf } from './ast.js';
import { checkAggregates, isAggregateQuery, keyOf } from './aggregates.js';
import { sqlError } from './error.js';
import {
  bindTable, matchesBinding, resolvePath, type InputDescription, type ResolvedRef, type TableBinding,
} from './resolve.js';

export type { InputDescription, InputFormat, ResolvedRef, TableBinding } from './resolve.js';

/** One output column of a select list. */
export type OutputColumn =
  /** An expression; `name` is its alias, else its last path name, else `_N` (1-based position). */
  | { kind: 'expr'; name: string; expr: Expr; pos: Pos }
  /** `alias.*` / `path.*`: every member of the record or value `ref` points at. */
  | { kind: 'star'; ref: ResolvedRef; pos: Pos };

export type OutputShape =
  /** `SELECT *`: the whole record; `names` are the CSV header names when known. */
  | { kind: 'all'; names?: string[] }
  | { kind: 'items'; columns: OutputColumn[] };

/** A top-level attribute name; `caseSensitive` when it was double-quoted. */
export interface FieldKey { name: string; caseSensitive: boolean }

/** What the query reads from each record; `all` means everything must be read. */
export type Referenced =
  | { format: 'csv'; all: boolean; indexes: number[] }
  | { format: 'json' | 'columnar'; all: boolean; keys: FieldKey[] };

export interface Analysis {
  statement: SelectStatement;
  input: InputDescription;
  table: TableBinding;
  /** Meaning of every path expression in the statement (keyed by node identity). */
  resolved: ReadonlyMap<PathExpr, ResolvedRef>;
  output: OutputShape;
  referenced: Referenced;
  /** True with GROUP BY or any aggregate call: the query yields one row per group (or one in all). */
  aggregate: boolean;
  limit?: bigint;
}

/** Checks `stmt` against the input and derives the plan-ready facts; throws S3Error. */
export function analyze(stmt: SelectStatement, input: InputDescription): Analysis {
  const table = bindTable(stmt.from, input);
  const resolved = new Map<PathExpr, ResolvedRef>();
  const items = stmt.projection.kind === 'items' ? stmt.projection.items : [];
  const resolveAll = (e: Expr) => walkPaths(e, (p) => resolved.set(p, resolvePath(p, table, input)));

  const columns: OutputColumn[] = [];
  items.forEach((it, i) => {
    if (it.kind === 'pathStar') {
      const ref = resolvePath(it.path, table, input);
      if (ref.kind === 'column') throw sqlError('InvalidKeyPath', 'A CSV column has no members to expand with .*', it.pos);
      resolved.set(it.path, ref);
      columns.push({ kind: 'star', ref, pos: it.pos });
      return;
    }
    resolveAll(it.expr);
    columns.push({ kind: 'expr', name: outputName(it.expr, it.alias, i, resolved), expr: it.expr, pos: it.pos });
  });
  if (stmt.where) resolveAll(stmt.where);
  stmt.groupBy.forEach(resolveAll);
  if (stmt.having) resolveAll(stmt.having);
  for (const o of stmt.orderBy) {
    const alias = o.expr.kind === 'path' ? outputAliasIndex(o.expr, items.map((it) => (it.kind === 'expr' ? it.alias : undefined))) : -1;
    if (alias >= 0) resolved.set(o.expr as PathExpr, { kind: 'outputAlias', item: alias });
    else resolveAll(o.expr);
  }

  checkAggregates(stmt, resolved);
  if (stmt.distinct) checkDistinctOrder(stmt, resolved);
  const output: OutputShape = stmt.projection.kind === 'star'
    ? (input.format === 'csv' && input.csvHeader ? { kind: 'all', names: [...input.csvHeader] } : { kind: 'all' })
    : { kind: 'items', columns };
  const analysis: Analysis = {
    statement: stmt, input, table, resolved, output,
    referenced: referencedColumns(stmt, input, resolved),
    aggregate: isAggregateQuery(stmt),
  };
  if (stmt.limit) analysis.limit = stmt.limit.value;
  return analysis;
}

/** With DISTINCT, rows are only distinct on the select list, so ORDER BY may only use its items. */
function checkDistinctOrder(stmt: SelectStatement, resolved: ReadonlyMap<PathExpr, ResolvedRef>): void {
  if (stmt.projection.kind === 'star') return;
  const selected = new Set(stmt.projection.items.map((it) => (it.kind === 'expr' ? keyOf(it.expr, resolved) : '')));
  for (const o of stmt.orderBy) {
    if (o.expr.kind === 'path' && resolved.get(o.expr)?.kind === 'outputAlias') continue;
    if (!selected.has(keyOf(o.expr, resolved))) {
      throw sqlError('UnsupportedSqlStructure', 'With SELECT DISTINCT, ORDER BY may only use selected expressions', o.expr.pos);
    }
  }
}

/** Calls `visit` for every path in `e` (depth is bounded by the parser's tree-depth cap). */
function walkPaths(e: Expr, visit: (p: PathExpr) => void): void {
  if (e.kind === 'path') visit(e);
  for (const c of childrenOf(e)) walkPaths(c, visit);
}

/** Index of the select item whose alias a bare ORDER BY name refers to, or -1. */
function outputAliasIndex(p: PathExpr, aliases: (Identifier | undefined)[]): number {
  if (p.steps.length > 0) return -1;
  return aliases.findIndex((a) => a !== undefined && matchesBinding(p.root, { name: a.name, quoted: a.quoted }));
}

function outputName(e: Expr, alias: Identifier | undefined, index: number, resolved: ReadonlyMap<PathExpr, ResolvedRef>): string {
  if (alias) return alias.name;
  if (e.kind === 'path') {
    const ref = resolved.get(e);
    if (ref?.kind === 'column' && ref.matched === 'header' && ref.header !== undefined) return ref.header;
    const last = e.steps[e.steps.length - 1];
    if (!last) return e.root.name;
    if (last.kind === 'field') return last.name;
  }
  return `_${index + 1}`;
}

function referencedColumns(stmt: SelectStatement, input: InputDescription, resolved: ReadonlyMap<PathExpr, ResolvedRef>): Referenced {
  const refs = [...resolved.values()];
  const everything = stmt.projection.kind === 'star' || refs.some((r) => r.kind === 'row');
  if (input.format === 'csv') {
    const indexes = new Set<number>();
    for (const r of refs) if (r.kind === 'column') indexes.add(r.index);
    return { format: 'csv', all: everything, indexes: [...indexes].sort((a, b) => a - b) };
  }
  const format = input.format;
  // With a FROM path, only the document's first attribute on that path is needed.
  if (format === 'json' && stmt.from.steps.length > 0) {
    const first = stmt.from.steps[0];
    return first.kind === 'field'
      ? { format, all: false, keys: [{ name: first.name, caseSensitive: first.quoted }] }
      : { format, all: true, keys: [] };
  }
  const keys = new Map<string, FieldKey>();
  let all = everything;
  const add = (name: string, caseSensitive: boolean) => {
    const id = caseSensitive ? `=${name}` : `~${name.toLowerCase()}`;
    if (!keys.has(id)) keys.set(id, { name, caseSensitive });
  };
  for (const r of refs) {
    if (r.kind === 'field') add(r.column, true);
    else if (r.kind === 'value') {
      const first: PathStep | undefined = r.steps[0];
      if (first?.kind === 'field') add(first.name, first.quoted);
      else all = true;
    }
  }
  return { format, all, keys: [...keys.values()] };
}
