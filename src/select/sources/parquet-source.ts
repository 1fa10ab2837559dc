// Parquet objects: DuckDB reads them natively (projection and filter pushdown, typed columns). A ScanRange
// selects the row groups whose first byte lies in the range, as AWS defines it for Parquet.
import type { Engine } from '../../duckdb/engine.js';
import { s3Error } from '../../errors.js';
import { resolveScanRange } from './scan-range.js';
import { sqlString, type PreparedSource, type SourceContext } from './source.js';

interface RowGroup { id: number; firstRow: number; rows: number; start: number; bytes: number }

async function rowGroups(engine: Engine, path: string): Promise<RowGroup[]> {
  const rows = await engine.queryRows(
    `SELECT row_group_id AS id, any_value(row_group_num_rows) AS rows, ` +
    `min(coalesce(dictionary_page_offset, data_page_offset)) AS start, sum(total_compressed_size) AS bytes ` +
    `FROM parquet_metadata(${sqlString(path)}) GROUP BY row_group_id ORDER BY row_group_id`);
  let firstRow = 0;
  return rows.map((r) => {
    const g = { id: Number(r.id), firstRow, rows: Number(r.rows), start: Number(r.start), bytes: Number(r.bytes) };
    firstRow += g.rows;
    return g;
  });
}

export async function prepareParquet(ctx: SourceContext, engine: Engine): Promise<PreparedSource> {
  const path = ctx.localPath;
  if (!path) throw s3Error('InvalidRequest', 'Parquet objects can only be queried on a store with local files.');
  const describe = async () => {
    const schema = await engine.queryRows(`DESCRIBE SELECT * FROM read_parquet(${sqlString(path)})`);
    return schema.map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
  };
  const columns = ctx.facts ? await ctx.facts.get(ctx.bucket, ctx.key, ctx.info, 'parquet schema', describe) : await describe();
  let rowFilter = '';
  let scanned = ctx.info.size;
  if (ctx.request.scanRange) {
    const span = resolveScanRange(ctx.request.scanRange, ctx.info.size);
    const groups = span ? (await rowGroups(engine, path)).filter((g) => g.start >= span.start && g.start <= span.end) : [];
    scanned = groups.reduce((n, g) => n + g.bytes, 0);
    rowFilter = groups.length === 0
      ? 'false'
      : groups.map((g) => `file_row_number BETWEEN ${g.firstRow} AND ${g.firstRow + g.rows - 1}`).join(' OR ');
  }
  return {
    shape: { format: 'columnar', columns },
    fingerprint: `parquet:${JSON.stringify(columns)}`,
    relation() {
      if (!rowFilter) return `read_parquet(${sqlString(path)}) AS t`;
      return `(SELECT * EXCLUDE (file_row_number) FROM read_parquet(${sqlString(path)}, file_row_number = true) WHERE ${rowFilter}) AS t`;
    },
    counters: () => ({ scanned, processed: scanned }),
    close: async () => {},
  };
}
