// JSON path values, computed once per row as columns beneath the FROM source (see rows.ts): all paths of
// a query come from one json_extract call with a list of paths, so each record is parsed once, and the
// typed views of a value (number, int-ness, text, comparisons with constants…) read its column.
//
// An unquoted name matches its exact spelling first, else the one key differing only in case; several
// such keys are AmbiguousFieldName. The per-row column cannot fail, so it holds NULL for an ambiguous
// name; where the value is used, a NULL column takes the case-insensitive lookup again (s3t_jget_ci),
// which fails for exactly those rows and is otherwise NULL (MISSING) too.
import type { PathStep } from '../sql/index.js';
import { caseInsensitiveWalk, exactJsonPath, jsonAccess, needsCaseFallback, SOURCE_ALIAS, valueSteps } from './paths.js';
import type { RowColumn, RowColumns } from './rows.js';
import { ident, sqlString } from './sqltext.js';
import type { JsonRow, TExpr } from './types.js';

/** Column of the relation holding top-level key number `i` (0-based) of SourceShape.jsonKeys. */
export const keyColumnName = (i: number): string => `s3_k${i + 1}`;
/** Column of the relation holding that key's value as a BIGINT (see SourceShape.jsonIntKeys). */
export const intColumnName = (i: number): string => `s3_i${i + 1}`;
/** Column of the relation holding that key's value as a DOUBLE (see SourceShape.jsonNumKeys). */
export const numColumnName = (i: number): string => `s3_f${i + 1}`;

/** The source's top-level key columns: every key, and whether it has a BIGINT or a DOUBLE column. */
export interface KeyColumns { keys: readonly string[]; ints: readonly boolean[]; nums: readonly boolean[]; uniform: boolean }

const isAscii = (s: string) => /^[\x00-\x7f]*$/.test(s);

/** Where a first step leads with a complete key list: a key's column, nowhere, or undecided until run time. */
type KeyMatch = { column: RowColumn; int?: string; num?: string } | 'missing' | 'dynamic';

export class JsonPaths {
  private readonly entries: { exact: string; column: RowColumn }[] = [];
  private readonly lists: { where?: RowColumn; rest?: RowColumn } = {};
  private readonly below = new Map<string, JsonPaths>();

  /**
   * `record`: the column holding the record (a column of the source itself, not one of `cols`).
   * `keyCols`: the complete list of the record's top-level keys, each with a column (SourceShape.jsonKeys).
   */
  constructor(
    private readonly cols: RowColumns,
    private readonly record: RowColumn,
    private readonly keyCols?: KeyColumns,
  ) {}

  /** The value at `path` below the record (SQL NULL when absent, i.e. MISSING). */
  value(path: readonly PathStep[]): TExpr {
    const steps = valueSteps(path);
    const first = steps[0];
    if (this.keyCols && first?.kind === 'field') {
      const match = this.matchKey(first);
      if (match === 'missing') return { sql: 'CAST(NULL AS JSON)', ty: 'json' };
      if (match !== 'dynamic' && steps.length === 1) {
        const row: JsonRow = { cols: this.cols, value: match.column };
        if (match.int) row.int = match.int;
        if (match.num) row.num = match.num;
        return { sql: match.column.ref, ty: 'json', row };
      }
      if (match !== 'dynamic') return this.under(match.column).value(steps.slice(1));
    }
    if (steps.length === 0) return { sql: this.record.ref, ty: 'json', row: { cols: this.cols, value: this.record } };
    const exact = exactJsonPath(steps);
    if (exact === undefined) return { sql: jsonAccess(this.record.ref, steps), ty: 'json' };
    // The paths are extracted together, one json_extract on each side of the WHERE filter (see rows.ts):
    // those the condition reads for every row, the others only for the rows it keeps.
    const ci = needsCaseFallback(steps);
    const inputs = (self: RowColumn) => [this.list(this.cols.readByWhere(self))];
    const item = (self: RowColumn) => {
      const where = this.cols.readByWhere(self);
      const paths = this.pathsOf(where);
      return paths.length === 1 ? this.list(where).inner : `${this.list(where).inner}[${paths.indexOf(exact) + 1}]`;
    };
    const quiet = ci ? caseInsensitiveWalk(this.record.inner, steps, true) : '';
    const value: RowColumn = this.cols.column(`path ${this.record.inner} ${exact}${ci ? ' ci' : ''}`, inputs, () => (ci ? `coalesce(${item(value)}, ${quiet})` : item(value)));
    if (!this.entries.some((e) => e.column === value)) this.entries.push({ exact, column: value });
    this.list(this.cols.readByWhere(value));
    if (!ci) return { sql: value.ref, ty: 'json', row: { cols: this.cols, value } };
    const checked = `coalesce(${value.ref}, ${caseInsensitiveWalk(this.record.ref, steps)})`;
    return { sql: checked, ty: 'json', row: { cols: this.cols, value, checked } };
  }

  /** The exact paths extracted on one side of the filter, in first-use order. */
  private pathsOf(where: boolean): string[] {
    return [...new Set(this.entries.filter((e) => this.cols.readByWhere(e.column) === where).map((e) => e.exact))];
  }

