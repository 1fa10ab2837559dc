// ORC compression framing: unless the codec is NONE, every stream, stripe footer, footer and metadata is a
// sequence of chunks, each behind a 3-byte little-endian header (bit 0 = stored original, rest = length).
// Chunks are independent; their outputs concatenate, and values may straddle chunk boundaries.
import { S3Error } from '../../errors.js';
import { chunkDecoder, ChunkDecoder, CodecName } from './codecs.js';
import { orcError } from './cursor.js';

/** Refuse to inflate one stream beyond this (a decompression bomb, or a corrupt file). */
export const MAX_STREAM_BYTES = 1 << 30;

export class Decompressor {
  private readonly decode: ChunkDecoder | null;

  constructor(readonly codec: CodecName, readonly blockSize: number) {
    this.decode = chunkDecoder(codec);
  }

  /** The decompressed bytes of one stream; `what` names it in error messages. */
  decompress(bytes: Uint8Array, what: string): Uint8Array {
    const decode = this.decode;
    if (!decode) return bytes;
    const parts: Uint8Array[] = [];
    let total = 0;
    let pos = 0;
    while (pos < bytes.length) {
      if (pos + 3 > bytes.length) throw orcError(`${what}: truncated compression chunk header`);
      const header = bytes[pos] | (bytes[pos + 1] << 8) | (bytes[pos + 2] << 16);
      const length = header >>> 1;
      pos += 3;
      if (length > bytes.length - pos) throw orcError(`${what}: compression chunk runs past the end of the stream`);
      const chunk = bytes.subarray(pos, pos + length);
      pos += length;
      let out: Uint8Array;
      if (header & 1) {
        out = chunk;
      } else {
        try {
          out = decode(chunk, this.blockSize);
        } catch (e) {
          if (e instanceof S3Error) throw e;
          throw orcError(`${what}: ${this.codec} chunk could not be decompressed (${(e as Error).message})`);
        }
      }
      total += out.length;
      if (total > MAX_STREAM_BYTES) throw orcError(`${what}: decompresses to more than ${MAX_STREAM_BYTES} bytes`);
      parts.push(out);
    }
    if (parts.length === 1) return parts[0];
    const joined = new Uint8Array(total);
    let at = 0;
    for (const p of parts) {
      joined.set(p, at);
      at += p.length;
    }
    return joined;
  }
}
