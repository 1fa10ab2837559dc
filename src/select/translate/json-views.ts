// JSON path values, computed once per row as columns beneath the FROM source (see rows.ts): all paths of
// a query come from one json_extract call with a list of paths, so each record is parsed once, and the
// typed views of a value (number, int-ness, text, comparisons with constants…) read its column.
//
// An unquoted name matches its exact spelling first, else the one key differing only in case; several
// such keys are AmbiguousFieldName. The per-row column cannot fail, so it holds NULL for an ambiguous
// name; where the value is used, a NULL column takes the case-insensitive lookup again (s3t_jget_ci),
// which fails for exactly those rows and is otherwise NULL (MISSING) too.
import type { PathStep } from '../sql/index.js';
import { caseInsensitiveWalk, exactJsonPath, jsonAccess, needsCaseFallback, valueSteps } from './paths.js';
import type { RowColumn, RowColumns } from './rows.js';
import { sqlString } from './sqltext.js';
import type { TExpr } from './types.js';

export class JsonPaths {
  private readonly paths: string[] = [];

  /** `record`: the column holding the record (a column of the source itself, not one of `cols`). */
  constructor(
    private readonly cols: RowColumns,
    private readonly record: RowColumn,
  ) {}

  /** The value at `path` below the record (SQL NULL when absent, i.e. MISSING). */
  value(path: readonly PathStep[]): TExpr {
    const steps = valueSteps(path);
    if (steps.length === 0) return { sql: this.record.ref, ty: 'json', row: { cols: this.cols, value: this.record } };
    const exact = exactJsonPath(steps);
    if (exact === undefined) return { sql: jsonAccess(this.record.ref, steps), ty: 'json' };
    // One path is extracted as itself, several as a list (the SQL is rendered once all are known).
    const list = this.cols.column('json paths', [], () => {
      const paths = this.paths.map(sqlString);
      return `json_extract(${this.record.inner}, ${paths.length === 1 ? paths[0]! : `[${paths.join(', ')}]`})`;
    });
    let at = this.paths.indexOf(exact);
    if (at < 0) at = this.paths.push(exact) - 1;
    const item = () => (this.paths.length === 1 ? list.inner : `${list.inner}[${at + 1}]`);
    if (!needsCaseFallback(steps)) {
      const value = this.cols.column(`path ${exact}`, [list], item);
      return { sql: value.ref, ty: 'json', row: { cols: this.cols, value } };
    }
    const quiet = caseInsensitiveWalk(this.record.inner, steps, true);
    const value = this.cols.column(`path ${exact} ci`, [list], () => `coalesce(${item()}, ${quiet})`);
    const checked = `coalesce(${value.ref}, ${caseInsensitiveWalk(this.record.ref, steps)})`;
    return { sql: checked, ty: 'json', row: { cols: this.cols, value, checked } };
  }
}

/**
 * A typed view of a dynamic value, defined once in sql/s3translate.sql over the value's JSON text
 * (s3t_jt_<macro>, which reads the text several times: cheap for a column) and for any JSON expression
 * (s3t_j<macro>, which binds the expression once). Every view of MISSING is NULL.
 */
export class JsonView {
  constructor(
    readonly macro: string,
    /** Extra arguments (constant SQL). */
    readonly args: readonly string[] = [],
  ) {}

  /** The view of the JSON expression `x`. */
  of(x: string): string {
    return `s3t_j${this.macro}(${[x, ...this.args].join(', ')})`;
  }

  /** The view of the JSON text `t`, read several times. */
  ofText(t: string): string {
    return `s3t_jt_${this.macro}(${[t, ...this.args].join(', ')})`;
  }
}

export const KIND = new JsonView('kind');
export const NUM = new JsonView('num');
export const IS_INT = new JsonView('isint');
/** The value as an exact integer, where IS_INT holds. */
export const INT = new JsonView('int');
export const SORT_TEXT = new JsonView('sorttext');
export const TEXT = new JsonView('text');
export const STR = new JsonView('str');
export const BOOL = new JsonView('bool');
/** Equality with a constant given as its JSON text (a string or boolean). */
export const eqText = (lit: string) => new JsonView('eq_text', [lit]);
/** Membership in a list of constants given as their JSON texts. */
export const inText = (lits: string) => new JsonView('in_text', [lits]);
/** Equality with a numeric constant. */
export const eqNum = (n: string) => new JsonView('eq_num', [n]);

/** SQL of `view` applied to the dynamic value `e`, read from its per-row column when it has one. */
export function jsonView(e: TExpr, view: JsonView): string {
  const r = e.row;
  if (!r) return view.of(e.sql);
  const sql = view.ofText(`CAST(${r.value.ref} AS VARCHAR)`);
  // Every view of MISSING is NULL, so the check (which raises AmbiguousFieldName or finds nothing) runs
  // only where the view is NULL. COALESCE rather than CASE: DuckDB computes a COALESCE repeated within
  // one operator once, and the inner CASE reads the view so that it cannot be folded away.
  return r.checked ? `coalesce(${sql}, CASE WHEN ${r.checked} IS NOT NULL THEN ${sql} END)` : sql;
}
