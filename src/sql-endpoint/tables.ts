// GET /_sql/tables?bucket=…[&prefix=…][&max-keys=…][&after=…]: one page of a bucket's objects, each with
// the format it would be read as and the columns DuckDB infers, for schema browsers. An object that
// cannot be described is listed with an error instead of failing the page.
import type { Engine } from '../duckdb/engine.js';
import { s3Error } from '../errors.js';
import type { ObjectInfo, Store } from '../store/store.js';
import { asS3Error } from './response.js';
import { sourceFor } from './sources.js';
import { refused } from './tree.js';

export interface TableEntry {
  key: string;
  url: string;
  size: number;
  lastModified: string;
  format?: string;
  compression?: string;
  columns?: { name: string; type: string }[];
  error?: { code: string; message: string };
}

export interface TablesPage {
  bucket: string;
  prefix: string;
  tables: TableEntry[];
  isTruncated: boolean;
  nextAfter?: string;
}

export interface TablesOptions {
  buckets: readonly string[];
  timeoutMs: number;
  signal: AbortSignal;
}

const DEFAULT_KEYS = 100;
const MAX_KEYS = 1000;

async function describe(engine: Engine, store: Store, info: ObjectInfo, opts: TablesOptions): Promise<TableEntry> {
  const entry: TableEntry = {
    key: info.key, url: `s3://${info.bucket}/${info.key}`, size: info.size, lastModified: new Date(info.lastModified).toISOString(),
  };
  try {
    const path = await store.localPath?.(info.bucket, info.key);
    if (!path) throw s3Error('NotImplemented', 'The store has no local file for this object.');
    const source = await sourceFor(info, path);
    entry.format = source.format;
    if (source.compression) entry.compression = source.compression;
    const rows = await engine.queryRows(`DESCRIBE SELECT * FROM ${source.relation([path])}`, undefined, { signal: opts.signal, timeoutMs: opts.timeoutMs });
    entry.columns = rows.map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
  } catch (err) {
    opts.signal.throwIfAborted();
    const e = asS3Error(err);
    entry.error = { code: e.code, message: e.message };
  }
  return entry;
}

export async function listTables(engine: Engine, store: Store, query: URLSearchParams, opts: TablesOptions): Promise<TablesPage> {
  const bucket = query.get('bucket') ?? '';
  if (bucket === '') throw s3Error('MissingRequiredParameter', 'Pass the bucket as ?bucket=….');
  if (opts.buckets.length > 0 && !opts.buckets.includes(bucket)) throw refused(`bucket ${bucket}`, 'this server does not allow SQL over that bucket');
  const prefix = query.get('prefix') ?? '';
  const rawMax = query.get('max-keys');
  const maxKeys = rawMax === null ? DEFAULT_KEYS : Number(rawMax);
  if (!Number.isInteger(maxKeys) || maxKeys < 1 || maxKeys > MAX_KEYS) throw s3Error('InvalidArgument', `max-keys must be an integer in 1..${MAX_KEYS}.`);
  const page = await store.listObjects(bucket, { prefix, after: query.get('after') ?? undefined, maxKeys });
  const tables: TableEntry[] = [];
  // One at a time: each description holds a DuckDB connection the queries also need.
  for (const info of page.objects) tables.push(await describe(engine, store, info, opts));
  const out: TablesPage = { bucket, prefix, tables, isTruncated: page.isTruncated };
  if (page.isTruncated && page.nextAfter !== undefined) out.nextAfter = page.nextAfter;
  return out;
}
