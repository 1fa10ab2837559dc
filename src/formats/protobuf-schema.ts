// Protobuf schemas for the decoder: `.proto` text parsed with protobufjs (field names kept as written),
// imports fetched through the caller, and each message field mapped to an Arrow column.
//
// Mapping: nested messages → struct; repeated → list (empty when absent, never null); enums → the value's
// name (its number as text when unknown); 64-bit integers exact (Int64/Uint64); uint32 → Uint32;
// bytes → binary; map<K, V> → Arrow Map; google.protobuf.Timestamp → timestamp (µs, UTC). A field with
// explicit presence (message, oneof member, `optional`) is null when absent; an implicit proto3 scalar
// reads as its default. Each oneof member is its own nullable column. A message that contains itself
// (directly or not) is rendered at the point of recursion as JSON text.
import protobuf from 'protobufjs';
import { s3Error } from '../errors.js';
import { columns, type Column, type StructMember } from './arrow-columns.js';

/** Returns the text of an imported `.proto`, given the path as the importing file wrote it. */
export type ImportFetcher = (importPath: string) => Promise<string>;

const MAX_SCHEMA_FILES = 256;
const MAX_SCHEMA_BYTES = 4 * 1024 * 1024;

function schemaError(message: string): Error {
  return s3Error('ProtobufParsingError', message);
}

/** A schema's texts, as loadProtoSchema read them: the file named `name` and each import by its path. */
export interface ProtoTexts { text: string; name: string; imports: [string, string][] }

/** Loads a schema again from its texts (on another thread). */
export function loadProtoTexts(t: ProtoTexts): Promise<protobuf.Root> {
  const imports = new Map(t.imports);
  return loadProtoSchema(t.text, async (p) => imports.get(p) ?? '', t.name);
}

/** Parses a `.proto` and, transitively, its imports; google/protobuf/* well-known types come bundled. */
export async function loadProtoSchema(source: string, fetchImport: ImportFetcher, name = 'schema.proto'): Promise<protobuf.Root> {
  const root = new protobuf.Root();
  const seen = new Set<string>([name]);
  const queue: { name: string; text: string }[] = [{ name, text: source }];
  while (queue.length) {
    const file = queue.shift()!;
    if (file.text.length > MAX_SCHEMA_BYTES) throw schemaError(`The Protobuf schema '${file.name}' is larger than ${MAX_SCHEMA_BYTES} bytes.`);
    let parsed: protobuf.IParserResult;
    try {
      parsed = protobuf.parse(file.text, root, { keepCase: true });
    } catch (e) {
      throw schemaError(`The Protobuf schema '${file.name}' does not parse: ${(e as Error).message}`);
    }
    for (const imp of [...(parsed.imports ?? []), ...(parsed.weakImports ?? [])]) {
      if (seen.has(imp)) continue;
      seen.add(imp);
      if (seen.size > MAX_SCHEMA_FILES) throw schemaError(`The Protobuf schema imports more than ${MAX_SCHEMA_FILES} files.`);
      const bundled = (protobuf.common as unknown as Record<string, { nested?: Record<string, protobuf.AnyNestedObject> } | undefined>)[imp];
      if (bundled?.nested) {
        root.addJSON(bundled.nested);
        continue;
      }
      try {
        queue.push({ name: imp, text: await fetchImport(imp) });
      } catch (e) {
        throw schemaError(`The Protobuf schema '${file.name}' imports '${imp}', which could not be read: ${(e as Error).message}`);
      }
    }
  }
  try {
    root.resolveAll();
  } catch (e) {
    throw schemaError(`The Protobuf schema does not resolve: ${(e as Error).message}`);
  }
  return root;
}

export function findMessageType(root: protobuf.Root, fullName: string): protobuf.Type {
  const name = fullName.replace(/^\./, '');
  let found: protobuf.ReflectionObject | null = null;
  try {
    found = root.lookup(name);
  } catch {
    found = null;
  }
  if (!(found instanceof protobuf.Type)) throw schemaError(`The Protobuf message type '${name}' is not defined in the schema.`);
  return found;
}

type Msg = Record<string, unknown>;

/** 64-bit values as protobufjs decodes them (Long objects) keep their halves; the column stores them as is. */
const LONG_TYPES = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);

function scalarColumn(type: string): Column {
  switch (type) {
    case 'double':
      return columns.float64();
    case 'float':
      return columns.float32();
    case 'int32':
    case 'sint32':
    case 'sfixed32':
      return columns.int32();
    case 'uint32':
    case 'fixed32':
      return columns.uint32();
    case 'int64':
    case 'sint64':
    case 'sfixed64':
      return columns.int64();
    case 'uint64':
    case 'fixed64':
      return columns.uint64();
    case 'bool':
      return columns.bool();
    case 'string':
      return columns.utf8();
    case 'bytes':
      return columns.binary();
    default:
      throw schemaError(`Unsupported Protobuf field type '${type}'.`);
  }
}

