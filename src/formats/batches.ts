// What every format decoder returns (an Arrow schema and a stream of bounded RecordBatches), and the
// pieces they share: opening the source, choosing the projected columns, cutting rows into batches.
import * as arrow from 'apache-arrow';
import type { Readable } from 'node:stream';
import type { Column, StructColumn, StructMember } from './arrow-columns.js';

/**
 * The object's bytes: a stream, or a way to open it (again: MessagePack reads twice to infer its schema),
 * e.g. `async () => (await store.getObject(bucket, key)).stream`.
 */
export type ByteSource = Readable | (() => Readable | Promise<Readable>);

export interface DecodeOptions {
  /** Top-level fields to decode (projection); names not in the object are ignored. All fields when absent. */
  columns?: string[];
  /** Rows per batch (default 65536). */
  batchRows?: number;
}

export interface ArrowDecoded {
  schema: arrow.Schema;
  batches: AsyncIterable<arrow.RecordBatch>;
}

export const DEFAULT_BATCH_ROWS = 65536;
/** A batch is also cut when its columns hold this many bytes, so wide or long values stay bounded. */
export const MAX_BATCH_BYTES = 64 * 1024 * 1024;
/** The largest single record, message, block or value accepted before allocating for it. */
export const MAX_RECORD_BYTES = 64 * 1024 * 1024;

export async function openSource(source: ByteSource): Promise<Readable> {
  return typeof source === 'function' ? source() : source;
}

/** The fields in object order, restricted to the requested columns when there are any. */
export function projected<T extends { name: string }>(fields: readonly T[], columns: string[] | undefined): T[] {
  if (!columns) return [...fields];
  const want = new Set(columns);
  return fields.filter((f) => want.has(f.name));
}

/** Accumulates top-level rows in a struct column and cuts RecordBatches of bounded rows and bytes. */
export class BatchCutter {
  readonly schema: arrow.Schema;
  private rows = 0;
  private readonly maxRows: number;

  constructor(private readonly root: StructColumn, batchRows = DEFAULT_BATCH_ROWS) {
    this.schema = new arrow.Schema(root.type.children);
    this.maxRows = Math.max(1, batchRows);
  }

  /** The top-level columns, for decoders that append each member's value directly (then `added`). */
  get members(): readonly StructMember[] {
    return this.root.members;
  }

  /** Appends one record; returns a full batch when this row completed one. */
  add(record: unknown): arrow.RecordBatch | undefined {
    this.root.append(record);
    return this.counted();
  }

  /** Completes a row after one value was appended to every member column; returns a full batch when one is. */
  added(): arrow.RecordBatch | undefined {
    this.root.appendRow();
    return this.counted();
  }

  private counted(): arrow.RecordBatch | undefined {
    this.rows++;
    if (this.rows >= this.maxRows || ((this.rows & 255) === 0 && this.root.bytes() >= MAX_BATCH_BYTES)) return this.cut();
    return undefined;
  }

  /** The rows not yet returned, if any. */
  flush(): arrow.RecordBatch | undefined {
    return this.rows > 0 ? this.cut() : undefined;
  }

  private cut(): arrow.RecordBatch {
    this.rows = 0;
    return new arrow.RecordBatch(this.schema, this.root.finish() as arrow.Data<arrow.Struct>);
  }
}

/** A column for a schema position, with whether it can hold nulls. */
export interface TypedColumn {
  column: Column;
  nullable: boolean;
}
