// Translates an S3 Select SQL expression into one DuckDB SELECT whose single VARCHAR column `line`
// holds each output record fully rendered (CSV fields quoted and joined, or a JSON object), without the
// record delimiter.
//
// Relations the caller substitutes for the FROM source (any alias; columns are referenced unqualified):
//   csv       read_csv(<path>, header = false, auto_detect = false, columns = {'c1': 'VARCHAR', …},
//             null_padding = true, nullstr = <a mark no data uses>, …) AS t
//             — c1..cN as VARCHAR, N >= csvWidth and >= every index in referenced.csvIndexes; an empty
//             field is '' and a field past the end of a short row is NULL (read as MISSING).
//   json      read_json(<path>, format = 'newline_delimited' | 'auto', records = false,
//             columns = {j: 'JSON'}, …) AS t — one row per top-level value, in column j; with
//             shape.jsonKeys, also one JSON column per top-level key (see keyColumnName in json-views.ts).
//   columnar  read_parquet(<path>) AS t (or any relation with the columns of shape.columns).
// The session time zone must be UTC (TIMESTAMP WITH TIME ZONE columns convert through it), and the
// macros of sql/*.sql must be loaded.
import { analyze, parseSql, type Analysis, type InputDescription, type OrderItem } from '../sql/index.js';
import { parseDuckType } from './duck-types.js';
import { ExprTranslator } from './expr.js';
import { fromSql, RECORD, RECORD_COLUMN } from './from.js';
import { JsonPaths, type KeyColumns } from './json-views.js';
import { refValue, starOf, type Source } from './paths.js';
import { renderLine, type OutputFormat, type OutputItem } from './render.js';
import { RowColumns } from './rows.js';

export type { OutputFormat } from './render.js';

export interface SourceShape {
  format: 'csv' | 'json' | 'columnar';
  csvWidth?: number;
  /**
   * CSV: 1-based columns whose every value is NULL or an int written exactly as DuckDB writes a BIGINT;
   * column i<N> of the relation holds that BIGINT (the columnar cache keeps it beside c<N>).
   */
  csvIntColumns?: number[];
  csvHeader?: string[];
  /**
   * JSON: every top-level key that occurs in any record (none occurs twice in one record), the i-th
   * readable as column keyColumnName(i) holding json_extract(j, '$."key"').
   */
  jsonKeys?: string[];
  /**
   * JSON: keys of jsonKeys whose every value is MISSING, null or an int whose text is exactly its
   * BIGINT's; for such a key, column intColumnName(i) holds that BIGINT (NULL for MISSING and null).
   */
  jsonIntKeys?: string[];
  /**
   * JSON: keys of jsonKeys (none of jsonIntKeys) whose every value is MISSING, null or a number, where
   * equal numbers have equal texts and no int is beyond ±2^53; for such a key, column numColumnName(i)
   * holds the value as a DOUBLE (NULL for MISSING and null).
   */
  jsonNumKeys?: string[];
  /** JSON: every record is an object with exactly the keys of jsonKeys, in that order. */
  jsonUniform?: boolean;
  columns?: { name: string; type: string }[];
}

export interface Translation {
  /** The DuckDB SELECT for `relation` (the FROM source, see above). */
  sql(relation: string): string;
  /** Columns that must be read (csv: 1-based indexes; json/columnar: top-level keys); all = everything. */
  referenced: { all: boolean; csvIndexes?: number[]; keys?: string[] };
}

function sourceOf(shape: SourceShape, rows: RowColumns, fromPath: boolean): Source {
  const header = shape.csvHeader ?? [];
  const width = Math.max(shape.csvWidth ?? 0, header.length);
  const src: Source = {
    format: shape.format,
    csvNames: Array.from({ length: width }, (_, i) => header[i] ?? `_${i + 1}`),
    csvInts: new Set((shape.csvIntColumns ?? []).map((n) => n - 1)),
    columns: (shape.columns ?? []).map((c) => ({ name: c.name, type: parseDuckType(c.type) })),
    record: RECORD_COLUMN,
  };
  // A FROM path re-binds the record below the top level, where the key columns do not apply.
  if (shape.format === 'json') src.json = new JsonPaths(rows, RECORD, fromPath ? undefined : keyColumns(shape));
  return src;
}

function keyColumns(shape: SourceShape): KeyColumns | undefined {
  if (!shape.jsonKeys) return undefined;
  const ints = new Set(shape.jsonIntKeys ?? []);
  const nums = new Set(shape.jsonNumKeys ?? []);
  return { keys: shape.jsonKeys, ints: shape.jsonKeys.map((k) => ints.has(k)), nums: shape.jsonKeys.map((k) => nums.has(k)), uniform: shape.jsonUniform === true };
}

