// What the Select pipeline needs from an input source: the shape the translator compiles against, the
// DuckDB relation that reads it, an optional pre-pass that feeds DuckDB through a pipe, and byte counters.
import type { Readable } from 'node:stream';
import type { ObjectInfo, Store } from '../../store/store.js';
import type { SelectRequest } from '../request.js';
import type { SourceShape, Translation } from '../translate/index.js';

export interface ByteCounters {
  /** Object bytes read (compressed). */
  scanned: number;
  /** Bytes after decompression. */
  processed: number;
}

export interface PreparedSource {
  shape: SourceShape;
  /** Identifies the schema the plan was compiled against (CSV header, Parquet schema…), for the plan cache. */
  fingerprint: string;
  /** The FROM relation (with alias `t`) for a translated query. */
  relation(referenced: Translation['referenced']): string;
  /** Starts the pre-pass that feeds the relation's pipe, if the source has one; resolves when it is done. */
  feed?(): Promise<void>;
  /** Prepares what the relation reads once the query's columns are known (decoding sources); before feed. */
  materialize?(referenced: Translation['referenced']): Promise<void>;
  /** False when this source cannot answer a query reading `referenced`; the pipeline then uses fallback(). */
  covers?(referenced: Translation['referenced']): boolean;
  fallback?(): Promise<PreparedSource>;
  /** Called once a query over this source has run to the end (the columnar cache schedules shadows here). */
  completed?(referenced: Translation['referenced']): void;
  counters(): ByteCounters;
  /** Releases pipes and stops a pre-pass that is still running. */
  close(): Promise<void>;
}

export interface SourceContext {
  store: Store;
  bucket: string;
  key: string;
  info: ObjectInfo;
  /** Local file of the object when the store has one (DuckDB then reads it directly). */
  localPath?: string;
  request: SelectRequest;
  /** Directory for per-query pipes (inside DuckDB's allowed directories). */
  pipeDir: string;
  signal: AbortSignal;
}

/** A SQL string literal (single quotes doubled); used for paths and options we generate ourselves. */
export function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** Reads the object (or an inclusive byte range of it) as a stream, counting the bytes read. */
export async function openObject(ctx: SourceContext, counters: ByteCounters, range?: { start: number; end: number }): Promise<Readable> {
  const body = await ctx.store.getObject(ctx.bucket, ctx.key, range);
  body.stream.on('data', (c: Buffer) => { counters.scanned += c.length; });
  return body.stream;
}