  /** The column of one side's json_extract (one path as itself, several as a list); left out when empty. */
  private list(where: boolean): RowColumn {
    const side = where ? 'where' : 'rest';
    this.lists[side] ??= this.cols.column(`json paths ${this.record.inner} ${side}`, [], () => {
      const paths = this.pathsOf(where).map(sqlString);
      if (paths.length === 0) return undefined;
      return `json_extract(${this.record.inner}, ${paths.length === 1 ? paths[0]! : `[${paths.join(', ')}]`})`;
    });
    return this.lists[side];
  }

  /** The record's members in order when every record has the same keys in the same order. */
  uniformMembers(): { name: string; expr: TExpr }[] | undefined {
    if (!this.keyCols?.uniform) return undefined;
    return this.keyCols.keys.map((name) => ({ name, expr: this.value([{ kind: 'field', name, quoted: true, pos: { line: 1, col: 1, offset: 0 } }]) }));
  }

  /**
   * The key column a first step reads. An exact name needs its exact key. An unquoted name takes its
   * exact spelling first, else the one key equal but for case, else fails as ambiguous, per record: with
   * one such key in the whole list the column answers every record; with several, only the record can.
   */
  private matchKey(step: Extract<PathStep, { kind: 'field' }>): KeyMatch {
    const keys = this.keyCols!.keys;
    let hits: number[];
    if (!needsCaseFallback([step])) {
      hits = keys.indexOf(step.name) >= 0 ? [keys.indexOf(step.name)] : [];
    } else {
      // DuckDB's lower() and JavaScript's agree on ASCII; other keys are left to the per-record lookup.
      if (!isAscii(step.name) || !keys.every(isAscii)) return 'dynamic';
      const lower = step.name.toLowerCase();
      hits = keys.flatMap((k, i) => (k.toLowerCase() === lower ? [i] : []));
    }
    if (hits.length === 0) return 'missing';
    if (hits.length > 1) return 'dynamic';
    const at = hits[0]!;
    const name = ident(keyColumnName(at));
    const match: KeyMatch = { column: { inner: name, ref: `${SOURCE_ALIAS}.${name}` } };
    if (this.keyCols!.ints[at]) match.int = `${SOURCE_ALIAS}.${ident(intColumnName(at))}`;
    if (this.keyCols!.nums[at]) match.num = `${SOURCE_ALIAS}.${ident(numColumnName(at))}`;
    return match;
  }

  /** Paths below a key column. */
  private under(column: RowColumn): JsonPaths {
    let paths = this.below.get(column.inner);
    if (!paths) {
      paths = new JsonPaths(this.cols, column);
      this.below.set(column.inner, paths);
    }
    return paths;
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
    /**
     * The view from the value's BIGINT `i` (see JsonRow.int) and text `t`, where it is cheaper; it must
     * equal the text form on every value such a column can hold (ints, null, MISSING).
     */
    readonly ofInt?: (i: string, t: string) => string,
    /** The same from the value's DOUBLE `f` (see JsonRow.num), for values that are numbers, null or MISSING. */
    readonly ofNum?: (f: string, t: string) => string,
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

const kindOfNumber = (n: string, t: string) => `CASE WHEN ${n} IS NOT NULL THEN 2 ELSE s3t_jt_kind(${t}) END`;
export const KIND = new JsonView('kind', [], kindOfNumber, kindOfNumber);
export const NUM = new JsonView('num', [], (i) => `CAST(${i} AS DOUBLE)`, (f) => f);
export const IS_INT = new JsonView('isint', [], (i, t) => `CASE WHEN ${i} IS NOT NULL THEN true ELSE s3t_jt_isint(${t}) END`);
/** The value as an exact integer, where IS_INT holds. */
export const INT = new JsonView('int', [], (i) => `CAST(${i} AS HUGEINT)`);
export const SORT_TEXT = new JsonView('sorttext');
export const TEXT = new JsonView('text');
export const STR = new JsonView('str');
export const BOOL = new JsonView('bool');
/** Equality with a constant given as its JSON text (a string or boolean). */
export const eqText = (lit: string) => new JsonView('eq_text', [lit]);
/** Membership in a list of constants given as their JSON texts. */
export const inText = (lits: string) => new JsonView('in_text', [lits]);
/** Equality with a numeric constant. */
export const eqNum = (n: string) => new JsonView('eq_num', [n], (i) => `(CAST(${i} AS HUGEINT) = ${n})`);

/** SQL of `view` applied to the dynamic value `e`, read from its per-row column when it has one. */
export function jsonView(e: TExpr, view: JsonView): string {
  const r = e.row;
  if (!r) return view.of(e.sql);
  const text = `CAST(${r.value.ref} AS VARCHAR)`;
  const sql = r.int && view.ofInt ? view.ofInt(r.int, text) : r.num && view.ofNum ? view.ofNum(r.num, text) : view.ofText(text);
  // Every view of MISSING is NULL, so the check (which raises AmbiguousFieldName or finds nothing) runs
  // only where the view is NULL. COALESCE rather than CASE: DuckDB computes a COALESCE repeated within
  // one operator once, and the inner CASE reads the view so that it cannot be folded away.
  return r.checked ? `coalesce(${sql}, CASE WHEN ${r.checked} IS NOT NULL THEN ${sql} END)` : sql;
}
