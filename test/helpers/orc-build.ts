// A tiny ORC writer for tests that need metadata or streams no real writer produces: a protobuf encoder
// for the few messages involved and a one-stripe file layout with codec NONE.
export type Field = [id: number, value: number | bigint | Uint8Array | string];

export function varint(v: number | bigint): number[] {
  let u = BigInt(v);
  const out: number[] = [];
  do {
    const low = Number(u & 0x7fn);
    u >>= 7n;
    out.push(u ? low | 0x80 : low);
  } while (u);
  return out;
}

export function msg(fields: Field[]): Uint8Array {
  const out: number[] = [];
  for (const [id, v] of fields) {
    if (typeof v === 'number' || typeof v === 'bigint') out.push(...varint(id << 3), ...varint(v));
    else {
      const bytes = typeof v === 'string' ? new TextEncoder().encode(v) : v;
      out.push(...varint((id << 3) | 2), ...varint(bytes.length), ...bytes);
    }
  }
  return Uint8Array.from(out);
}

export interface Spec {
  /** Footer Type messages, pre-order. */
  types: Field[][];
  streams?: { column: number; kind: number; bytes: number[] }[];
  encodings?: Field[][];
  rows: number | bigint;
  postscript?: Field[];
  /** StripeFooter writerTimezone. */
  timezone?: string;
  /** PostScript version [major, minor]. */
  version?: [number, number];
}

export function buildOrc(spec: Spec): Uint8Array {
  const streams = spec.streams ?? [];
  const data = streams.flatMap((s) => s.bytes);
  const stripeFooter = msg([
    ...streams.map((s): Field => [1, msg([[1, s.kind], [2, s.column], [3, s.bytes.length]])]),
    ...(spec.encodings ?? []).map((e): Field => [2, msg(e)]),
    ...(spec.timezone ? [[3, spec.timezone] as Field] : []),
  ]);
  const stripe = msg([[1, 3], [2, 0], [3, data.length], [4, stripeFooter.length], [5, spec.rows]]);
  const footer = msg([
    [1, 3], [2, 3 + data.length + stripeFooter.length], [3, stripe],
    ...spec.types.map((t): Field => [4, msg(t)]), [6, spec.rows],
  ]);
  const version: Field[] = spec.version ? spec.version.map((v): Field => [4, v]) : [];
  const ps = msg(spec.postscript ?? [[1, footer.length], [2, 0], [3, 65536], ...version, [5, 0], [8000, 'ORC']]);
  return Uint8Array.from([0x4f, 0x52, 0x43, ...data, ...stripeFooter, ...footer, ...ps, ps.length]);
}

export const STRUCT = 12;
export const INT = 3;
export const STRING = 7;
export const LIST = 10;
export const UNION = 13;
export const TIMESTAMP = 9;
export const TIMESTAMP_INSTANT = 18;
export const DECIMAL = 14;
export const structOf = (names: string[], first = 1): Field[] => [[1, STRUCT], ...names.map((_, i): Field => [2, first + i]), ...names.map((n): Field => [3, n])];

/** RLE v1 literal runs of the given values (zigzag when signed). */
export function rleV1(values: bigint[], signed: boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < values.length; i += 128) {
    const part = values.slice(i, i + 128);
    out.push(256 - part.length);
    for (const v of part) out.push(...varint(signed ? BigInt.asUintN(64, (v << 1n) ^ (v >> 63n)) : BigInt.asUintN(64, v)));
  }
  return out;
}
