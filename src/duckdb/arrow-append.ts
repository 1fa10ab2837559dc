// Arrow record batches into a DuckDB table through an appender, one data chunk (2048 rows) at a time,
// without a value ever becoming a JavaScript object. Fixed-width values are copied into the chunk's
// vectors as raw bytes: Arrow and DuckDB share the little-endian layouts of ints, floats, days, µs
// timestamps and times and 128-bit decimals (narrower decimals and ms units are converted on the way).
// Strings and blobs of up to 12 bytes are written as DuckDB's inlined `duckdb_string_t` (a struct of the
// public C API: u32 length, then the bytes, zero-padded), longer ones through
// duckdb_vector_assign_string_element_len. Nested and union columns are not written here: `duckType`
// has no type for them and callers take another path.
//
// The node API offers per-value setters only (a JavaScript value and a call per row); the raw copies come
// from @duckdb/node-bindings, the package the node API itself is built on.
import { DuckDBDataChunk, type DuckDBConnection } from '@duckdb/node-api';
import duckdb from '@duckdb/node-bindings';
import * as arrow from 'apache-arrow';

const VECTOR_SIZE = duckdb.vector_size();
const INLINE_BYTES = 12;

const SIGNED: Record<number, string> = { 8: 'TINYINT', 16: 'SMALLINT', 32: 'INTEGER', 64: 'BIGINT' };
const UNSIGNED: Record<number, string> = { 8: 'UTINYINT', 16: 'USMALLINT', 32: 'UINTEGER', 64: 'UBIGINT' };

/**
 * The DuckDB type an Arrow column is appended as: the type DuckDB gives the same column read back from
 * Parquet, so both paths answer alike. Undefined for the types this module does not write.
 */
export function duckType(t: arrow.DataType): string | undefined {
  if (t instanceof arrow.Int) return (t.isSigned ? SIGNED : UNSIGNED)[t.bitWidth];
  if (t instanceof arrow.Float) return t.precision === arrow.Precision.SINGLE ? 'FLOAT' : t.precision === arrow.Precision.DOUBLE ? 'DOUBLE' : undefined;
  if (t instanceof arrow.Bool) return 'BOOLEAN';
  if (t instanceof arrow.Utf8) return 'VARCHAR';
  if (t instanceof arrow.Binary || t instanceof arrow.FixedSizeBinary) return 'BLOB';
  if (t instanceof arrow.Date_) return t.unit === arrow.DateUnit.DAY ? 'DATE' : undefined;
  if (t instanceof arrow.Timestamp) {
    if (t.unit !== arrow.TimeUnit.MILLISECOND && t.unit !== arrow.TimeUnit.MICROSECOND) return undefined;
    return t.timezone ? 'TIMESTAMP WITH TIME ZONE' : 'TIMESTAMP';
  }
  if (t instanceof arrow.Time) return t.unit === arrow.TimeUnit.MILLISECOND || t.unit === arrow.TimeUnit.MICROSECOND ? 'TIME' : undefined;
  if (t instanceof arrow.Decimal) return t.bitWidth === 128 && t.precision >= 1 && t.precision <= 38 ? `DECIMAL(${t.precision},${t.scale})` : undefined;
  if (t instanceof arrow.Null) return 'INTEGER';
  return undefined;
}

type Vector = duckdb.Vector;
// Row indexes: apache-arrow slices value and offset buffers with the Data (index them from `start`), but
// not bitmaps (validity and booleans: index them from `data.offset + start`).
/** Writes rows [start, start + len) of `data` into the first `len` rows of `vec`. */
type ColumnWriter = (vec: Vector, data: arrow.Data, start: number, len: number) => void;

// Staging space for one chunk's column (the largest element is 16 bytes).
const stage = new ArrayBuffer(VECTOR_SIZE * 16);
const stageU8 = new Uint8Array(stage);
const stageI16 = new Int16Array(stage);
const stageI32 = new Int32Array(stage);
const stageI64 = new BigInt64Array(stage);
const stageView = new DataView(stage);
const validity = new Uint8Array(Math.ceil(VECTOR_SIZE / 8));

