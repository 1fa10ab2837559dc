// Output formats of /_sql: names, media types, negotiation, and the encoders for results that pass
// through JS (JSON, JSON lines, Arrow, and text tables for EXPLAIN). CSV, TSV and Parquet of ordinary
// queries are written by DuckDB itself (COPY), see execute.ts.
import type { DuckDBType, DuckDBValue } from '@duckdb/node-api';
import type { CopyFormat } from '../duckdb/engine.js';
import { s3Error } from '../errors.js';
import { ArrowStreamEncoder } from './arrow.js';
import { jsonConverter, nullable, typeName } from './json-values.js';

export type OutputFormat = 'json' | 'jsonl' | 'csv' | 'tsv' | 'arrow' | 'parquet';

export const CONTENT_TYPES: Readonly<Record<OutputFormat, string>> = {
  json: 'application/json; charset=utf-8',
  jsonl: 'application/x-ndjson; charset=utf-8',
  csv: 'text/csv; charset=utf-8; header=present',
  tsv: 'text/tab-separated-values; charset=utf-8',
  arrow: 'application/vnd.apache.arrow.stream',
  parquet: 'application/vnd.apache.parquet',
};

const NAMES: Readonly<Record<string, OutputFormat>> = {
  json: 'json', jsonl: 'jsonl', ndjson: 'jsonl', jsonlines: 'jsonl', csv: 'csv', tsv: 'tsv', arrow: 'arrow',
  arrows: 'arrow', 'arrow-stream': 'arrow', parquet: 'parquet',
};

const MEDIA_TYPES: Readonly<Record<string, OutputFormat>> = {
  'application/json': 'json', 'application/x-ndjson': 'jsonl', 'application/ndjson': 'jsonl', 'application/jsonl': 'jsonl',
  'text/csv': 'csv', 'text/tab-separated-values': 'tsv', 'application/vnd.apache.arrow.stream': 'arrow',
  'application/vnd.apache.parquet': 'parquet', 'application/x-parquet': 'parquet', 'application/parquet': 'parquet',
};

/** The format named explicitly (query string / JSON body), else the first known type in Accept, else JSON. */
export function chooseFormat(explicit: string | undefined, accept: string | undefined): OutputFormat {
  if (explicit !== undefined && explicit !== '') {
    const f = NAMES[explicit.toLowerCase()];
    if (!f) throw s3Error('InvalidArgument', `Unknown format ${JSON.stringify(explicit)}; use one of json, jsonl, csv, tsv, arrow, parquet.`);
    return f;
  }
  for (const part of (accept ?? '').split(',')) {
    const f = MEDIA_TYPES[part.split(';', 1)[0]!.trim().toLowerCase()];
    if (f) return f;
  }
  return 'json';
}

/** How DuckDB writes the format with COPY, for the formats it writes itself. */
export function copyFormatOf(f: OutputFormat): CopyFormat | undefined {
  switch (f) {
    case 'csv': return { format: 'csv', header: true };
    case 'tsv': return { format: 'csv', header: true, delimiter: '\t' };
    case 'parquet': return { format: 'parquet', compression: 'zstd' };
    default: return undefined;
  }
}

export interface Statistics {
  /** Seconds since the request arrived. */
  elapsed: number;
  rowsRead: number;
  bytesRead: number;
}

/** Encodes a result chunk by chunk; each call returns the bytes to send next. */
export interface RowEncoder {
  start(): Buffer;
  /** `columns[k]` holds column k's values for `rowCount` rows. */
  batch(columns: readonly (readonly DuckDBValue[])[], rowCount: number): Buffer;
  finish(stats: Statistics): Buffer;
}

function rowObjects(names: readonly string[], types: readonly DuckDBType[]) {
  const keys = names.map((n) => JSON.stringify(n));
  const convs = types.map((t) => nullable(jsonConverter(t)));
  return (columns: readonly (readonly DuckDBValue[])[], rowCount: number): string[] => {
    const rows: string[] = new Array(rowCount);
    for (let r = 0; r < rowCount; r++) {
      let s = '{';
      for (let k = 0; k < keys.length; k++) s += (k ? ',' : '') + keys[k] + ':' + convs[k]!(columns[k]![r]!);
      rows[r] = s + '}';
    }
    return rows;
  };
}

function jsonEncoder(names: readonly string[], types: readonly DuckDBType[]): RowEncoder {
  const rows = rowObjects(names, types);
  let count = 0;
  return {
    start: () => Buffer.from(`{"meta":${JSON.stringify(names.map((name, i) => ({ name, type: typeName(types[i]!) })))},"data":[`),
    batch(columns, rowCount) {
      const text = rows(columns, rowCount).join(',\n');
      const sep = count > 0 && rowCount > 0 ? ',\n' : rowCount > 0 ? '\n' : '';
      count += rowCount;
      return Buffer.from(sep + text);
    },
    finish: (s) => Buffer.from(`\n],"rows":${count},"statistics":${JSON.stringify({ elapsed: s.elapsed, rows_read: s.rowsRead, bytes_read: s.bytesRead })}}\n`),
  };
}

function jsonlEncoder(names: readonly string[], types: readonly DuckDBType[]): RowEncoder {
  const rows = rowObjects(names, types);
  return {
    start: () => Buffer.alloc(0),
    batch: (columns, rowCount) => Buffer.from(rowCount > 0 ? rows(columns, rowCount).join('\n') + '\n' : ''),
    finish: () => Buffer.alloc(0),
  };
}

/** Delimited text for results DuckDB cannot COPY (EXPLAIN): values as text, quoted when needed. */
function delimitedEncoder(names: readonly string[], delimiter: string): RowEncoder {
  const field = (v: DuckDBValue) => {
    if (v === null || v === undefined) return '';
    const s = String(v);
    return /["\r\n]/.test(s) || s.includes(delimiter) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return {
    start: () => Buffer.from(names.map(field).join(delimiter) + '\n'),
    batch(columns, rowCount) {
      let out = '';
      for (let r = 0; r < rowCount; r++) out += columns.map((c) => field(c[r]!)).join(delimiter) + '\n';
      return Buffer.from(out);
    },
    finish: () => Buffer.alloc(0),
  };
}

function arrowEncoder(names: readonly string[], types: readonly DuckDBType[]): RowEncoder {
  const enc = new ArrowStreamEncoder(names, types);
  return { start: () => enc.start(), batch: (c, n) => enc.batch(c, n), finish: () => enc.finish() };
}

export function rowEncoder(format: OutputFormat, names: readonly string[], types: readonly DuckDBType[]): RowEncoder {
  switch (format) {
    case 'json': return jsonEncoder(names, types);
    case 'jsonl': return jsonlEncoder(names, types);
    case 'arrow': return arrowEncoder(names, types);
    case 'csv': return delimitedEncoder(names, ',');
    case 'tsv': return delimitedEncoder(names, '\t');
    case 'parquet': throw s3Error('InvalidArgument', 'This result is not available as Parquet; ask for json, jsonl, csv, tsv or arrow.');
  }
}
