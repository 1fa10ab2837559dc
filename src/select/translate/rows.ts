// Per-row columns computed once, in projections stacked under the FROM source. An expression repeats
// the same sub-expressions many times (one JSON path in an aggregate is counted, kind-checked and summed),
// and DuckDB evaluates each occurrence separately: as a column below the source it is computed once per
// row instead. A column may read the columns added before it; each projection level holds the columns
// whose inputs are all in the levels beneath.
//
// Only expressions that cannot fail belong here: they run on every row that reaches them, including rows
// where the expression using them is in a CASE branch never taken. The columns a WHERE condition reads
// are computed for every row, beneath the filter; the others only for the rows it keeps, above it. A
// column's inputs may depend on which side of the filter it lands (a JSON path is taken from the list of
// paths extracted on its side), and a column whose definition comes out empty is left out.
import { SOURCE_ALIAS } from './paths.js';
import { ident } from './sqltext.js';

export interface RowColumn {
  /** Unqualified identifier, for use inside the definitions of later columns. */
  readonly inner: string;
  /** The column as the query reads it (qualified with the source's alias). */
  readonly ref: string;
}

/** The earlier columns a column reads: fixed, or decided once it is known whether the filter reads it. */
export type Inputs = readonly RowColumn[] | ((self: RowColumn) => readonly RowColumn[]);

interface Definition { column: RowColumn; inputs: Inputs; sql: () => string | undefined; filter: boolean }

const inputsOf = (d: Definition): readonly RowColumn[] => (typeof d.inputs === 'function' ? d.inputs(d.column) : d.inputs);

export class RowColumns {
  private readonly defs = new Map<RowColumn, Definition>();
  private readonly byKey = new Map<string, RowColumn>();
  private filtering = false;
  private filterReads = false;

  /**
   * The column for `key`, defined by `sql` (called when the FROM clause is rendered, so it may grow
   * until then; undefined leaves the column out) over `inputs`, the earlier columns it reads. The same
   * key always gives the same column.
   */
  column(key: string, inputs: Inputs, sql: () => string | undefined): RowColumn {
    let column = this.byKey.get(key);
    if (!column) {
      const name = ident(`s3_r${this.defs.size + 1}`);
      column = { inner: name, ref: `${SOURCE_ALIAS}.${name}` };
      this.defs.set(column, { column, inputs, sql, filter: false });
      this.byKey.set(key, column);
    }
    if (this.filtering) this.readByFilter(column);
    return column;
  }

  private readByFilter(column: RowColumn): void {
    const def = this.defs.get(column);
    if (!def || def.filter) return;
    def.filter = true;
    this.filterReads = true;
    inputsOf(def).forEach((c) => this.readByFilter(c));
  }

  /** Whether the WHERE condition reads `column` (so it is computed beneath the filter). */
  readByWhere(column: RowColumn): boolean {
    return this.defs.get(column)?.filter === true;
  }

  /** Translates the WHERE condition with `f`, noting the columns it reads; true when there are any. */
  forFilter(f: () => string): { sql: string; readsColumns: boolean } {
    this.filtering = true;
    this.filterReads = false;
    try {
      return { sql: f(), readsColumns: this.filterReads };
    } finally {
      this.filtering = false;
    }
  }

  /**
   * The FROM item: `source` (a relation with an alias) under the projections, aliased as the source.
   * With `where` (a condition over the columns forFilter noted), the rows are filtered between the
   * projections. The condition is itself a column, made volatile with random(): DuckDB never moves a
   * filter on a volatile column down through projections, where it would replace each column the
   * condition reads by its definition and compute it again (parsing a record once per reference).
   */
  wrap(source: string, where?: string): string {
    const all = [...this.defs.values()];
    const base = `(SELECT * FROM ${source}) AS ${SOURCE_ALIAS}`;
    if (where === undefined) return this.stack(base, all);
    const below = this.stack(base, all.filter((d) => d.filter));
    const filtered = `(SELECT * FROM (SELECT *, (random() < 2.0 AND ${where}) AS "s3_where" FROM ${below}) AS ${SOURCE_ALIAS} ` +
      `WHERE ${SOURCE_ALIAS}."s3_where") AS ${SOURCE_ALIAS}`;
    return this.stack(filtered, all.filter((d) => !d.filter));
  }

  /** Projections computing `defs` over `from`, each level reading those beneath. */
  private stack(from: string, defs: readonly Definition[]): string {
    const levels = new Map<RowColumn, number>();
    const levelOf = (c: RowColumn): number => {
      const def = defs.find((d) => d.column === c);
      if (!def) return 0; // beneath: a column of `from`
      let l = levels.get(c);
      if (l === undefined) {
        l = 1 + Math.max(0, ...inputsOf(def).map(levelOf));
        levels.set(c, l);
      }
      return l;
    };
    const top = Math.max(0, ...defs.map((d) => levelOf(d.column)));
    for (let l = 1; l <= top; l++) {
      const cols = defs.filter((d) => levelOf(d.column) === l).flatMap((d) => {
        const sql = d.sql();
        return sql === undefined ? [] : [`${sql} AS ${d.column.inner}`];
      });
      if (cols.length > 0) from = `(SELECT *, ${cols.join(', ')} FROM ${from}) AS ${SOURCE_ALIAS}`;
    }
    return from;
  }
}
