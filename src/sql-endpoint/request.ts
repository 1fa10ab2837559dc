// What a /_sql request asks for. POST: the SQL as the body (any text type), or a JSON body
// {"sql", "params", "format"}. GET: ?query=…. Either way `?format=` and `?params=<JSON>` may be in the
// URL, and the format may come from Accept instead. Parameters are bound by DuckDB, never spliced.
import { listValue, structValue, type DuckDBValue } from '@duckdb/node-api';
import type { Readable } from 'node:stream';
import { s3Error } from '../errors.js';
import type { Params } from './execute.js';
import { chooseFormat, type OutputFormat } from './formats.js';
import { MAX_SQL_LENGTH } from './guard.js';

export interface SqlRequest {
  sql: string;
  params?: Params;
  format: OutputFormat;
}

/** Largest request body read (the SQL text plus JSON framing and parameters). */
export const MAX_BODY_BYTES = MAX_SQL_LENGTH + 64 * 1024;

/** Reads the whole (small) body; a slow sender is cut off when `signal` aborts (the request deadline). */
export async function readBody(body: Readable, signal: AbortSignal, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  const onAbort = () => body.destroy();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    for await (const chunk of body) {
      size += (chunk as Buffer).length;
      if (size > limit) throw s3Error('EntityTooLarge', `The request body is larger than ${limit} bytes.`);
      parts.push(chunk as Buffer);
    }
  } catch (err) {
    signal.throwIfAborted();
    throw err;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
  signal.throwIfAborted();
  return Buffer.concat(parts);
}

function toValue(v: unknown): DuckDBValue {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return v;
  if (Array.isArray(v)) return listValue(v.map(toValue));
  if (typeof v === 'object') return structValue(Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toValue(x)])));
  throw s3Error('InvalidArgument', 'Query parameters must be JSON values.');
}

/** `[…]` binds $1, $2 …; `{…}` binds $name. */
export function toParams(raw: unknown): Params | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (Array.isArray(raw)) return raw.map(toValue);
  if (typeof raw === 'object') return Object.fromEntries(Object.entries(raw).map(([k, x]) => [k, toValue(x)]));
  throw s3Error('InvalidArgument', 'params must be a JSON array (for $1, $2 …) or object (for $name).');
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw s3Error('InvalidArgument', `${what} is not valid JSON.`);
  }
}

export function parseSqlRequest(method: string, query: URLSearchParams, headers: Record<string, string>, body: Buffer): SqlRequest {
  let sql = query.get('query') ?? undefined;
  let params = query.has('params') ? parseJson(query.get('params')!, 'The params parameter') : undefined;
  let format = query.get('format') ?? undefined;
  const contentType = (headers['content-type'] ?? '').split(';', 1)[0]!.trim().toLowerCase();
  if (method === 'POST' && body.length > 0) {
    if (contentType === 'application/json') {
      const doc = parseJson(body.toString('utf8'), 'The request body');
      if (typeof doc !== 'object' || doc === null || Array.isArray(doc) || typeof (doc as { sql?: unknown }).sql !== 'string') {
        throw s3Error('InvalidArgument', 'A JSON request body must be an object with a string "sql" field.');
      }
      const d = doc as { sql: string; params?: unknown; format?: unknown };
      sql = d.sql;
      if (d.params !== undefined) params = d.params;
      if (typeof d.format === 'string') format = d.format;
    } else {
      sql = body.toString('utf8');
    }
  }
  if (sql === undefined || sql.trim() === '') {
    throw s3Error('MissingRequiredParameter', method === 'GET' ? 'Pass the SQL as ?query=…' : 'Send the SQL as the request body (or JSON {"sql": …}).');
  }
  return { sql, params: toParams(params), format: chooseFormat(format, headers.accept) };
}
