// Runs a checked statement and feeds its result into the response sink. CSV, TSV and Parquet come from
// DuckDB's COPY through the engine's FIFO; JSON, JSON lines and Arrow are encoded from data chunks.
// The row limit is enforced inside DuckDB: a streaming row_number() makes the query fail at row max+1
// (before any output for small limits), so no format silently truncates.
import { VARCHAR, type DuckDBType, type DuckDBValue } from '@duckdb/node-api';
import type { Readable } from 'node:stream';
import type { ChunkStream, Engine } from '../duckdb/engine.js';
import { s3Error } from '../errors.js';
import { copyFormatOf, rowEncoder, type OutputFormat, type Statistics } from './formats.js';
import type { ResultSink } from './response.js';

export type Params = DuckDBValue[] | Record<string, DuckDBValue>;

export interface Execution {
  /** The rewritten statement (one SELECT / DESCRIBE / SUMMARIZE, no trailing semicolon). */
  body: string;
  /** 'EXPLAIN ' / 'EXPLAIN ANALYZE ' or ''. */
  explain: string;
  params?: Params;
  format: OutputFormat;
  signal: AbortSignal;
  timeoutMs: number;
  /** 0 = no limit. */
  maxRows: number;
  /** Request start (performance.now()) and the bytes of the objects referenced, for the statistics. */
  startedAt: number;
  bytesRead: number;
}

const ROW_COLUMN = '__selectd_row';

/** The statement as a subquery, failing at row maxRows + 1 when a limit is set. */
export function limitedSql(body: string, maxRows: number): string {
  if (maxRows <= 0) return `SELECT * FROM (\n${body}\n)`;
  const message = `SqlResultTooLarge: The result has more than ${maxRows} rows; narrow the query (LIMIT, WHERE).`;
  return `SELECT * EXCLUDE (${ROW_COLUMN}) FROM (SELECT *, row_number() OVER () AS ${ROW_COLUMN} FROM (\n${body}\n))` +
    ` WHERE CASE WHEN ${ROW_COLUMN} > ${maxRows} THEN error('${message}') ELSE true END`;
}

function statistics(x: Execution, rows: number): Statistics {
  return { elapsed: Number(((performance.now() - x.startedAt) / 1000).toFixed(6)), rowsRead: rows, bytesRead: x.bytesRead };
}

/** Runs the statement; resolves with the number of rows sent (-1 when DuckDB wrote the bytes itself). */
export async function execute(engine: Engine, x: Execution, sink: ResultSink): Promise<number> {
  const opts = { signal: x.signal, timeoutMs: x.timeoutMs };
  if (x.explain) return explain(engine, x, sink);
  const sql = limitedSql(x.body, x.maxRows);
  const copy = copyFormatOf(x.format);
  if (copy) {
    await pipe(await engine.copyToStream(sql, x.params, copy, opts), sink);
    return -1;
  }
  const chunks = await engine.streamChunks(sql, x.params, opts);
  try {
    return await encodeChunks(chunks, x, sink);
  } finally {
    chunks.close();
  }
}

async function pipe(stream: Readable, sink: ResultSink): Promise<void> {
  try {
    for await (const chunk of stream) await sink.write(chunk as Buffer);
  } finally {
    stream.destroy();
  }
}

async function encodeChunks(chunks: ChunkStream, x: Execution, sink: ResultSink): Promise<number> {
  const width = chunks.columnNames.length;
  const encoder = rowEncoder(x.format, chunks.columnNames, chunks.columnTypes);
  await sink.write(encoder.start());
  let rows = 0;
  for await (const chunk of chunks) {
    const n = chunk.rowCount;
    const columns: DuckDBValue[][] = [];
    for (let k = 0; k < width; k++) columns.push(chunk.getColumnVector(k).toArray().slice(0, n));
    rows += n;
    await sink.write(encoder.batch(columns, n));
  }
  await sink.write(encoder.finish(statistics(x, rows)));
  return rows;
}

/** EXPLAIN cannot be a subquery or a COPY source: it runs as is and its few rows are encoded here. */
async function explain(engine: Engine, x: Execution, sink: ResultSink): Promise<number> {
  if (x.format === 'parquet') throw s3Error('InvalidArgument', 'EXPLAIN output is not available as Parquet; ask for json, jsonl, csv, tsv or arrow.');
  const rows = await engine.queryRows(x.explain + x.body, x.params, { signal: x.signal, timeoutMs: x.timeoutMs });
  const names = rows.length > 0 ? Object.keys(rows[0]!) : ['explain_key', 'explain_value'];
  const types: DuckDBType[] = names.map(() => VARCHAR);
  const encoder = rowEncoder(x.format, names, types);
  const columns = names.map((n) => rows.map((r) => (r[n] === null || r[n] === undefined ? null : String(r[n]))));
  await sink.write(encoder.start());
  await sink.write(encoder.batch(columns, rows.length));
  await sink.write(encoder.finish(statistics(x, rows.length)));
  return rows.length;
}
