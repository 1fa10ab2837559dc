// The FROM clause, always a derived table aliased "s3_src" (see SOURCE_ALIAS; rows.ts adds per-row
// columns to it). CSV and columnar inputs select the relation as it is (DuckDB still pushes projections
// and filters into the reader). For JSON, `FROM S3Object[*].a[*].b` walks each record: field and index
// steps navigate, `[*]` unnests an array's elements and `.*` an object's member values, one derived
// table per wildcard, each re-binding the column "j" to the current value. A wildcard with nothing to
// expand (missing value, empty array, not an array) yields one MISSING row, which S3 Select prints as
// `{}`; filter it with `IS NOT MISSING`.
import type { FromClause, PathStep } from '../sql/index.js';
import { column, jsonAccess } from './paths.js';
import type { RowColumn } from './rows.js';

const J = '"j"';
/** The JSON record (or the FROM path's value) in expressions, and inside the per-row projections. */
export const RECORD_COLUMN = column('j');
export const RECORD: RowColumn = { inner: J, ref: RECORD_COLUMN };

/** The source relation with an alias, before the per-row projections (rows.ts) that make it "s3_src". */
export function fromSql(from: FromClause, format: 'csv' | 'json' | 'columnar', relation: string): string {
  if (format !== 'json' || from.steps.length === 0) return relation;
  let current = relation;
  let pending: PathStep[] = [];
  let level = 0;
  for (const step of from.steps) {
    if (step.kind === 'wildcard' || step.kind === 'unpivot') {
      const value = jsonAccess(J, pending);
      const expand = step.kind === 'wildcard' ? 's3t_expand_arr' : 's3t_expand_obj';
      current = `(SELECT unnest(${expand}(${value})) AS ${J} FROM ${current}) AS "s3_from${++level}"`;
      pending = [];
    } else {
      pending.push(step);
    }
  }
  return `(SELECT ${jsonAccess(J, pending)} AS ${J} FROM ${current}) AS "s3_from"`;
}
