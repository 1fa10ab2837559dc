// ORC compression framing and codecs: 3-byte chunk headers, original chunks, values straddling chunks,
// every codec's decoder bounded by the block size, and corrupt chunks reported as OrcParsingError.
import { deflateRawSync } from 'node:zlib';
import { compressBlock } from 'lz4js';
import { compress as snappyCompress } from 'snappyjs';
import { describe, expect, it } from 'vitest';
import { S3Error } from '../src/errors.js';
import { Decompressor } from '../src/formats/orc/compression.js';
import { fixtureBytes } from './helpers/orc.js';

/** A chunk header: length << 1 | original. */
function header(length: number, original: boolean): number[] {
  const h = (length << 1) | (original ? 1 : 0);
  return [h & 0xff, (h >> 8) & 0xff, (h >> 16) & 0xff];
}

function chunk(body: Uint8Array, original = false): number[] {
  return [...header(body.length, original), ...body];
}

function lz4Block(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(data.length + 64);
  const size = compressBlock(data, out, 0, data.length, new Uint32Array(1 << 16));
  return out.subarray(0, size);
}

const text = new TextEncoder().encode('orc '.repeat(500));
const codeOf = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return e instanceof S3Error ? e.code : String(e);
  }
  return 'no error';
};

describe('compression chunks', () => {
  it('parses the spec headers', () => {
    expect(header(100000, false)).toEqual([0x40, 0x0d, 0x03]);
    expect(header(5, true)).toEqual([0x0b, 0x00, 0x00]);
  });

  it('passes NONE streams through without headers', () => {
    const bytes = Uint8Array.of(1, 2, 3);
    expect(new Decompressor('NONE', 65536).decompress(bytes, 's')).toBe(bytes);
  });

  it('concatenates original and compressed chunks of every codec', () => {
    const bodies: [string, Uint8Array][] = [
      ['ZLIB', deflateRawSync(text)],
      ['SNAPPY', snappyCompress(text)],
      ['LZ4', lz4Block(text)],
    ];
    for (const [codec, body] of bodies) {
      expect(body.length, codec).toBeLessThan(text.length);
      const stream = Uint8Array.from([...chunk(Uint8Array.of(7, 8), true), ...chunk(body), ...chunk(Uint8Array.of(9), true)]);
      const out = new Decompressor(codec as 'ZLIB', 4096).decompress(stream, 's');
      expect([...out.subarray(0, 2)], codec).toEqual([7, 8]);
      expect(Buffer.from(out.subarray(2, 2 + text.length)).equals(Buffer.from(text)), codec).toBe(true);
      expect(out[out.length - 1], codec).toBe(9);
    }
  });

  it('rejects damaged framing and chunks as OrcParsingError', () => {
    const zlib = new Decompressor('ZLIB', 4096);
    expect(codeOf(() => zlib.decompress(Uint8Array.of(0x0b, 0), 's'))).toBe('OrcParsingError');
    expect(codeOf(() => zlib.decompress(Uint8Array.from([...header(50, true), 1, 2]), 's'))).toBe('OrcParsingError');
    expect(codeOf(() => zlib.decompress(Uint8Array.from(chunk(Uint8Array.of(0xff, 0xfe, 0xfd))), 's'))).toBe('OrcParsingError');
    const zstd = new Decompressor('ZSTD', 4096);
    expect(codeOf(() => zstd.decompress(Uint8Array.from(chunk(Uint8Array.of(1, 2, 3, 4, 5, 6, 7))), 's'))).toBe('OrcParsingError');
  });

  it('never inflates a chunk beyond the block size', () => {
    // each decoder is given a block size smaller than the chunk's content
    for (const [codec, body] of [['ZLIB', deflateRawSync(text)], ['SNAPPY', snappyCompress(text)], ['LZ4', lz4Block(text)]] as const) {
      const d = new Decompressor(codec, 1024);
      expect(codeOf(() => d.decompress(Uint8Array.from(chunk(body)), 's')), codec).toBe('OrcParsingError');
    }
  });

  it('refuses LZO and unknown codecs with a clear message', () => {
    expect(() => new Decompressor('LZO', 4096)).toThrow(/LZO compression is not supported/);
  });

  it('reads a zstd chunk of a pyarrow file', async () => {
    // the footer of strings.orc is one zstd chunk: decoding it must give a valid protobuf footer
    const bytes = fixtureBytes('strings.orc');
    const psLength = bytes[bytes.length - 1];
    const ps = bytes.subarray(bytes.length - 1 - psLength);
    expect(ps[0]).toBe(0x08); // PostScript field 1, footerLength
    let footerLength = 0;
    for (let i = 1, mul = 1; ; i++, mul *= 128) {
      footerLength += (ps[i] & 0x7f) * mul;
      if (ps[i] < 0x80) break;
    }
    const footer = bytes.subarray(bytes.length - 1 - psLength - footerLength, bytes.length - 1 - psLength);
    expect(footer[0] & 1).toBe(0);
    const out = new Decompressor('ZSTD', 65536).decompress(footer, 'footer');
    expect(out.length).toBeGreaterThan(footer.length - 3);
    expect(out[0]).toBe(0x08); // field 1 (headerLength), varint
  });
});
