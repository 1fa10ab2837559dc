// Top-level keys of a JSON shadow as columns of their own. Beside the record `j`, the shadow keeps each
// top-level key's value as JSON (NULL where the record lacks the key, JSON `null` where it holds null),
// so a query reading `s.delay` reads one small column instead of parsing every whole record.
//
// A column holds exactly what json_extract(j, '$."key"') gives, the expression the translator would
// otherwise compute. A key whose every value is null or an int written as DuckDB writes a BIGINT also
// gets that BIGINT as a column: sums and comparisons then skip the text. A key whose every value is null
// or a number gets a DOUBLE column, if equal DOUBLEs have equal texts (so the extreme DOUBLE names one
// text: no 5 beside 5.0) and no int is beyond ±2^53: MIN, MAX and ordering then skip the text. When every record has the same
// keys in the same order, the list is in that order (SELECT * to CSV then reads the columns).
// The key list is only used when it is complete and unambiguous:
//   - no record repeats a key (a repeated key would make the case-insensitive lookup fail per row);
//   - no key is empty (JSONPath cannot name it);
//   - at most MAX_KEY_COLUMNS keys (a wide, sparse object set would bloat the shadow).
// Otherwise the shadow has `j` alone and queries parse records as before.
import type { SourceShape } from '../translate/index.js';
import { intColumnName, keyColumnName, numColumnName } from '../translate/json-views.js';
import { ident, jsonPathKey, sqlString } from '../translate/sqltext.js';
import { intAgreesSql } from './int-columns.js';

export const MAX_KEY_COLUMNS = 256;

/** Runs a query and returns its rows (the engine's queryRows, or a plain connection in tests). */
export type RowQuery = (sql: string) => Promise<Record<string, unknown>[]>;

/** The top-level keys of a file's records; `uniform` when every record is an object with exactly these keys in this order. */
interface TopLevelKeys { keys: string[]; uniform: boolean }

/**
 * The top-level keys of the records in the Parquet file `file` (column `j`), or undefined when they
 * cannot be columns (see above). In record order when uniform, else sorted.
 */
async function topLevelKeys(query: RowQuery, file: string): Promise<TopLevelKeys | undefined> {
  const src = `read_parquet(${sqlString(file)})`;
  const [stats] = await query(
    'SELECT coalesce(bool_or(len(k) <> len(list_distinct(k))), false) AS dup, count(DISTINCT k) AS layouts, ' +
    'any_value(k) AS layout, coalesce(bool_and(o), false) AS objects ' +
    `FROM (SELECT coalesce(json_keys(j), []) AS k, ascii(CAST(j AS VARCHAR)) = 123 AS o FROM ${src})`);
  if (!stats || stats.dup !== false) return undefined;
  let keys: string[];
  const layout = Array.isArray(stats.layout) ? stats.layout.map(String) : [];
  const uniform = Number(stats.layouts) === 1 && stats.objects === true && layout.length > 0;
  if (uniform) {
    keys = layout;
  } else {
    const rows = await query(`SELECT DISTINCT unnest(json_keys(j)) AS k FROM ${src} ORDER BY k LIMIT ${MAX_KEY_COLUMNS + 1}`);
    keys = rows.map((r) => String(r.k));
  }
  if (keys.length > MAX_KEY_COLUMNS || keys.includes('')) return undefined;
  return { keys, uniform };
}

/**
 * A SELECT over the file `file` (column `j`) yielding j and, per key of `keys`, its value and that value
 * as a BIGINT where it reads as one (kept only where it agrees with the text: see int-columns.ts).
 */
function withKeyColumnsSql(file: string, keys: readonly string[]): string {
  const src = `read_parquet(${sqlString(file)})`;
  if (keys.length === 0) return `SELECT j FROM ${src}`;
  const paths = keys.map((k) => sqlString('$' + jsonPathKey(k)));
  // One json_extract with a list of paths parses each record once for all keys.
  const extract = keys.length === 1 ? `[json_extract(j, ${paths[0]!})]` : `json_extract(j, [${paths.join(', ')}])`;
  const cols = keys.flatMap((_, i) => [
    `"s3_e"[${i + 1}] AS ${ident(keyColumnName(i))}`,
    `TRY_CAST(CAST("s3_e"[${i + 1}] AS VARCHAR) AS BIGINT) AS ${ident(intColumnName(i))}`,
    `TRY_CAST(CAST("s3_e"[${i + 1}] AS VARCHAR) AS DOUBLE) AS ${ident(numColumnName(i))}`,
  ]);
  return `SELECT j, ${cols.join(', ')} FROM (SELECT j, ${extract} AS "s3_e" FROM ${src})`;
}

