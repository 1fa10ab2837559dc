// DuckDB result chunks as an Arrow IPC stream. Arrow data is assembled from typed arrays directly
// (apache-arrow's builders take timestamps as float milliseconds and would drop microseconds); nested
// DuckDB types map to Arrow List / FixedSizeList / Struct / Map. Types Arrow has no exact twin for
// (INTERVAL, UUID, ENUM, UNION, BIT, TIME WITH TIME ZONE, UHUGEINT) are sent as their text.
import {
  AsyncByteQueue, Binary, Bool, DateDay, Decimal, Field, FixedSizeList, Float32, Float64, Int16, Int32, Int64, Int8, List,
  Map_, Null, RecordBatch, RecordBatchStreamWriter, Schema, Struct, TimeMicrosecond, TimeNanosecond, Timestamp, TimeUnit,
  Uint16, Uint32, Uint64, Uint8, Utf8, makeData, type Data, type DataType,
} from 'apache-arrow';
import {
  DuckDBTypeId, type DuckDBArrayType, type DuckDBDecimalType, type DuckDBListType, type DuckDBMapType, type DuckDBStructType,
  type DuckDBType, type DuckDBValue,
} from '@duckdb/node-api';

interface Column {
  type: DataType;
  /** Arrow data for these values (null = SQL NULL). */
  build(values: readonly DuckDBValue[]): Data;
}

type Raw = Record<string, unknown>;

function validity(values: readonly DuckDBValue[]): { nullBitmap?: Uint8Array; nullCount: number } {
  let nullCount = 0;
  const bits = new Uint8Array((values.length + 7) >> 3);
  values.forEach((v, i) => {
    if (v === null || v === undefined) nullCount++;
    else bits[i >> 3]! |= 1 << (i & 7);
  });
  return nullCount === 0 ? { nullCount } : { nullBitmap: bits, nullCount };
}

type Typed = Int8Array | Int16Array | Int32Array | Uint8Array | Uint16Array | Uint32Array | Float32Array | Float64Array | BigInt64Array | BigUint64Array;

function fixed<T extends Typed>(type: DataType, make: (n: number) => T, get: (v: DuckDBValue) => number | bigint): Column {
  return {
    type,
    build(values) {
      const data = make(values.length);
      values.forEach((v, i) => { if (v !== null && v !== undefined) (data as unknown as (number | bigint)[])[i] = get(v); });
      return makeData({ type, length: values.length, ...validity(values), data } as never);
    },
  };
}

function bool(): Column {
  const type = new Bool();
  return {
    type,
    build(values) {
      const data = new Uint8Array((values.length + 7) >> 3);
      values.forEach((v, i) => { if (v === true) data[i >> 3]! |= 1 << (i & 7); });
      return makeData({ type, length: values.length, ...validity(values), data });
    },
  };
}

function bytes(type: Utf8 | Binary, get: (v: DuckDBValue) => Buffer): Column {
  return {
    type,
    build(values) {
      const parts = values.map((v) => (v === null || v === undefined ? Buffer.alloc(0) : get(v)));
      const valueOffsets = new Int32Array(values.length + 1);
      parts.forEach((p, i) => { valueOffsets[i + 1] = valueOffsets[i]! + p.length; });
      return makeData({ type, length: values.length, ...validity(values), valueOffsets, data: Buffer.concat(parts) } as never);
    },
  };
}

const text = () => bytes(new Utf8(), (v) => Buffer.from(String(v), 'utf8'));

/** 128-bit two's complement, little-endian 32-bit words (Arrow's Decimal128 layout). */
function decimal(scale: number, precision: number, unscaled: (v: DuckDBValue) => bigint): Column {
  const type = new Decimal(scale, precision, 128);
  return {
    type,
    build(values) {
      const data = new Uint32Array(values.length * 4);
      values.forEach((v, i) => {
        if (v === null || v === undefined) return;
        let x = BigInt.asUintN(128, unscaled(v));
        for (let w = 0; w < 4; w++, x >>= 32n) data[i * 4 + w] = Number(x & 0xffffffffn);
      });
      return makeData({ type, length: values.length, ...validity(values), data });
    },
  };
}