function copyValidity(vec: Vector, data: arrow.Data, start: number, len: number): void {
  const bits = data.nullBitmap;
  if (!bits || bits.length === 0 || data.nullCount === 0) return;
  duckdb.vector_ensure_validity_writable(vec);
  const first = data.offset + start;
  const bytes = Math.ceil(len / 8);
  if (first % 8 === 0) {
    duckdb.copy_data_to_vector_validity(vec, 0, bits.buffer as ArrayBuffer, bits.byteOffset + first / 8, bytes);
    return;
  }
  validity.fill(0);
  for (let i = 0; i < len; i++) {
    const b = first + i;
    if ((bits[b >> 3]! >> (b & 7)) & 1) validity[i >> 3]! |= 1 << (i & 7);
  }
  duckdb.copy_data_to_vector_validity(vec, 0, validity.buffer, 0, bytes);
}

/** Values whose bytes are DuckDB's as they are (`width` bytes each). */
const raw = (width: number): ColumnWriter => (vec, data, start, len) => {
  const values = data.values as ArrayBufferView;
  duckdb.copy_data_to_vector(vec, 0, values.buffer as ArrayBuffer, values.byteOffset + start * width, len * width);
  copyValidity(vec, data, start, len);
};

/** Arrow's bit-packed booleans as one byte each. */
const bools: ColumnWriter = (vec, data, start, len) => {
  const bits = data.values as Uint8Array;
  const first = data.offset + start;
  for (let i = 0; i < len; i++) {
    const b = first + i;
    stageU8[i] = (bits[b >> 3]! >> (b & 7)) & 1;
  }
  duckdb.copy_data_to_vector(vec, 0, stage, 0, len);
  copyValidity(vec, data, start, len);
};

/** 64-bit values times `factor` (ms → µs); a value that leaves the int64 range is an error, not a wrap. */
const scaled64 = (factor: bigint): ColumnWriter => (vec, data, start, len) => {
  const values = data.values as BigInt64Array;
  for (let i = 0; i < len; i++) {
    const v = values[start + i]! * factor;
    if (BigInt.asIntN(64, v) !== v) throw new RangeError(`the value ${values[start + i]} is out of range once converted to microseconds`);
    stageI64[i] = v;
  }
  duckdb.copy_data_to_vector(vec, 0, stage, 0, len * 8);
  copyValidity(vec, data, start, len);
};

/** 32-bit milliseconds of the day as DuckDB's 64-bit µs TIME. */
const timeMillis: ColumnWriter = (vec, data, start, len) => {
  const values = data.values as Int32Array;
  for (let i = 0; i < len; i++) stageI64[i] = BigInt(values[start + i]!) * 1000n;
  duckdb.copy_data_to_vector(vec, 0, stage, 0, len * 8);
  copyValidity(vec, data, start, len);
};

/** A 128-bit decimal stored by DuckDB in 2, 4 or 8 bytes: the low bytes of each value (it fits). */
const narrowDecimal = (width: 2 | 4 | 8): ColumnWriter => (vec, data, start, len) => {
  const words = data.values as Uint32Array;
  for (let i = 0; i < len; i++) {
    const w = 4 * (start + i);
    if (width === 2) stageI16[i] = words[w]!;
    else if (width === 4) stageI32[i] = words[w]!;
    else {
      stageI32[2 * i] = words[w]!;
      stageI32[2 * i + 1] = words[w + 1]!;
    }
  }
  duckdb.copy_data_to_vector(vec, 0, stage, 0, len * width);
  copyValidity(vec, data, start, len);
};

/** Writes value i's bytes [a, z) as an inlined string_t when short; returns false when it is not. */
function inline(i: number, bytes: Uint8Array, a: number, z: number): boolean {
  const n = z - a;
  if (n > INLINE_BYTES) return false;
  const at = i * 16;
  stageView.setUint32(at, n, true);
  for (let k = 0; k < n; k++) stageU8[at + 4 + k] = bytes[a + k]!;
  return true;
}

/**
 * Strings or blobs: value `row` (counted from the slice) is bytes [offsets[row], offsets[row + 1]) of
 * `data.values`, or, without offsets, `width` bytes at row × width.
 */
