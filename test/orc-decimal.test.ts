// Decimal storage forms pyarrow does not write: per-value scales differing from the column scale (Java
// writers), Hive 0.11 decimals without precision, and the Decimal64 form of pre-2.0 [1, 9999] files.
import type * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { openOrc } from '../src/formats/orc/index.js';
import { buildOrc, DECIMAL, rleV1, structOf, varint } from './helpers/orc-build.js';
import { cell, memorySource } from './helpers/orc.js';

const zigzag = (v: bigint) => BigInt.asUintN(128, (v << 1n) ^ (v >> 127n));

async function decimals(bytes: Uint8Array): Promise<{ values: unknown[]; type: string }> {
  const reader = await openOrc(memorySource(bytes));
  const values: unknown[] = [];
  let type = '';
  for await (const b of reader.readBatches({})) {
    const data = b.getChild('d')!.data[0];
    const t = data.type as arrow.Decimal;
    type = `decimal(${t.precision}, ${t.scale})`;
    for (let i = 0; i < b.numRows; i++) values.push(cell(data, i));
  }
  return { values, type };
}

describe('ORC decimals', () => {
  it('rescales per-value scales to the column scale, truncating toward zero', async () => {
    const unscaled = [12345n, 5n, -1299n, 10n ** 30n, -7n];
    const scales = [3n, 0n, 3n, 2n, 2n];
    const file = buildOrc({
      types: [structOf(['d']), [[1, DECIMAL], [5, 38], [6, 2]]],
      streams: [
        { column: 1, kind: 1, bytes: unscaled.flatMap((v) => varint(zigzag(v))) },
        { column: 1, kind: 5, bytes: rleV1(scales, true) },
      ],
      encodings: [[[1, 0]], [[1, 0]]],
      rows: unscaled.length,
    });
    const { values, type } = await decimals(file);
    expect(type).toBe('decimal(38, 2)');
    expect(values).toEqual(['12.34', '5.00', '-1.29', `${10n ** 28n}.00`, '-0.07']);
  });

  it('reads Hive 0.11 decimals (precision 0) as decimal(38, 6)', async () => {
    const file = buildOrc({
      types: [structOf(['d']), [[1, DECIMAL]]],
      streams: [
        { column: 1, kind: 1, bytes: [...varint(zigzag(-123456789n))] },
        { column: 1, kind: 5, bytes: rleV1([4n], true) },
      ],
      encodings: [[[1, 0]], [[1, 0]]],
      rows: 1,
    });
    expect(await decimals(file)).toEqual({ values: ['-12345.678900'], type: 'decimal(38, 6)' });
  });

  it('reads Decimal64 columns of [1, 9999] files as RLE v2 integers at the type scale', async () => {
    const values = [123456789012345678n, -5n];
    // RLE v2 DIRECT, width 64, two values
    const data = [0x40 | (31 << 1), 1, ...values.flatMap((v) => {
      const u = BigInt.asUintN(64, (v << 1n) ^ (v >> 63n));
      return Array.from({ length: 8 }, (_, k) => Number((u >> BigInt(56 - 8 * k)) & 0xffn));
    })];
    const file = buildOrc({
      types: [structOf(['d']), [[1, DECIMAL], [5, 18], [6, 4]]],
      streams: [{ column: 1, kind: 1, bytes: data }],
      encodings: [[[1, 0]], [[1, 2]]],
      rows: 2,
      version: [1, 9999],
    });
    expect(await decimals(file)).toEqual({ values: ['12345678901234.5678', '-0.0005'], type: 'decimal(18, 4)' });
  });
});
