// The column builders' direct appends (used by the fast decoders) and validity bitmaps written only once
// a null arrives: the Arrow data must read back exactly as if every value had gone through append().
import { describe, expect, it } from 'vitest';
import { columns, NumberColumn, VarColumn } from '../src/formats/arrow-columns.js';
import { BatchCutter } from '../src/formats/batches.js';
import { plainValue } from './helpers/arrow-plain.js';

const readBack = (data: import('apache-arrow').Data) => Array.from({ length: data.length }, (_, i) => plainValue(data, i));

describe('validity bitmaps', () => {
  it.each([0, 1, 7, 8, 9, 1023, 1024, 3000])('reads back a first null at position %i and every value around it', (first) => {
    const col = columns.float64();
    const want: (number | null)[] = [];
    for (let i = 0; i < first + 20; i++) {
      const v = i === first || (i > first && i % 3 === 0) ? null : i;
      col.append(v);
      want.push(v);
    }
    const data = col.finish();
    expect(data.nullCount).toBe(want.filter((v) => v === null).length);
    expect(readBack(data)).toEqual(want);
  });

  it('leaves an all-valid batch without a bitmap, and starts the next batch clean', () => {
    const col = columns.utf8();
    col.append('a');
    col.append(null);
    expect(col.finish().nullCount).toBe(1);
    col.append('b');
    const data = col.finish();
    expect(data.nullCount).toBe(0);
    expect(readBack(data)).toEqual(['b']);
  });
});

describe('direct appends', () => {
  it('store numbers, 64-bit halves and bytes as append() would', () => {
    const f = columns.float64() as NumberColumn;
    const i = columns.int64() as NumberColumn;
    const s = columns.utf8() as VarColumn;
    const buf = Buffer.from('xxhello, a string longer than sixteen bytes');
    f.appendNumber(-0.5);
    f.append(null);
    i.appendHalves(-1, 0x7fffffff); // 2^63 - 1
    i.appendHalves(0, -2147483648); // -2^63
    s.appendBytes(buf, 2, 7);
    s.appendBytes(buf, 2, buf.length);
    for (let k = 0; k < 2000; k++) i.appendHalves(k, 0); // grows past its first allocation
    expect(readBack(f.finish())).toEqual([-0.5, null]);
    expect(readBack(i.finish()).slice(0, 3)).toEqual(['9223372036854775807', '-9223372036854775808', '0']);
    expect(readBack(s.finish())).toEqual(['hello', 'hello, a string longer than sixteen bytes']);
  });

  it('store 64-bit numbers exactly however they come: safe integers, bigints, Long halves', () => {
    const col = columns.int64();
    const values: unknown[] = [0, -1, 2 ** 32, -(2 ** 32) - 1, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 2n ** 63n - 1n, { low: -1, high: -1 }, 2 ** 60];
    for (const v of values) col.append(v);
    expect(readBack(col.finish())).toEqual(['0', '-1', '4294967296', '-4294967297', '9007199254740991', '-9007199254740991', '9223372036854775807', '-1', String(2n ** 60n)]);
    expect(() => col.append(1.5)).toThrow(RangeError);
  });

  it('complete rows appended member by member, mixed with whole records', () => {
    const cutter = new BatchCutter(columns.struct([{ name: 'a', column: columns.int64() }, { name: 'b', column: columns.utf8() }]), 3);
    const [a, b] = cutter.members.map((m) => m.column);
    expect(cutter.add({ a: 1n, b: 'one' })).toBeUndefined();
    (a as NumberColumn).appendHalves(2, 0);
    b!.append(null);
    expect(cutter.added()).toBeUndefined();
    const batch = cutter.add({ a: 3 });
    expect(batch?.numRows).toBe(3);
    expect(readBack(batch!.data)).toEqual([{ a: '1', b: 'one' }, { a: '2', b: null }, { a: '3', b: null }]);
    expect(cutter.flush()).toBeUndefined();
  });
});
