// The public ORC reader: opens the tail, then reads stripe by stripe (one stripe's wanted streams in
// memory at a time), fetching only the streams of the requested columns, skipping stripes a caller's
// filter rejects from their statistics, and cutting each stripe into bounded Arrow RecordBatches.
import * as arrow from 'apache-arrow';
import { columnReader } from './columns.js';
import type { ColumnReader, ReadContext } from './context.js';
import { orcError } from './cursor.js';
import type { MetadataMsg } from './proto.js';
import { arrowField, OrcColumnSchema, OrcType, TimestampUnit, topLevelColumns } from './schema.js';
import { ColumnStats, statsByName } from './statistics.js';
import { loadStripe } from './stripe.js';
import { OrcSource, OrcTail, readMetadata, readTail, StripeInfo } from './tail.js';

export interface ReadOptions {
  /** Top-level field names to read (undefined = all). Names the file does not have are ignored. */
  columns?: string[];
  /** Called with a stripe's column statistics (by top-level name and dotted struct path); false skips the
   *  stripe. Files without stripe statistics pass an empty record. */
  stripeFilter?: (stats: Record<string, ColumnStats>) => boolean;
  /** Rows per RecordBatch (default 65536). */
  batchRows?: number;
  /** Unit of Arrow timestamps: 'ns' (default, exact, years 1677..2262) or 'us' (any year, drops sub-µs digits). */
  timestampUnit?: TimestampUnit;
}

export interface OrcReader {
  /** The root type (normally a struct whose children are the top-level columns). */
  schema: OrcType;
  numberOfRows: number;
  stripes: StripeInfo[];
  /** File-level statistics, keyed like a stripe filter's. */
  statistics: Record<string, ColumnStats>;
  /** The Arrow schema of the batches a read of `columns` yields. */
  arrowSchema(columns?: string[], timestampUnit?: TimestampUnit): arrow.Schema;
  readBatches(opts?: ReadOptions): AsyncIterable<arrow.RecordBatch>;
}

export const DEFAULT_BATCH_ROWS = 65536;

function selectColumns(root: OrcType, names: string[] | undefined): OrcColumnSchema[] {
  const all = topLevelColumns(root);
  if (!names) return all;
  const want = new Set(names);
  return all.filter((c) => want.has(c.name));
}

class Reader implements OrcReader {
  readonly schema: OrcType;
  readonly numberOfRows: number;
  readonly stripes: StripeInfo[];
  readonly statistics: Record<string, ColumnStats>;
  private metadata: Promise<MetadataMsg> | null = null;

  constructor(private readonly file: OrcSource, private readonly tail: OrcTail) {
    this.schema = tail.schema;
    this.numberOfRows = tail.numberOfRows;
    this.stripes = tail.stripes;
    this.statistics = statsByName(tail.schema, tail.footer.statistics ?? [], tail.writerVersion);
  }

  arrowSchema(columns?: string[], unit: TimestampUnit = 'ns'): arrow.Schema {
    return new arrow.Schema(selectColumns(this.schema, columns).map((c) => arrowField(c, unit)));
  }

  private async stripeStats(index: number): Promise<Record<string, ColumnStats>> {
    this.metadata ??= readMetadata(this.file, this.tail);
    const stripes = (await this.metadata).stripeStats ?? [];
    return statsByName(this.schema, stripes[index]?.colStats ?? [], this.tail.writerVersion);
  }

  async *readBatches(opts: ReadOptions = {}): AsyncIterable<arrow.RecordBatch> {
    try {
      yield* this.batches(opts);
    } catch (e) {
      throw asOrcError(e);
    }
  }

  private async *batches(opts: ReadOptions): AsyncIterable<arrow.RecordBatch> {
    const unit = opts.timestampUnit ?? 'ns';
    const batchRows = opts.batchRows ?? DEFAULT_BATCH_ROWS;
    if (!Number.isInteger(batchRows) || batchRows < 1) throw orcError('batchRows must be a positive integer');
    const columns = selectColumns(this.schema, opts.columns);
    const schema = new arrow.Schema(columns.map((c) => arrowField(c, unit)));
    const rootType = new arrow.Struct(schema.fields);
    const wanted = new Uint8Array(this.schema.maxId + 1);
    for (const c of columns) wanted.fill(1, c.type.id, c.type.maxId + 1);
    const version = this.tail.version;

    for (let index = 0; index < this.stripes.length; index++) {
      const info = this.stripes[index];
      if (info.numberOfRows === 0) continue;
      if (opts.stripeFilter && !opts.stripeFilter(await this.stripeStats(index))) continue;
      const stripe = await loadStripe(this.file, this.tail, index, info, (id) => wanted[id] === 1);
      const ctx: ReadContext = { stripe, unit, decimal64: version[0] === 1 && version[1] === 9999 };
      const readers: ColumnReader[] = columns.map((c) => columnReader(ctx, c.type));
      for (let done = 0; done < info.numberOfRows; ) {
        const n = Math.min(batchRows, info.numberOfRows - done);
        const children = readers.map((r) => r.read(n, null));
        const data = arrow.makeData({ type: rootType, length: n, nullCount: 0, children });
        yield new arrow.RecordBatch(schema, data);
        done += n;
      }
    }
  }
}

/** Decoding bugs surface on hostile input as RangeError / TypeError (bad array length, missing
 *  value): report them as a parsing error of this file rather than an internal failure. The source's
 *  own I/O errors pass through unchanged. */
function asOrcError(e: unknown): unknown {
  return e instanceof RangeError || e instanceof TypeError ? orcError(`malformed file (${e.message})`) : e;
}

/** Opens an ORC file through random reads; fails with OrcParsingError when the tail is not valid ORC. */
export async function openOrc(file: OrcSource): Promise<OrcReader> {
  try {
    return new Reader(file, await readTail(file));
  } catch (e) {
    throw asOrcError(e);
  }
}
