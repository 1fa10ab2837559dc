// The ORC metadata messages (proto2, package orc.proto) as protobufjs descriptors built in code. All
// fields are optional; enums are plain int32 so unknown values survive; unknown fields are skipped.
// protobufjs decodes 64-bit fields as Long objects (or numbers), converted by int64Number / int64Big.
import protobuf from 'protobufjs';
import { orcError } from './cursor.js';

type FieldSpec = [type: string, id: number, repeated?: 'repeated'];

function message(fields: Record<string, FieldSpec>) {
  const out: Record<string, { type: string; id: number; rule?: string }> = {};
  for (const [name, [type, id, rule]] of Object.entries(fields)) out[name] = rule ? { type, id, rule } : { type, id };
  return { fields: out };
}

const root = protobuf.Root.fromJSON({
  nested: {
    PostScript: message({
      footerLength: ['uint64', 1], compression: ['int32', 2], compressionBlockSize: ['uint64', 3],
      version: ['uint32', 4, 'repeated'], metadataLength: ['uint64', 5], writerVersion: ['uint32', 6],
      magic: ['string', 8000],
    }),
    Footer: message({
      headerLength: ['uint64', 1], contentLength: ['uint64', 2], stripes: ['StripeInformation', 3, 'repeated'],
      types: ['Type', 4, 'repeated'], metadata: ['UserMetadataItem', 5, 'repeated'], numberOfRows: ['uint64', 6],
      statistics: ['ColumnStatistics', 7, 'repeated'], rowIndexStride: ['uint32', 8], writer: ['uint32', 9],
      calendar: ['int32', 11], softwareVersion: ['string', 12],
    }),
    StripeInformation: message({
      offset: ['uint64', 1], indexLength: ['uint64', 2], dataLength: ['uint64', 3], footerLength: ['uint64', 4],
      numberOfRows: ['uint64', 5],
    }),
    Type: message({
      kind: ['int32', 1], subtypes: ['uint32', 2, 'repeated'], fieldNames: ['string', 3, 'repeated'],
      maximumLength: ['uint32', 4], precision: ['uint32', 5], scale: ['uint32', 6],
    }),
    UserMetadataItem: message({ name: ['string', 1], value: ['bytes', 2] }),
    StripeFooter: message({
      streams: ['Stream', 1, 'repeated'], columns: ['ColumnEncoding', 2, 'repeated'], writerTimezone: ['string', 3],
    }),
    Stream: message({ kind: ['int32', 1], column: ['uint32', 2], length: ['uint64', 3] }),
    ColumnEncoding: message({ kind: ['int32', 1], dictionarySize: ['uint32', 2], bloomEncoding: ['uint32', 3] }),
    ColumnStatistics: message({
      numberOfValues: ['uint64', 1], intStatistics: ['IntegerStatistics', 2], doubleStatistics: ['DoubleStatistics', 3],
      stringStatistics: ['StringStatistics', 4], bucketStatistics: ['BucketStatistics', 5],
      decimalStatistics: ['DecimalStatistics', 6], dateStatistics: ['DateStatistics', 7],
      binaryStatistics: ['BinaryStatistics', 8], timestampStatistics: ['TimestampStatistics', 9],
      hasNull: ['bool', 10], bytesOnDisk: ['uint64', 11], collectionStatistics: ['CollectionStatistics', 12],
    }),
    IntegerStatistics: message({ minimum: ['sint64', 1], maximum: ['sint64', 2], sum: ['sint64', 3] }),
    DoubleStatistics: message({ minimum: ['double', 1], maximum: ['double', 2], sum: ['double', 3] }),
    StringStatistics: message({
      minimum: ['string', 1], maximum: ['string', 2], sum: ['sint64', 3], lowerBound: ['string', 4],
      upperBound: ['string', 5],
    }),
    BucketStatistics: message({ count: ['uint64', 1, 'repeated'] }),
    DecimalStatistics: message({ minimum: ['string', 1], maximum: ['string', 2], sum: ['string', 3] }),
    DateStatistics: message({ minimum: ['sint32', 1], maximum: ['sint32', 2] }),
    TimestampStatistics: message({
      minimum: ['sint64', 1], maximum: ['sint64', 2], minimumUtc: ['sint64', 3], maximumUtc: ['sint64', 4],
      minimumNanos: ['int32', 5], maximumNanos: ['int32', 6],
    }),
    BinaryStatistics: message({ sum: ['sint64', 1] }),
    CollectionStatistics: message({ minChildren: ['uint64', 1], maxChildren: ['uint64', 2], totalChildren: ['uint64', 3] }),
    StripeStatistics: message({ colStats: ['ColumnStatistics', 1, 'repeated'] }),
    Metadata: message({ stripeStats: ['StripeStatistics', 1, 'repeated'] }),
  },
});

