// Helpers for the ORC tests: fixture files as counted random-access sources, the expected values that
// make_orc.py wrote, and Arrow cells rendered in the same JSON forms.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as arrow from 'apache-arrow';
import { openOrc, type OrcReader, type ReadOptions } from '../../src/formats/orc/index.js';

export const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'orc');

export interface Expected {
  files: Record<string, { data: string; rows: number; stripes: number; compression: string }>;
  data: Record<string, unknown>;
}

export const expected: Expected = JSON.parse(readFileSync(path.join(FIXTURES, 'expected.json'), 'utf8'));

export interface CountingSource {
  size: number;
  read(offset: number, length: number): Promise<Uint8Array>;
  bytesRead: number;
  reads: number;
}

/** An in-memory file whose reads are counted (and copied, as a real store's would be). */
export function memorySource(bytes: Uint8Array): CountingSource {
  const src: CountingSource = {
    size: bytes.length,
    bytesRead: 0,
    reads: 0,
    async read(offset, length) {
      src.reads++;
      src.bytesRead += length;
      return bytes.slice(offset, offset + length);
    },
  };
  return src;
}

export function fixtureBytes(name: string): Uint8Array {
  return new Uint8Array(readFileSync(path.join(FIXTURES, name)));
}

export function fixtureSource(name: string): CountingSource {
  return memorySource(fixtureBytes(name));
}

export async function openFixture(name: string): Promise<{ reader: OrcReader; source: CountingSource }> {
  const source = fixtureSource(name);
  return { reader: await openOrc(source), source };
}

/** Every value of every column read, in expected.json's forms, plus the batches' row counts. */
export async function readColumns(reader: OrcReader, opts: ReadOptions = {}): Promise<{ columns: Record<string, unknown[]>; batches: number[] }> {
  const columns: Record<string, unknown[]> = {};
  const batches: number[] = [];
  for await (const batch of reader.readBatches(opts)) {
    batches.push(batch.numRows);
    batch.schema.fields.forEach((f, c) => {
      const data = batch.data.children[c];
      const out = (columns[f.name] ??= []);
      for (let i = 0; i < batch.numRows; i++) out.push(cell(data, i));
    });
  }
  return { columns, batches };
}

function float(v: number): unknown {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  return v;
}

function decimalText(words: Uint32Array, at: number, scale: number): string {
  let v = 0n;
  for (let k = 3; k >= 0; k--) v = (v << 32n) | BigInt(words[at + k]);
  v = BigInt.asIntN(128, v);
  const negative = v < 0n;
  let digits = (negative ? -v : v).toString().padStart(scale + 1, '0');
  if (scale > 0) digits = `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return negative ? `-${digits}` : digits;
}

const utf8 = new TextDecoder();

/** One Arrow slot in expected.json's form (see make_orc.py). */
export function cell(data: arrow.Data, i: number): unknown {
  const t = data.type;
  const at = data.offset + i;
  if (t instanceof arrow.Union && t.mode === arrow.UnionMode.Dense) {
    // no validity of its own: the selected variant's entry carries the null
    const variant = t.typeIdToChildIndex[(data.typeIds as Int8Array)[at]];
    return cell(data.children[variant], (data.valueOffsets as Int32Array)[at]);
  }
  if (!data.getValid(i)) return null;
  if (t instanceof arrow.Bool) return ((data.values as Uint8Array)[at >> 3] >> (at & 7) & 1) === 1;
  if (t instanceof arrow.Int) return t.bitWidth === 64 ? String(data.values[at]) : data.values[at];
  if (t instanceof arrow.Float) return float(data.values[at] as number);
  if (t instanceof arrow.Utf8 || t instanceof arrow.Binary) {
    const offsets = data.valueOffsets as Int32Array;
    const bytes = (data.values as Uint8Array).subarray(offsets[at], offsets[at + 1]);
    return t instanceof arrow.Utf8 ? utf8.decode(bytes) : Buffer.from(bytes).toString('hex');
  }
  if (t instanceof arrow.Decimal) return decimalText(data.values as Uint32Array, at * 4, t.scale);
  if (t instanceof arrow.Date_ && t.unit === arrow.DateUnit.DAY) return data.values[at];
  if (t instanceof arrow.Timestamp) return String(data.values[at]);
  if (t instanceof arrow.Struct) {
    return Object.fromEntries(t.children.map((f, k) => [f.name, cell(data.children[k], at)]));
  }
  if (t instanceof arrow.List || t instanceof arrow.Map_) {
    const offsets = data.valueOffsets as Int32Array;
    const child = data.children[0];
    const out: unknown[] = [];
    for (let j = offsets[at]; j < offsets[at + 1]; j++) {
      out.push(t instanceof arrow.Map_ ? [cell(child.children[0], j), cell(child.children[1], j)] : cell(child, j));
    }
    return out;
  }
  throw new Error(`no JSON form for ${t}`);
}
