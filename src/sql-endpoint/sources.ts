// How DuckDB reads an object named in FROM: the format (and compression) from the key's extension, then
// the Content-Type, then the first bytes. This is the one place that maps objects to readers; new
// formats plug in here (and, if they read through a new table function, in policy.ts's FILE_READERS).
import { open } from 'node:fs/promises';
import { gunzipSync, constants as zlibConstants } from 'node:zlib';
import type { ObjectInfo } from '../store/store.js';
import { sqlString } from './sqltext.js';

export type Compression = 'gzip' | 'zstd';

export interface SqlSource {
  /** Format name as shown to clients (`csv`, `tsv`, `json`, `parquet`). */
  format: string;
  compression?: Compression;
  /** Objects with equal keys can be read by one relation (the objects of a glob must agree). */
  key: string;
  /** A FROM-clause relation reading these local files, all of this source's kind. */
  relation(paths: readonly string[]): string;
}

type Format = 'csv' | 'tsv' | 'json' | 'parquet';

const EXTENSIONS: Record<string, Format> = {
  csv: 'csv', tsv: 'tsv', tab: 'tsv', json: 'json', jsonl: 'json', ndjson: 'json', parquet: 'parquet', pq: 'parquet', parq: 'parquet',
};
const COMPRESSIONS: Record<string, Compression> = { gz: 'gzip', gzip: 'gzip', zst: 'zstd', zstd: 'zstd' };
const CONTENT_TYPES: Record<string, Format> = {
  'text/csv': 'csv', 'application/csv': 'csv', 'text/tab-separated-values': 'tsv',
  'application/json': 'json', 'application/x-ndjson': 'json', 'application/ndjson': 'json', 'application/jsonl': 'json',
  'application/json-lines': 'json', 'application/vnd.apache.parquet': 'parquet', 'application/x-parquet': 'parquet',
  'application/parquet': 'parquet',
};

/** Format and compression from the key's extensions, e.g. `a.csv.gz`. */
function fromKey(key: string): { format?: Format; compression?: Compression } {
  const parts = key.slice(key.lastIndexOf('/') + 1).toLowerCase().split('.').slice(1);
  const compression = COMPRESSIONS[parts.at(-1) ?? ''];
  const ext = compression ? parts.at(-2) : parts.at(-1);
  return { format: ext ? EXTENSIONS[ext] : undefined, compression };
}

function fromHeaders(info: ObjectInfo): { format?: Format; compression?: Compression } {
  const type = (info.contentType ?? '').split(';', 1)[0]!.trim().toLowerCase();
  const encoding = (info.contentEncoding ?? '').trim().toLowerCase();
  return { format: CONTENT_TYPES[type], compression: encoding === 'gzip' ? 'gzip' : encoding === 'zstd' ? 'zstd' : undefined };
}

async function head(path: string, bytes: number): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await fh.read(buf, 0, bytes, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** Parquet by its magic, JSON by a leading `{` or `[`, otherwise CSV. */
function formatOfBytes(b: Buffer): Format {
  if (b.subarray(0, 4).toString('latin1') === 'PAR1') return 'parquet';
  const text = b.toString('utf8').replace(/^\uFEFF/, '').trimStart();
  return text.startsWith('{') || text.startsWith('[') ? 'json' : 'csv';
}

function compressionOfBytes(b: Buffer): Compression | undefined {
  if (b[0] === 0x1f && b[1] === 0x8b) return 'gzip';
  if (b.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
  return undefined;
}

function makeSource(format: Format, compression: Compression | undefined): SqlSource {
  const opts = compression ? `, compression = ${sqlString(compression)}` : '';
  const list = (paths: readonly string[]) => `[${paths.map(sqlString).join(', ')}]`;
  const relation = (paths: readonly string[]): string => {
    switch (format) {
      case 'parquet': return `read_parquet(${list(paths)})`;
      case 'json': return `read_json_auto(${list(paths)}${opts})`;
      case 'tsv': return `read_csv_auto(${list(paths)}, delim = '\t'${opts})`;
      case 'csv': return `read_csv_auto(${list(paths)}${opts})`;
    }
  };
  return { format, compression, key: `${format}+${compression ?? ''}`, relation };
}

/** Chooses how to read the object whose bytes are in the local file `path`. */
export async function sourceFor(info: ObjectInfo, path: string): Promise<SqlSource> {
  const byKey = fromKey(info.key);
  const byHeaders = fromHeaders(info);
  let format = byKey.format ?? byHeaders.format;
  let compression = byKey.compression ?? byHeaders.compression;
  // Object files have no extension, so DuckDB cannot guess compression itself: look at the bytes.
  if (format !== 'parquet' && (compression === undefined || format === undefined) && info.size > 0) {
    const first = await head(path, 4096);
    compression ??= first.length >= 4 ? compressionOfBytes(first) : undefined;
    if (format === undefined) format = compression === 'zstd' ? 'csv' : formatOfBytes(compression === 'gzip' ? gunzipHead(first) : first);
  }
  format ??= 'csv';
  return makeSource(format, format === 'parquet' ? undefined : compression);
}

/** The start of a gzip stream's content from its first bytes (empty if they do not decode). */
function gunzipHead(first: Buffer): Buffer {
  try {
    return gunzipSync(first, { finishFlush: zlibConstants.Z_SYNC_FLUSH });
  } catch {
    return Buffer.alloc(0);
  }
}