/** Children built from the non-null lists' items, with offsets. */
function list(child: Column, type: List | Map_, items: (v: DuckDBValue) => readonly DuckDBValue[], childData?: (flat: DuckDBValue[]) => Data): Column {
  return {
    type,
    build(values) {
      const valueOffsets = new Int32Array(values.length + 1);
      const flat: DuckDBValue[] = [];
      values.forEach((v, i) => {
        if (v !== null && v !== undefined) for (const item of items(v)) flat.push(item);
        valueOffsets[i + 1] = flat.length;
      });
      const c = childData ? childData(flat) : child.build(flat);
      return makeData({ type, length: values.length, ...validity(values), valueOffsets, child: c } as never);
    },
  };
}

function struct(names: readonly string[], children: Column[]): Column {
  const type = new Struct(names.map((n, i) => new Field(n, children[i]!.type, true)));
  return {
    type,
    build(values) {
      const data = children.map((c, k) => c.build(values.map((v) => (v === null || v === undefined ? null : ((v as unknown as { entries: Raw }).entries[names[k]!] ?? null) as DuckDBValue))));
      return makeData({ type, length: values.length, ...validity(values), children: data });
    },
  };
}

const raw = (key: string) => (v: DuckDBValue) => (v as unknown as Raw)[key] as bigint;

export function arrowColumn(t: DuckDBType): Column {
  if (t.alias === 'JSON') return text();
  switch (t.typeId) {
    case DuckDBTypeId.BOOLEAN: return bool();
    case DuckDBTypeId.TINYINT: return fixed(new Int8(), (n) => new Int8Array(n), Number);
    case DuckDBTypeId.SMALLINT: return fixed(new Int16(), (n) => new Int16Array(n), Number);
    case DuckDBTypeId.INTEGER: return fixed(new Int32(), (n) => new Int32Array(n), Number);
    case DuckDBTypeId.BIGINT: return fixed(new Int64(), (n) => new BigInt64Array(n), (v) => v as bigint);
    case DuckDBTypeId.UTINYINT: return fixed(new Uint8(), (n) => new Uint8Array(n), Number);
    case DuckDBTypeId.USMALLINT: return fixed(new Uint16(), (n) => new Uint16Array(n), Number);
    case DuckDBTypeId.UINTEGER: return fixed(new Uint32(), (n) => new Uint32Array(n), Number);
    case DuckDBTypeId.UBIGINT: return fixed(new Uint64(), (n) => new BigUint64Array(n), (v) => v as bigint);
    case DuckDBTypeId.FLOAT: return fixed(new Float32(), (n) => new Float32Array(n), Number);
    case DuckDBTypeId.DOUBLE: return fixed(new Float64(), (n) => new Float64Array(n), Number);
    case DuckDBTypeId.HUGEINT: return decimal(0, 38, (v) => v as bigint);
    case DuckDBTypeId.DECIMAL: {
      const d = t as DuckDBDecimalType;
      return decimal(d.scale, d.width, raw('value'));
    }
    case DuckDBTypeId.BLOB: return bytes(new Binary(), (v) => Buffer.from((v as unknown as { bytes: Uint8Array }).bytes));
    case DuckDBTypeId.DATE: return fixed(new DateDay(), (n) => new Int32Array(n), (v) => (v as unknown as { days: number }).days);
    case DuckDBTypeId.TIMESTAMP: return fixed(new Timestamp(TimeUnit.MICROSECOND), (n) => new BigInt64Array(n), raw('micros'));
    case DuckDBTypeId.TIMESTAMP_TZ: return fixed(new Timestamp(TimeUnit.MICROSECOND, 'UTC'), (n) => new BigInt64Array(n), raw('micros'));
    case DuckDBTypeId.TIMESTAMP_S: return fixed(new Timestamp(TimeUnit.SECOND), (n) => new BigInt64Array(n), raw('seconds'));
    case DuckDBTypeId.TIMESTAMP_MS: return fixed(new Timestamp(TimeUnit.MILLISECOND), (n) => new BigInt64Array(n), raw('millis'));
    case DuckDBTypeId.TIMESTAMP_NS: return fixed(new Timestamp(TimeUnit.NANOSECOND), (n) => new BigInt64Array(n), raw('nanos'));
    case DuckDBTypeId.TIME: return fixed(new TimeMicrosecond(), (n) => new BigInt64Array(n), raw('micros'));
    case DuckDBTypeId.TIME_NS: return fixed(new TimeNanosecond(), (n) => new BigInt64Array(n), raw('nanos'));
    case DuckDBTypeId.LIST: {
      const child = arrowColumn((t as DuckDBListType).valueType);
      return list(child, new List(new Field('item', child.type, true)), (v) => (v as unknown as { items: DuckDBValue[] }).items);
    }
    case DuckDBTypeId.ARRAY: {
      const a = t as DuckDBArrayType;
      const child = arrowColumn(a.valueType);
      const type = new FixedSizeList(a.length, new Field('item', child.type, true));
      return {
        type,
        build(values) {
          const flat = values.flatMap((v) => (v === null || v === undefined ? new Array<DuckDBValue>(a.length).fill(null) : (v as unknown as { items: DuckDBValue[] }).items));
          return makeData({ type, length: values.length, ...validity(values), child: child.build(flat) });
        },
      };
    }
    case DuckDBTypeId.STRUCT: {
      const s = t as DuckDBStructType;
      return struct(s.entryNames, s.entryTypes.map(arrowColumn));
    }
    case DuckDBTypeId.MAP: {
      const m = t as DuckDBMapType;
      const entries = struct(['key', 'value'], [arrowColumn(m.keyType), arrowColumn(m.valueType)]);
      const keyField = new Field('key', entries.type.children[0]!.type, false);
      const entryType = new Struct([keyField, new Field('value', entries.type.children[1]!.type, true)]);
      const type = new Map_(new Field('entries', entryType, false));
      type Entry = { key: DuckDBValue; value: DuckDBValue };
      const asStruct = (e: Entry) => ({ entries: { key: e.key, value: e.value } }) as unknown as DuckDBValue;
      return list(entries, type, (v) => (v as unknown as { entries: Entry[] }).entries.map(asStruct),
        (flat) => makeData({ type: entryType, length: flat.length, nullCount: 0, children: entries.build(flat).children }));
    }
    case DuckDBTypeId.SQLNULL: {
      const type = new Null();
      return { type, build: (values) => makeData({ type, length: values.length }) };
    }
    default:
      return text();
  }
}

