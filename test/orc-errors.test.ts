// Damaged and hostile ORC input must end in S3Error OrcParsingError — never another exception, a hang or
// an allocation sized by a corrupt length. Fixtures are damaged byte by byte; hostile metadata is built
// here with a small protobuf writer.
import { describe, expect, it } from 'vitest';
import { S3Error } from '../src/errors.js';
import { openOrc } from '../src/formats/orc/index.js';
import { fixtureBytes, memorySource } from './helpers/orc.js';

/** Opens and reads every column; resolves to 'ok' or the error's code (or the error itself if foreign). */
async function outcome(bytes: Uint8Array): Promise<string> {
  try {
    const reader = await openOrc(memorySource(bytes));
    for await (const batch of reader.readBatches({ batchRows: 100 })) void batch;
    return 'ok';
  } catch (e) {
    if (e instanceof S3Error) return e.code;
    throw e;
  }
}

async function errorOf(bytes: Uint8Array, columns?: string[]): Promise<S3Error> {
  try {
    const reader = await openOrc(memorySource(bytes));
    for await (const batch of reader.readBatches({ columns })) void batch;
  } catch (e) {
    if (e instanceof S3Error) return e;
    throw e;
  }
  throw new Error('expected an error');
}

import { buildOrc, INT, LIST, STRING, STRUCT, structOf, UNION } from './helpers/orc-build.js';

describe('damaged files', () => {
  it('rejects a wrong magic', async () => {
    const e = await errorOf(fixtureBytes('bad-magic.orc'));
    expect(e.code).toBe('OrcParsingError');
    expect(e.status).toBe(400);
    expect(e.message).toMatch(/bad magic/);
  });

  it('rejects the truncated fixture, empty files and other formats', async () => {
    expect(await outcome(fixtureBytes('truncated.orc'))).toBe('OrcParsingError');
    expect(await outcome(new Uint8Array(0))).toBe('OrcParsingError');
    expect(await outcome(Uint8Array.of(0x4f, 0x52, 0x43))).toBe('OrcParsingError');
    expect(await outcome(new TextEncoder().encode('a,b,c\n1,2,3\n'))).toBe('OrcParsingError');
    expect(await outcome(new TextEncoder().encode('PAR1\0\0\0\0PAR1'))).toBe('OrcParsingError');
  });

  it('rejects every truncation of a file', async () => {
    const bytes = fixtureBytes('strings.orc');
    for (let cut = 0; cut < bytes.length; cut += 3) {
      expect(await outcome(bytes.subarray(0, cut)), `cut at ${cut}`).toBe('OrcParsingError');
    }
  });

  it('survives random byte damage anywhere in the file', async () => {
    let seed = 42;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const outcomes = new Map<string, number>();
    for (const name of ['types-none.orc', 'types-zlib.orc', 'ints-v1.orc', 'strings.orc', 'timestamps.orc']) {
      const good = fixtureBytes(name);
      for (let trial = 0; trial < 60; trial++) {
        const bad = good.slice();
        // damage the tail more often: it steers every other read
        const at = trial % 2 ? good.length - 1 - rand(Math.min(good.length, 300)) : rand(good.length);
        bad[at] = rand(256);
        if (trial % 3 === 0) bad[rand(good.length)] ^= 0xff;
        const result = await outcome(bad);
        outcomes.set(result, (outcomes.get(result) ?? 0) + 1);
      }
    }
    expect([...outcomes.keys()].every((k) => k === 'ok' || k === 'OrcParsingError')).toBe(true);
    expect(outcomes.get('OrcParsingError')).toBeGreaterThan(20);
  });
});