function outputItems(a: Analysis, tr: ExprTranslator, valuesOnly: boolean): OutputItem[] {
  if (a.output.kind === 'all') return [{ kind: 'star', members: starOf(tr.source, 'record', valuesOnly) }];
  return a.output.columns.map((c, i) => {
    if (c.kind === 'star') {
      const ref = c.ref;
      if (ref.kind === 'outputAlias') throw new Error('unreachable: .* of an ORDER BY alias');
      const members = starOf(tr.source, ref.kind === 'row' ? 'record' : refValue(tr.source, ref), valuesOnly);
      return { kind: 'star', members };
    }
    const expr = tr.expr(c.expr);
    tr.aliasItems[i] = expr;
    return { kind: 'value', name: c.name, expr };
  });
}

/** ORDER BY keys; NULL and MISSING sort last ascending and first descending unless NULLS says otherwise. */
function orderKeys(order: readonly OrderItem[], tr: ExprTranslator): { key: string; dir: string }[] {
  return order.flatMap((o) => {
    const dir = `${o.direction} NULLS ${o.nulls ?? (o.direction === 'ASC' ? 'LAST' : 'FIRST')}`;
    return tr.sortKeys(tr.expr(o.expr)).map((key) => ({ key, dir }));
  });
}

/** Parses, analyses and translates `sqlText`; throws S3Error (parse, name and type errors). */
export function translate(sqlText: string, shape: SourceShape, output: OutputFormat): Translation {
  const stmt = parseSql(sqlText);
  const input: InputDescription = { format: shape.format };
  if (shape.csvHeader) input.csvHeader = shape.csvHeader;
  if (shape.columns) input.columns = shape.columns.map((c) => c.name);
  const a = analyze(stmt, input);
  const rows = new RowColumns();
  const tr = new ExprTranslator(sourceOf(shape, rows, stmt.from.steps.length > 0), a.resolved, a.aggregate);

  const line = tr.perGroup(() => renderLine(outputItems(a, tr, output.kind === 'csv'), output));
  let where = '';
  let filter: string | undefined;
  if (stmt.where && shape.format === 'json') {
    // A condition reading per-row columns filters between them (see RowColumns.wrap).
    const cond = rows.forFilter(() => tr.filterCondition(stmt.where!));
    if (cond.readsColumns) filter = cond.sql;
    else where = ` WHERE ${cond.sql}`;
  } else if (stmt.where) {
    where = ` WHERE ${tr.condition(stmt.where, 'WHERE')}`;
  }
  const group = tr.perGroup(() => (stmt.groupBy.length > 0 ? ` GROUP BY ${stmt.groupBy.map((g) => tr.expr(g).sql).join(', ')}` : ''));
  const having = tr.perGroup(() => (stmt.having ? ` HAVING ${tr.condition(stmt.having, 'HAVING')}` : ''));
  const keys = tr.perGroup(() => orderKeys(stmt.orderBy, tr));
  const limit = a.limit !== undefined ? ` LIMIT ${a.limit.toString()}` : '';

  const sql = (relation: string): string => {
    const body = `FROM ${rows.wrap(fromSql(stmt.from, shape.format, relation), filter)}${where}${group}${having}`;
    if (!stmt.distinct) {
      const orderBy = keys.length ? ` ORDER BY ${keys.map((k) => `${k.key} ${k.dir}`).join(', ')}` : '';
      return `SELECT ${line} AS line ${body}${orderBy}${limit}`;
    }
    if (keys.length > 0) {
      // DISTINCT rows, sorted by keys computed beside them (the analyzer keeps keys within the select list).
      const cols = keys.map((k, i) => `${k.key} AS "s3_k${i}"`);
      const outer = keys.map((k, i) => `"s3_k${i}" ${k.dir}`);
      return `SELECT line FROM (SELECT DISTINCT ${line} AS line, ${cols.join(', ')} ${body}) AS "s3_distinct" ORDER BY ${outer.join(', ')}${limit}`;
    }
    // DISTINCT keeps each record's first occurrence, in input order.
    return `SELECT line FROM (SELECT ${line} AS line, row_number() OVER () AS "s3_rn" ${body}) AS "s3_distinct" ` +
      `GROUP BY line ORDER BY min("s3_rn")${limit}`;
  };

  const r = a.referenced;
  const referenced: Translation['referenced'] = r.format === 'csv'
    ? { all: r.all, csvIndexes: r.indexes.map((i) => i + 1) }
    : { all: r.all, keys: r.keys.map((k) => k.name) };
  return { sql, referenced };
}