/** A 64-bit protobuf field as protobufjs hands it over. */
export type Int64 = number | { toString(): string } | undefined;

export interface PostScriptMsg {
  footerLength?: Int64; compression?: number; compressionBlockSize?: Int64; version?: number[];
  metadataLength?: Int64; writerVersion?: number; magic?: string;
}
export interface StripeInformationMsg {
  offset?: Int64; indexLength?: Int64; dataLength?: Int64; footerLength?: Int64; numberOfRows?: Int64;
}
export interface TypeMsg {
  kind?: number; subtypes?: number[]; fieldNames?: string[]; maximumLength?: number; precision?: number; scale?: number;
}
export interface ColumnStatisticsMsg {
  numberOfValues?: Int64; hasNull?: boolean;
  intStatistics?: { minimum?: Int64; maximum?: Int64; sum?: Int64 };
  doubleStatistics?: { minimum?: number; maximum?: number; sum?: number };
  stringStatistics?: { minimum?: string; maximum?: string; lowerBound?: string; upperBound?: string };
  bucketStatistics?: { count?: Int64[] };
  decimalStatistics?: { minimum?: string; maximum?: string };
  dateStatistics?: { minimum?: number; maximum?: number };
  timestampStatistics?: {
    minimum?: Int64; maximum?: Int64; minimumUtc?: Int64; maximumUtc?: Int64; minimumNanos?: number; maximumNanos?: number;
  };
  collectionStatistics?: { minChildren?: Int64; maxChildren?: Int64; totalChildren?: Int64 };
}
export interface FooterMsg {
  headerLength?: Int64; contentLength?: Int64; stripes?: StripeInformationMsg[]; types?: TypeMsg[];
  numberOfRows?: Int64; statistics?: ColumnStatisticsMsg[]; rowIndexStride?: number; writer?: number;
  softwareVersion?: string;
}
export interface StreamMsg { kind?: number; column?: number; length?: Int64 }
export interface ColumnEncodingMsg { kind?: number; dictionarySize?: number }
export interface StripeFooterMsg { streams?: StreamMsg[]; columns?: ColumnEncodingMsg[]; writerTimezone?: string }
export interface MetadataMsg { stripeStats?: { colStats?: ColumnStatisticsMsg[] }[] }

interface Messages {
  PostScript: PostScriptMsg; Footer: FooterMsg; StripeFooter: StripeFooterMsg; Metadata: MetadataMsg;
}

/** Decodes one message; protobufjs errors (truncated, bad wire type) become OrcParsingError. */
export function decodeMessage<K extends keyof Messages>(name: K, bytes: Uint8Array, what: string): Messages[K] {
  try {
    return root.lookupType(name).decode(bytes) as unknown as Messages[K];
  } catch (e) {
    throw orcError(`${what} is not a valid ${name} message (${(e as Error).message})`);
  }
}

/** Whether a field was present on the wire (protobufjs reads absent fields as prototype defaults). */
export function has(msg: object, field: string): boolean {
  return Object.prototype.hasOwnProperty.call(msg, field);
}

/** A 64-bit field as a number; values beyond 2^53 are refused (they are offsets, lengths and counts). */
export function int64Number(v: Int64, what: string): number {
  if (v === undefined) return 0;
  const n = typeof v === 'number' ? v : Number(v.toString());
  if (!Number.isSafeInteger(n) || n < 0) throw orcError(`${what} is out of range`);
  return n;
}

export function int64Big(v: Int64): bigint {
  if (v === undefined) return 0n;
  return typeof v === 'number' ? BigInt(v) : BigInt(v.toString());
}
