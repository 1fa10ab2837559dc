// ORC v1 reader: random reads in (`read(offset, length)` on the object), Apache Arrow RecordBatches out.
// Type mapping: BOOLEAN → Bool; BYTE/SHORT/INT/LONG → Int8/16/32/64 (Int64 exact, BigInt64Array);
// FLOAT/DOUBLE → Float32/64; STRING/VARCHAR/CHAR → Utf8; BINARY → Binary; DECIMAL(p,s) → Decimal128(p,s)
// (Hive 0.11 decimals → (38,6)); DATE → DateDay; TIMESTAMP → Timestamp without zone (wall clock of the
// writer's zone) and TIMESTAMP_INSTANT → Timestamp 'UTC', in nanoseconds by default — ORC keeps
// nanoseconds and this matches pyarrow — or microseconds on request for dates outside 1677..2262;
// STRUCT/LIST/MAP/UNION → Struct/List/Map/DenseUnion. Every malformed input fails with S3Error
// OrcParsingError.
export { openOrc, DEFAULT_BATCH_ROWS } from './reader.js';
export type { OrcReader, ReadOptions } from './reader.js';
export type { OrcColumnSchema, OrcKind, OrcType, TimestampUnit } from './schema.js';
export type { ColumnStats } from './statistics.js';
export type { OrcSource, StripeInfo } from './tail.js';
