// Whole-block decompressors with an output cap, for container formats whose blocks are compressed one
// by one (Avro). A corrupt length field must fail, not allocate gigabytes.
import { Decompress } from 'fzstd';
import { createRequire } from 'node:module';
import zlib from 'node:zlib';

const require = createRequire(import.meta.url);
// snappyjs ships no type declarations; `uncompress` checks the declared length against `maxLength` first.
const snappy = require('snappyjs') as { uncompress(input: Uint8Array, maxLength?: number): Uint8Array };

export class CodecError extends Error {}

export function inflateRaw(data: Uint8Array, maxBytes: number): Buffer {
  try {
    return zlib.inflateRawSync(data, { maxOutputLength: maxBytes });
  } catch (e) {
    throw new CodecError(`deflate: ${(e as Error).message}`);
  }
}

/** Raw snappy (no framing). */
export function snappyUncompress(data: Uint8Array, maxBytes: number): Buffer {
  try {
    const out = snappy.uncompress(data, maxBytes);
    return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
  } catch (e) {
    throw new CodecError(`snappy: ${(e as Error).message}`);
  }
}

export function zstdDecompress(data: Uint8Array, maxBytes: number): Buffer {
  const parts: Uint8Array[] = [];
  let total = 0;
  try {
    const z = new Decompress((chunk) => {
      total += chunk.length;
      if (total > maxBytes) throw new CodecError(`zstd: block expands beyond ${maxBytes} bytes`);
      parts.push(chunk);
    });
    z.push(data, true);
  } catch (e) {
    if (e instanceof CodecError) throw e;
    throw new CodecError(`zstd: ${(e as Error).message}`);
  }
  return Buffer.concat(parts, total);
}

export function crc32(data: Uint8Array): number {
  return zlib.crc32(data) >>> 0;
}