/** Collects what the Arrow writer emits, synchronously, so each batch's bytes can be sent at once. */
class Collector extends AsyncByteQueue {
  private parts: Uint8Array[] = [];
  override write(value: Uint8Array): void {
    this.parts.push(value);
  }
  take(): Buffer {
    const out = Buffer.concat(this.parts);
    this.parts = [];
    return out;
  }
}

/** An Arrow IPC stream for one result: `start()` (schema), `batch()` per chunk, `finish()` (end marker). */
export class ArrowStreamEncoder {
  private readonly columns: Column[];
  private readonly schema: Schema;
  private readonly writer = new RecordBatchStreamWriter();
  private readonly sink = new Collector();

  constructor(names: readonly string[], types: readonly DuckDBType[]) {
    this.columns = types.map(arrowColumn);
    this.schema = new Schema(names.map((n, i) => new Field(n, this.columns[i]!.type, true)));
  }

  start(): Buffer {
    this.writer.reset(this.sink, this.schema);
    return this.sink.take();
  }

  /** `columns[k]` holds column k's values for the batch's rows. */
  batch(columns: readonly (readonly DuckDBValue[])[], rowCount: number): Buffer {
    const children = this.columns.map((c, k) => c.build(columns[k]!));
    const data = makeData({ type: new Struct(this.schema.fields), length: rowCount, nullCount: 0, children });
    this.writer.write(new RecordBatch(this.schema, data));
    return this.sink.take();
  }

  finish(): Buffer {
    this.writer.finish();
    return this.sink.take();
  }
}