describe('hostile metadata', () => {
  it('a built file reads back (the builder itself is sound)', async () => {
    // DIRECT_V2 int column: SHORT_REPEAT 5 × 7
    const bytes = buildOrc({
      types: [structOf(['x']), [[1, INT]]],
      streams: [{ column: 1, kind: 1, bytes: [0x02, 0x0e] }],
      encodings: [[[1, 0]], [[1, 2]]],
      rows: 5,
    });
    const reader = await openOrc(memorySource(bytes));
    const values: number[] = [];
    for await (const b of reader.readBatches({})) values.push(...(b.getChild('x')!.toArray() as Int32Array));
    expect(values).toEqual([7, 7, 7, 7, 7]);
  });

  it('refuses lengths beyond the file without reading them', async () => {
    const source = memorySource(buildOrc({ types: [structOf([])], rows: 0, postscript: [[1, 2n ** 40n], [8000, 'ORC']] }));
    await expect(openOrc(source)).rejects.toMatchObject({ code: 'OrcParsingError', message: expect.stringMatching(/exceed the file size/) });
    expect(source.bytesRead).toBeLessThanOrEqual(source.size);
  });

  it('refuses a stripe claiming more rows than its bytes can hold', async () => {
    const bytes = buildOrc({ types: [structOf(['x']), [[1, INT]]], rows: 2n ** 40n });
    expect((await errorOf(bytes)).message).toMatch(/impossible row count/);
  });

  it('refuses a dictionary size its streams cannot hold', async () => {
    const bytes = buildOrc({
      types: [structOf(['s']), [[1, STRING]]],
      streams: [{ column: 1, kind: 1, bytes: [0x00, 0x00] }, { column: 1, kind: 2, bytes: [0x00, 0x01] }],
      encodings: [[[1, 0]], [[1, 3], [2, 2 ** 31]]],
      rows: 3,
    });
    expect((await errorOf(bytes)).message).toMatch(/dictionary: size 2147483648 exceeds its streams/);
  });

  it('refuses list lengths beyond what the child streams can describe', async () => {
    // LENGTH: one value 2^30 (SHORT_REPEAT needs ≥ 3, so DIRECT width 32, one value)
    const bytes = buildOrc({
      types: [structOf(['l']), [[1, LIST], [2, 2]], [[1, INT]]],
      streams: [
        { column: 1, kind: 2, bytes: [0x40 | (27 << 1), 0, 0x40, 0, 0, 0] },
        { column: 2, kind: 1, bytes: [0x02, 0x0e] },
      ],
      encodings: [[[1, 0]], [[1, 2]], [[1, 2]]],
      rows: 1,
    });
    expect((await errorOf(bytes)).message).toMatch(/list lengths exceed the child data/);
  });

  it('refuses dictionary indexes outside the dictionary', async () => {
    const bytes = buildOrc({
      types: [structOf(['s']), [[1, STRING]]],
      streams: [
        { column: 1, kind: 1, bytes: [0x00, 0x05] }, // three indexes of 5
        { column: 1, kind: 3, bytes: [0x61] },
        { column: 1, kind: 2, bytes: [0x40 | (0 << 1), 0, 0x80] }, // one entry of length 1
      ],
      encodings: [[[1, 0]], [[1, 3], [2, 1]]],
      rows: 3,
    });
    expect((await errorOf(bytes)).message).toMatch(/index 5 outside a dictionary of 1/);
  });

  it('refuses cyclic or out-of-order type trees', async () => {
    const bytes = buildOrc({ types: [[[1, STRUCT], [2, 0], [3, 'self']]], rows: 0 });
    expect((await errorOf(bytes)).message).toMatch(/out of pre-order/);
  });

  it('refuses unsupported codecs with a clear message', async () => {
    const lzo = buildOrc({ types: [structOf([])], rows: 0, postscript: [[1, 0], [2, 3], [8000, 'ORC']] });
    expect((await errorOf(lzo)).message).toMatch(/LZO compression is not supported/);
  });

  it('refuses union tags without a variant', async () => {
    const union = buildOrc({
      types: [[[1, STRUCT], [2, 1], [2, 3], [3, 'u'], [3, 'x']], [[1, UNION], [2, 2]], [[1, INT]], [[1, INT]]],
      streams: [{ column: 1, kind: 1, bytes: [0x02, 0x01] }, { column: 3, kind: 1, bytes: [0x02, 0x0e] }],
      encodings: [[[1, 0]], [[1, 0]], [[1, 2]], [[1, 2]]],
      rows: 5,
    });
    expect((await errorOf(union)).message).toMatch(/union tag 1 has no variant/);
    // the other column still reads
    const reader = await openOrc(memorySource(union));
    let rows = 0;
    for await (const b of reader.readBatches({ columns: ['x'] })) rows += b.numRows;
    expect(rows).toBe(5);
  });
});