/** The keys of `keys` (columns as withKeyColumnsSql wrote them to `file`) whose BIGINT column may stand in for them. */
async function intKeys(query: RowQuery, file: string, keys: readonly string[]): Promise<string[]> {
  if (keys.length === 0) return [];
  const checks = keys.map((_, i) => `${intAgreesSql(`CAST(${ident(keyColumnName(i))} AS VARCHAR)`, ident(intColumnName(i)), ['null'])} AS "ok${i}"`);
  const [row] = await query(`SELECT ${checks.join(', ')} FROM read_parquet(${sqlString(file)})`);
  return keys.filter((_, i) => row?.[`ok${i}`] === true);
}

/** An aggregate, true when the DOUBLE column `num` may stand for the JSON text `text` (see above). */
function numAgreesSql(text: string, num: string): string {
  return `count(${num}) > 0 AND bool_and(CASE WHEN ${text} IS NULL OR ${text} = 'null' THEN true ` +
    `WHEN ${num} IS NULL THEN false WHEN s3t_tisint(${text}) THEN coalesce(abs(TRY_CAST(${text} AS HUGEINT)) <= 9007199254740992, false) ELSE true END) ` +
    `AND count(DISTINCT ${text}) FILTER (WHERE ${num} IS NOT NULL) = count(DISTINCT ${num})`;
}

/** The keys of `keys` not in `ints` whose DOUBLE column may stand in for them. */
async function numKeys(query: RowQuery, file: string, keys: readonly string[], ints: readonly string[]): Promise<string[]> {
  const candidates = keys.flatMap((k, i) => (ints.includes(k) ? [] : [i]));
  if (candidates.length === 0) return [];
  const checks = candidates.map((i) => `${numAgreesSql(`CAST(${ident(keyColumnName(i))} AS VARCHAR)`, ident(numColumnName(i)))} AS "ok${i}"`);
  const [row] = await query(`SELECT ${checks.join(', ')} FROM read_parquet(${sqlString(file)})`);
  return candidates.flatMap((i) => (row?.[`ok${i}`] === true ? [keys[i]!] : []));
}

/**
 * Writes the shadow `file` from `records` (a Parquet file of the records, column `j`) and returns the
 * shape queries over it compile against: j alone, or j with the key columns (see above).
 */
export async function writeKeyedJson(query: RowQuery, records: string, file: string): Promise<SourceShape> {
  // The key set is known only after a full pass over the records.
  const found = await topLevelKeys(query, records);
  await query(`COPY (${withKeyColumnsSql(records, found?.keys ?? [])}) TO ${sqlString(file)} (FORMAT parquet)`);
  if (!found) return { format: 'json' };
  const shape: SourceShape = { format: 'json', jsonKeys: found.keys };
  const ints = await intKeys(query, file, found.keys);
  if (ints.length > 0) shape.jsonIntKeys = ints;
  const nums = await numKeys(query, file, found.keys, ints);
  if (nums.length > 0) shape.jsonNumKeys = nums;
  if (found.uniform) shape.jsonUniform = true;
  return shape;
}

/** The relation reading a keyed shadow `file` as the translator expects it for `shape`. */
export function keyedJsonRelation(file: string, shape: SourceShape): string {
  const ints = new Set(shape.jsonIntKeys ?? []);
  const nums = new Set(shape.jsonNumKeys ?? []);
  const cols = ['CAST(j AS JSON) AS j', ...(shape.jsonKeys ?? []).flatMap((k, i) => [
    ident(keyColumnName(i)), ...(ints.has(k) ? [ident(intColumnName(i))] : []), ...(nums.has(k) ? [ident(numColumnName(i))] : []),
  ])];
  return `(SELECT ${cols.join(', ')} FROM read_parquet(${sqlString(file)})) AS t`;
}
