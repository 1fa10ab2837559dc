// One ORC compression chunk → its bytes, for each supported codec. Every decoder is bounded by the file's
// compressionBlockSize, so a corrupt chunk can never make us allocate more than one block.
import { inflateRawSync } from 'node:zlib';
import { decompress as zstdDecompress } from 'fzstd';
import { decompressBlock as lz4DecompressBlock } from 'lz4js';
import { uncompress as snappyUncompress } from 'snappyjs';
import { orcError } from './cursor.js';

export type CodecName = 'NONE' | 'ZLIB' | 'SNAPPY' | 'LZO' | 'LZ4' | 'ZSTD' | 'BROTLI';

/** CompressionKind enum order of the ORC protobuf. */
export const CODEC_NAMES: readonly CodecName[] = ['NONE', 'ZLIB', 'SNAPPY', 'LZO', 'LZ4', 'ZSTD', 'BROTLI'];

export type ChunkDecoder = (chunk: Uint8Array, maxSize: number) => Uint8Array;

function zlib(chunk: Uint8Array, maxSize: number): Uint8Array {
  // raw deflate (no zlib header); maxOutputLength turns an oversized chunk into an error
  return inflateRawSync(chunk, { maxOutputLength: Math.max(maxSize, 1) });
}

function snappy(chunk: Uint8Array, maxSize: number): Uint8Array {
  return snappyUncompress(chunk, maxSize);
}

function lz4(chunk: Uint8Array, maxSize: number): Uint8Array {
  const out = new Uint8Array(maxSize);
  const end = lz4DecompressBlock(chunk, out, 0, chunk.length, 0);
  if (!Number.isInteger(end) || end < 0 || end > maxSize) throw new Error('LZ4 block does not fit the block size');
  return out.subarray(0, end);
}

/** The frame content size from a zstd frame header, or -1 when the frame does not record it. */
function zstdContentSize(chunk: Uint8Array): number {
  if (chunk.length < 6 || chunk[0] !== 0x28 || chunk[1] !== 0xb5 || chunk[2] !== 0x2f || chunk[3] !== 0xfd) {
    throw new Error('missing zstd frame magic');
  }
  const flags = chunk[4];
  const singleSegment = (flags >> 5) & 1;
  const sizeField = flags >> 6;
  const dictBytes = [0, 1, 2, 4][flags & 3];
  const sizeBytes = sizeField ? 1 << sizeField : singleSegment;
  if (sizeBytes === 0) {
    // no declared size: fzstd allocates the window, so refuse windows far beyond any ORC block
    const exponent = 10 + (chunk[5] >> 3);
    if (exponent > 26) throw new Error('zstd window too large');
    return -1;
  }
  let pos = 5 + (singleSegment ? 0 : 1) + dictBytes;
  if (pos + sizeBytes > chunk.length) throw new Error('truncated zstd frame header');
  let size = 0;
  for (let i = sizeBytes - 1; i >= 0; i--) size = size * 256 + chunk[pos + i];
  return sizeBytes === 2 ? size + 256 : size;
}

function zstd(chunk: Uint8Array, maxSize: number): Uint8Array {
  const size = zstdContentSize(chunk);
  if (size > maxSize) throw new Error('zstd frame larger than the block size');
  if (size >= 0) return zstdDecompress(chunk, new Uint8Array(size));
  const out = zstdDecompress(chunk);
  if (out.length > maxSize) throw new Error('zstd frame larger than the block size');
  return out;
}

export function chunkDecoder(codec: CodecName): ChunkDecoder | null {
  switch (codec) {
    case 'NONE': return null;
    case 'ZLIB': return zlib;
    case 'SNAPPY': return snappy;
    case 'LZ4': return lz4;
    case 'ZSTD': return zstd;
    default: throw orcError(`${codec} compression is not supported`);
  }
}