function writeStrings(vec: Vector, data: arrow.Data, start: number, len: number, offsets: Int32Array | undefined, width: number): void {
  const bytes = data.values as Uint8Array;
  const nulls = data.nullCount !== 0 && data.nullBitmap && data.nullBitmap.length > 0 ? data.nullBitmap : undefined;
  const long: number[] = [];
  stageU8.fill(0, 0, len * 16); // inlined strings compare all 16 bytes: the padding must be zero
  for (let i = 0; i < len; i++) {
    const bit = data.offset + start + i;
    if (nulls && !((nulls[bit >> 3]! >> (bit & 7)) & 1)) continue;
    const row = start + i;
    const a = offsets ? offsets[row]! : row * width;
    if (!inline(i, bytes, a, offsets ? offsets[row + 1]! : a + width)) long.push(i);
  }
  duckdb.copy_data_to_vector(vec, 0, stage, 0, len * 16);
  for (const i of long) {
    const row = start + i;
    const a = offsets ? offsets[row]! : row * width;
    duckdb.vector_assign_string_element_len(vec, i, bytes.subarray(a, offsets ? offsets[row + 1]! : a + width));
  }
  copyValidity(vec, data, start, len);
}

const varWidth: ColumnWriter = (vec, data, start, len) => writeStrings(vec, data, start, len, data.valueOffsets as Int32Array, 0);

const fixedWidth = (width: number): ColumnWriter => (vec, data, start, len) => writeStrings(vec, data, start, len, undefined, width);

/** Every row null. */
const nulls: ColumnWriter = (vec, _data, _start, len) => {
  duckdb.vector_ensure_validity_writable(vec);
  validity.fill(0);
  duckdb.copy_data_to_vector_validity(vec, 0, validity.buffer, 0, Math.ceil(len / 8));
};

function writerFor(t: arrow.DataType): ColumnWriter {
  if (t instanceof arrow.Int || t instanceof arrow.Float || t instanceof arrow.Date_) return raw((t as arrow.Int).ArrayType.BYTES_PER_ELEMENT);
  if (t instanceof arrow.Bool) return bools;
  if (t instanceof arrow.Utf8 || t instanceof arrow.Binary) return varWidth;
  if (t instanceof arrow.FixedSizeBinary) return fixedWidth(t.byteWidth);
  if (t instanceof arrow.Timestamp) return t.unit === arrow.TimeUnit.MICROSECOND ? raw(8) : scaled64(1000n);
  if (t instanceof arrow.Time) return t.unit === arrow.TimeUnit.MICROSECOND ? raw(8) : timeMillis;
  if (t instanceof arrow.Decimal) return t.precision <= 4 ? narrowDecimal(2) : t.precision <= 9 ? narrowDecimal(4) : t.precision <= 18 ? narrowDecimal(8) : raw(16);
  if (t instanceof arrow.Null) return nulls;
  throw new TypeError(`no DuckDB appender for the Arrow type ${String(t)}`);
}

/**
 * Appends `batches` (whose columns match the table's, in order, each of a type `duckType` maps) to
 * `table` on `conn`; returns the rows appended. Stops at the first batch after `signal` aborts.
 */
export async function appendBatches(conn: DuckDBConnection, table: string, batches: AsyncIterable<arrow.RecordBatch>, signal?: AbortSignal): Promise<number> {
  const appender = await conn.createAppender(table);
  let rows = 0;
  let failed = false;
  try {
    const types = Array.from({ length: appender.columnCount }, (_, i) => appender.columnType(i));
    const chunk = DuckDBDataChunk.create(types);
    let writers: ColumnWriter[] | undefined;
    for await (const batch of batches) {
      signal?.throwIfAborted();
      const cols = batch.data.children;
      if (cols.length !== types.length) throw new TypeError(`a batch has ${cols.length} columns, the table ${types.length}`);
      writers ??= cols.map((c) => writerFor(c.type));
      for (let start = 0; start < batch.numRows; start += VECTOR_SIZE) {
        const len = Math.min(VECTOR_SIZE, batch.numRows - start);
        duckdb.data_chunk_reset(chunk.chunk);
        for (let c = 0; c < cols.length; c++) writers[c]!(duckdb.data_chunk_get_vector(chunk.chunk, c), cols[c]!, start, len);
        duckdb.data_chunk_set_size(chunk.chunk, len);
        appender.appendDataChunk(chunk);
      }
      rows += batch.numRows;
    }
    appender.flushSync();
  } catch (e) {
    failed = true;
    throw e;
  } finally {
    try {
      appender.closeSync();
    } catch (e) {
      if (!failed) throw e; // else the first error is the one to report
    }
  }
  return rows;
}
