// Which decoder an object needs. boto3 and the AWS CLI can only send CSV, JSON or Parquet in
// InputSerialization, so an explicit Avro/ORC/MessagePack/Protobuf element (raw requests, our clients)
// wins, and otherwise the object describes itself: magic bytes, then Content-Type, then key extension.
// When nothing matches, a Parquet element means Parquet, and JSON or CSV mean the ordinary text pipelines
// (undefined). Rejecting a CSV element over an object detected as binary is the caller's decision.

export type BinaryFormat = 'avro' | 'orc' | 'parquet' | 'msgpack' | 'protobuf';
export type RequestFormat = BinaryFormat | 'json' | 'csv';

export interface DetectInput {
  /** The format element of the request, if any. */
  explicit?: RequestFormat;
  /** The object's first bytes (4 are enough). */
  head: Uint8Array;
  contentType?: string;
  key: string;
}

const MAGIC: readonly [BinaryFormat, readonly number[]][] = [
  ['avro', [0x4f, 0x62, 0x6a, 0x01]], // "Obj" 1
  ['parquet', [0x50, 0x41, 0x52, 0x31]], // "PAR1"
  ['orc', [0x4f, 0x52, 0x43]], // "ORC"
];

const CONTENT_TYPES: Readonly<Record<string, BinaryFormat>> = {
  'application/avro': 'avro',
  'application/vnd.apache.orc': 'orc',
  'application/x-orc': 'orc',
  'application/vnd.apache.parquet': 'parquet',
  'application/vnd.msgpack': 'msgpack',
  'application/x-msgpack': 'msgpack',
  'application/x-protobuf': 'protobuf',
  'application/protobuf': 'protobuf',
};

const EXTENSIONS: Readonly<Record<string, BinaryFormat>> = {
  avro: 'avro',
  orc: 'orc',
  msgpack: 'msgpack',
  mpk: 'msgpack',
  pb: 'protobuf',
  binpb: 'protobuf',
};

const SELF_EXPLICIT: ReadonlySet<RequestFormat> = new Set(['avro', 'orc', 'msgpack', 'protobuf']);

function byMagic(head: Uint8Array): BinaryFormat | undefined {
  for (const [format, magic] of MAGIC) {
    if (head.length >= magic.length && magic.every((b, i) => head[i] === b)) return format;
  }
  return undefined;
}

function byContentType(contentType: string | undefined): BinaryFormat | undefined {
  if (!contentType) return undefined;
  const mime = contentType.split(';')[0]!.trim().toLowerCase();
  return CONTENT_TYPES[mime];
}

function byExtension(key: string): BinaryFormat | undefined {
  const name = key.slice(key.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return undefined;
  return EXTENSIONS[name.slice(dot + 1).toLowerCase()];
}

/** The binary decoder for an object, or undefined for the CSV/JSON pipelines. */
export function detectFormat(input: DetectInput): BinaryFormat | undefined {
  if (input.explicit && SELF_EXPLICIT.has(input.explicit)) return input.explicit as BinaryFormat;
  const found = byMagic(input.head) ?? byContentType(input.contentType) ?? byExtension(input.key);
  if (found) return found;
  return input.explicit === 'parquet' ? 'parquet' : undefined;
}
