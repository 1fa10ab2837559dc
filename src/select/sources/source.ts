// What the Select pipeline needs from an input source: the shape the translator compiles against, the
// DuckDB relation that reads it, an optional pre-pass that feeds DuckDB through a pipe, and byte counters.
import type { S3Error } from '../../errors.js';
import { PassThrough, type Readable } from 'node:stream';
import type { ObjectInfo, Store } from '../../store/store.js';
import type { ObjectFacts } from '../object-facts.js';
import type { SelectRequest } from '../request.js';
import { decompressor } from './decompress.js';
import { RecordRangeFilter, type ByteSpan } from './scan-range.js';
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
  /** The error a query over this source reports for one DuckDB raised (when the reader it used names it wrongly). */
  queryError?(e: S3Error): S3Error;
  /** Starts the pre-pass that feeds the relation's pipe, if the source has one; resolves when it is done. */
  feed?(): Promise<void>;
  /**
   * Prepares what the relation reads once the query's columns are known (decoding sources); before feed.
   * 'reshaped': the object's columns proved other than the shape said (a MessagePack sample's); the
   * shape and fingerprint are now the object's, and the query must be planned and materialized again.
   */
  materialize?(referenced: Translation['referenced']): Promise<void | 'reshaped'>;
  /**
   * For a shape guessed from a sample: waits for the object's real columns; true when they differ (the
   * shape and fingerprint are then the object's), so that a query the guess could not plan (a key only
   * later records hold) is planned again.
   */
  settle?(): Promise<boolean>;
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
  /** Cached facts about object versions (leading bytes, Parquet schema). */
  facts?: ObjectFacts;
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

/**
 * The front of a pre-pass: the object (from just before a scan range, so its first record can be found),
 * decompressed and counted, then cut to the records of the range. The filter ends the stream early; the
 * object read is destroyed then, which callers must not take for a failure (see `endedEarly`).
 */
export async function objectRecords(ctx: SourceContext, counters: ByteCounters, span: ByteSpan | undefined, delimiter: string): Promise<Readable[]> {
  const size = ctx.info.size;
  const from = span ? Math.max(0, span.start - Buffer.byteLength(delimiter)) : 0;
  const src = await openObject(ctx, counters, span && size > 0 ? { start: from, end: size - 1 } : undefined);
  const stages: Readable[] = [src];
  const dec = decompressor(ctx.request.input.compression);
  if (dec) stages.push(dec);
  const count = new PassThrough();
  count.on('data', (c: Buffer) => { counters.processed += c.length; });
  stages.push(count);
  if (span) {
    const filter = new RecordRangeFilter(span, Buffer.from(delimiter), from);
    filter.once('end', () => src.destroy());
    stages.push(filter);
  }
  return stages;
}

/** True when a pre-pass failed only because a scan range stopped reading the object on purpose. */
export function endedEarly(stages: readonly Readable[]): boolean {
  return stages[0].destroyed && stages.some((s) => s instanceof RecordRangeFilter && s.readableEnded);
}
