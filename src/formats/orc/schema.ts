// The ORC type tree (Footer.types, pre-order, index = column id) and its Arrow equivalent.
import * as arrow from 'apache-arrow';
import { orcError } from './cursor.js';
import type { TypeMsg } from './proto.js';

export type OrcKind =
  | 'boolean' | 'byte' | 'short' | 'int' | 'long' | 'float' | 'double' | 'string' | 'binary' | 'timestamp'
  | 'list' | 'map' | 'struct' | 'union' | 'decimal' | 'date' | 'varchar' | 'char' | 'timestamp_instant'
  | 'geometry' | 'geography';

/** Type.Kind enum order of the ORC protobuf. */
const KINDS: readonly OrcKind[] = [
  'boolean', 'byte', 'short', 'int', 'long', 'float', 'double', 'string', 'binary', 'timestamp', 'list', 'map',
  'struct', 'union', 'decimal', 'date', 'varchar', 'char', 'timestamp_instant', 'geometry', 'geography',
];

export interface OrcType {
  kind: OrcKind;
  /** Column id: index in Footer.types, and of statistics, encodings and streams. */
  id: number;
  /** Largest column id in this subtree (ids of a subtree are contiguous). */
  maxId: number;
  /** Struct fields; `item` for a list; `key`, `value` for a map; `0`, `1`… for a union. */
  children: OrcColumnSchema[];
  /** CHAR / VARCHAR. */
  maximumLength?: number;
  /** DECIMAL; precision 0 marks a Hive 0.11 decimal without a declared precision. */
  precision?: number;
  scale?: number;
}

export interface OrcColumnSchema {
  name: string;
  type: OrcType;
}

const MAX_DEPTH = 100;

/** Builds the type tree, checking that ids form a proper pre-order tree (no cycles, no sharing). */
export function buildSchema(types: TypeMsg[]): OrcType {
  if (types.length === 0) throw orcError('footer has no types');
  let next = 0;
  const visit = (id: number, depth: number): OrcType => {
    if (id !== next) throw orcError(`type ${id} is out of pre-order`);
    if (depth > MAX_DEPTH) throw orcError('types nest too deeply');
    next++;
    const msg = types[id];
    const kind = KINDS[msg.kind ?? 0];
    if (!kind) throw orcError(`type ${id} has unknown kind ${msg.kind}`);
    const subtypes = msg.subtypes ?? [];
    const names = msg.fieldNames ?? [];
    const expected = kind === 'list' ? 1 : kind === 'map' ? 2 : undefined;
    if (expected !== undefined && subtypes.length !== expected) throw orcError(`${kind} type ${id} needs ${expected} subtypes`);
    if (kind === 'struct' && names.length !== subtypes.length) throw orcError(`struct type ${id} has mismatched field names`);
    if (kind !== 'struct' && kind !== 'list' && kind !== 'map' && kind !== 'union' && subtypes.length) {
      throw orcError(`${kind} type ${id} cannot have subtypes`);
    }
    const children = subtypes.map((sub, i) => {
      if (sub >= types.length) throw orcError(`type ${id} refers to missing type ${sub}`);
      const name = kind === 'struct' ? names[i] : kind === 'list' ? 'item' : kind === 'map' ? ['key', 'value'][i] : String(i);
      return { name, type: visit(sub, depth + 1) };
    });
    const t: OrcType = { kind, id, maxId: next - 1, children };
    if (kind === 'char' || kind === 'varchar') t.maximumLength = msg.maximumLength ?? 0;
    if (kind === 'decimal') {
      t.precision = msg.precision ?? 0;
      t.scale = msg.scale ?? 0;
      if (t.precision > 38 || t.scale > 38 || (t.precision > 0 && t.scale > t.precision)) {
        throw orcError(`decimal type ${id} has invalid precision/scale ${t.precision}/${t.scale}`);
      }
    }
    return t;
  };
  const root = visit(0, 0);
  if (next !== types.length) throw orcError('footer has types outside the schema tree');
  return root;
}

/** Top-level columns: the root struct's fields, or the root itself for old files with a primitive root. */
export function topLevelColumns(root: OrcType): OrcColumnSchema[] {
  return root.kind === 'struct' ? root.children : [{ name: '_col0', type: root }];
}

export type TimestampUnit = 'ns' | 'us';

/** Hive 0.11 decimals carry no precision; like Apache's C++ reader we expose them as decimal(38, 6). */
export function decimalShape(t: OrcType): { precision: number; scale: number } {
  return t.precision ? { precision: t.precision, scale: t.scale ?? 0 } : { precision: 38, scale: 6 };
}

export function arrowType(t: OrcType, unit: TimestampUnit): arrow.DataType {
  const tsUnit = unit === 'ns' ? arrow.TimeUnit.NANOSECOND : arrow.TimeUnit.MICROSECOND;
  switch (t.kind) {
    case 'boolean': return new arrow.Bool();
    case 'byte': return new arrow.Int8();
    case 'short': return new arrow.Int16();
    case 'int': return new arrow.Int32();
    case 'long': return new arrow.Int64();
    case 'float': return new arrow.Float32();
    case 'double': return new arrow.Float64();
    case 'string': case 'varchar': case 'char': return new arrow.Utf8();
    case 'binary': return new arrow.Binary();
    case 'date': return new arrow.DateDay();
    case 'timestamp': return new arrow.Timestamp(tsUnit);
    case 'timestamp_instant': return new arrow.Timestamp(tsUnit, 'UTC');
    case 'decimal': {
      const { precision, scale } = decimalShape(t);
      return new arrow.Decimal(scale, precision, 128);
    }
    case 'struct': return new arrow.Struct(t.children.map((c) => arrowField(c, unit)));
    case 'list': return new arrow.List(arrowField(t.children[0], unit));
    case 'map': {
      const [key, value] = t.children;
      const entries = new arrow.Struct([
        new arrow.Field('key', arrowType(key.type, unit), false),
        new arrow.Field('value', arrowType(value.type, unit), true),
      ]);
      return new arrow.Map_(new arrow.Field('entries', entries, false));
    }
    case 'union': {
      // Arrow type ids are int8; the ORC format allows up to 256 variants
      if (t.children.length === 0 || t.children.length > 128) throw orcError(`union type ${t.id} has ${t.children.length} variants`);
      return new arrow.DenseUnion(t.children.map((_, i) => i), t.children.map((c) => arrowField(c, unit)));
    }
    default:
      throw orcError(`columns of type ${t.kind.toUpperCase()} are not supported`);
  }
}

export function arrowField(c: OrcColumnSchema, unit: TimestampUnit): arrow.Field {
  return new arrow.Field(c.name, arrowType(c.type, unit), true);
}
