// Streaming decompression for CompressionType: GZIP (zlib), BZIP2 (unbzip2-stream: Node has no bzip2),
// ZSTD (fzstd: Node 20's zlib has no zstd).
import { Decompress } from 'fzstd';
import { createRequire } from 'node:module';
import { Transform, type TransformCallback } from 'node:stream';
import zlib from 'node:zlib';
import { S3Error, s3Error } from '../../errors.js';
import type { SelectRequest } from '../request.js';

const require = createRequire(import.meta.url);
const unbzip2 = require('unbzip2-stream') as () => Transform;

export type Compression = SelectRequest['input']['compression'];

class ZstdStream extends Transform {
  private readonly z = new Decompress((chunk) => { this.push(Buffer.from(chunk)); });
  override _transform(chunk: Buffer, _e: BufferEncoding, cb: TransformCallback): void {
    try {
      this.z.push(chunk);
      cb();
    } catch (e) {
      cb(e as Error);
    }
  }
  override _flush(cb: TransformCallback): void {
    try {
      this.z.push(new Uint8Array(0), true);
      cb();
    } catch (e) {
      cb(e as Error);
    }
  }
}

/** unbzip2-stream is an old-style through stream (not async-iterable): wrap it in a real Transform. */
class Bunzip2Stream extends Transform {
  private readonly inner = unbzip2();
  private flushed?: TransformCallback;
  constructor() {
    super();
    this.inner.on('data', (d: Buffer) => this.push(d));
    this.inner.on('error', (e: Error) => this.destroy(e));
    this.inner.on('end', () => this.flushed?.());
  }
  override _transform(chunk: Buffer, _e: BufferEncoding, cb: TransformCallback): void {
    this.inner.write(chunk);
    cb();
  }
  override _flush(cb: TransformCallback): void {
    this.flushed = cb;
    this.inner.end();
  }
}

/** A decompressing Transform, or undefined for NONE. Pipe errors through `decompressionError`. */
export function decompressor(c: Compression): Transform | undefined {
  switch (c) {
    case 'NONE': return undefined;
    case 'GZIP': return zlib.createGunzip();
    case 'BZIP2': return new Bunzip2Stream();
    case 'ZSTD': return new ZstdStream();
  }
}

/** Corrupt or truncated compressed input is TruncatedInput, as S3 Select reports it. */
export function decompressionError(e: unknown, c: Compression): S3Error {
  if (e instanceof S3Error) return e;
  return s3Error('TruncatedInput', `Decompressing the object (${c}) failed: ${(e as Error).message}`);
}