function enumColumn(e: protobuf.Enum): Column {
  return columns.mapped(columns.utf8(), (n: number) => e.valuesById[n] ?? String(n));
}

/** protobufjs keys map objects by string; 64-bit keys are 8-character "hashes" of the two halves. */
function mapKey(keyType: string): (k: string) => unknown {
  if (LONG_TYPES.has(keyType)) {
    return (k) => {
      const bits = protobuf.util.LongBits.fromHash(k);
      return { low: bits.lo, high: bits.hi };
    };
  }
  if (keyType === 'bool') return (k) => k === 'true';
  if (keyType === 'string') return (k) => k;
  return (k) => Number(k);
}

const TIMESTAMP = '.google.protobuf.Timestamp';

function timestampColumn(): Column {
  return columns.mapped(columns.timestampMicros(), (m: { seconds?: unknown; nanos?: number }) => {
    const s = m.seconds;
    const secs = typeof s === 'object' && s !== null ? BigInt((s as protobuf.Long).toString()) : BigInt((s as number | undefined) ?? 0);
    return secs * 1_000_000n + BigInt(Math.trunc((m.nanos ?? 0) / 1000));
  });
}

function jsonColumn(t: protobuf.Type): Column {
  return columns.mapped(columns.utf8(), (m: protobuf.Message) =>
    JSON.stringify(t.toObject(m, { longs: String, enums: String, bytes: String, defaults: false })),
  );
}

function valueColumn(field: protobuf.Field, typeName: string, open: Set<protobuf.Type>): Column {
  const rt = field.resolvedType;
  if (rt instanceof protobuf.Enum) return enumColumn(rt);
  if (rt instanceof protobuf.Type) return messageColumn(rt, open);
  return scalarColumn(typeName);
}

export function messageColumn(t: protobuf.Type, open = new Set<protobuf.Type>()): Column {
  if (t.fullName === TIMESTAMP) return timestampColumn();
  if (open.has(t)) return jsonColumn(t);
  open.add(t);
  const col = columns.struct(messageMembers(t, t.fieldsArray, open));
  open.delete(t);
  return col;
}

/** How a field is read from a decoded message (see the presence rules at the top of this file). */
function getter(f: protobuf.Field): (m: Msg) => unknown {
  const name = f.name;
  if (f.map) {
    const key = mapKey((f as unknown as protobuf.MapField).keyType);
    return (m) => {
      const obj = m[name] as Record<string, unknown>;
      const out: [unknown, unknown][] = [];
      for (const k in obj) out.push([key(k), obj[k]]);
      return out;
    };
  }
  if (f.repeated) return (m) => m[name];
  if (f.hasPresence) return (m) => (Object.hasOwn(m, name) ? m[name] : null);
  return (m) => m[name];
}

export function messageMembers(t: protobuf.Type, fields: protobuf.Field[], open = new Set<protobuf.Type>([t])): StructMember[] {
  return fields.map((f) => {
    let column: Column;
    if (f.map) {
      const mf = f as unknown as protobuf.MapField;
      column = columns.map(scalarColumn(mf.keyType), valueColumn(f, f.type, open));
    } else if (f.repeated) {
      column = columns.list(valueColumn(f, f.type, open));
    } else {
      column = valueColumn(f, f.type, open);
    }
    const nullable = !f.repeated && !f.map && (f.hasPresence || f.resolvedType instanceof protobuf.Type);
    return { name: f.name, column, nullable, get: getter(f) as (p: never) => unknown };
  });
}

/** Wire types a field may arrive with: packed repeated scalars may also come length-delimited. */
export function wireTypes(f: protobuf.Field): number {
  const t = f.resolvedType instanceof protobuf.Enum ? 'enum' : f.resolvedType ? 'message' : f.type;
  let bits: number;
  if (f.map || t === 'string' || t === 'bytes' || t === 'message') bits = 1 << 2;
  else if (t === 'double' || t === 'fixed64' || t === 'sfixed64') bits = 1 << 1;
  else if (t === 'float' || t === 'fixed32' || t === 'sfixed32') bits = 1 << 5;
  else bits = 1 << 0;
  if (t === 'message' && f.delimited) bits = 1 << 3;
  if (f.repeated && bits !== 1 << 2) bits |= 1 << 2;
  return bits;
}
