// The aws-chunked content encoding of S3 uploads: `<hex-size>[;chunk-signature=<sig>]\r\n<data>\r\n` frames,
// a final zero-size frame, then optional trailing headers. The decoder streams (data is hashed and passed
// on as it arrives, whatever the chunk size) and accepts any fragmentation of its input.
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { S3Error, s3Error } from '../errors.js';
import {
  chunkStringToSign, EMPTY_SHA256, sha256Hex, signaturesEqual, signHex, trailerStringToSign, type ChunkSigning,
} from './sigv4-core.js';

export type { ChunkSigning } from './sigv4-core.js';

export interface AwsChunkedDecoderOptions {
  /** Present for the STREAMING-AWS4-HMAC-SHA256-PAYLOAD modes: every chunk (and the trailer) is verified. */
  signing?: ChunkSigning;
  /** Whether a trailer section follows the final chunk (the `-TRAILER` modes). */
  trailers: boolean;
  /** `x-amz-decoded-content-length`: the decoded body must be exactly this long. */
  decodedLength?: number;
  /** Lower-case names announced in `x-amz-trailer`; when given, trailers must match them exactly. */
  declaredTrailers?: readonly string[];
  /** Called with the trailers once verified, before the stream ends; throwing fails the stream. */
  onTrailers?: (trailers: Readonly<Record<string, string>>) => void;
}

const MAX_LINE = 4096;
const MAX_TRAILERS = 32;
/** Chunks are hashed while they stream, so the cap only rejects absurd sizes (S3's single-PUT limit). */
const MAX_CHUNK = 5 * 1024 ** 3;
const TRAILER_SIGNATURE = 'x-amz-trailer-signature';

type State = 'header' | 'data' | 'cr' | 'lf' | 'trailer' | 'done';

const malformed = (why: string): S3Error => s3Error('InvalidRequest', `Malformed aws-chunked body: ${why}.`);

export class AwsChunkedDecoder extends Transform {
  private state: State = 'header';
  private readonly line = Buffer.allocUnsafe(MAX_LINE);
  private lineLength = 0;
  private remaining = 0;
  private hash: Hash | undefined;
  private chunkSignature = '';
  private previous: string;
  private decoded = 0;
  private readonly received: [string, string][] = [];
  private trailerSignature: string | undefined;
  private readonly trailerMap: Record<string, string> = {};

  constructor(private readonly opts: AwsChunkedDecoderOptions) {
    super();
    this.previous = opts.signing?.seedSignature ?? '';
  }

  /** The trailing headers (lower-case names, without the trailer signature), once the stream has ended. */
  trailers(): Readonly<Record<string, string>> {
    return this.trailerMap;
  }

  get decodedBytes(): number {
    return this.decoded;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    try {
      this.consume(chunk);
      cb();
    } catch (err) {
      cb(err as Error);
    }
  }

  override _flush(cb: TransformCallback): void {
    if (this.state !== 'done') {
      cb(s3Error('IncompleteBody', 'The aws-chunked body ended before its final chunk and trailers.'));
      return;
    }
    cb();
  }

  private consume(buf: Buffer): void {
    let i = 0;
    while (i < buf.length) {
      switch (this.state) {
        case 'header':
        case 'trailer': {
          const nl = buf.indexOf(0x0a, i);
          const end = nl < 0 ? buf.length : nl;
          if (this.lineLength + (end - i) > MAX_LINE) throw malformed('a frame or trailer line is too long');
          buf.copy(this.line, this.lineLength, i, end);
          this.lineLength += end - i;
          i = end;
          if (nl < 0) break;
          i++;
          const text = this.takeLine();
          if (this.state === 'header') this.onChunkHeader(text);
          else this.onTrailerLine(text);
          break;
        }
        case 'data': {
          const n = Math.min(this.remaining, buf.length - i);
          const piece = buf.subarray(i, i + n);
          this.hash?.update(piece);
          this.decoded += n;
          if (this.opts.decodedLength !== undefined && this.decoded > this.opts.decodedLength) {
            throw s3Error('IncompleteBody', 'The aws-chunked body is longer than x-amz-decoded-content-length.');
          }
          this.push(piece);
          this.remaining -= n;
          i += n;
          if (this.remaining === 0) {
            this.verifyChunk();
            this.state = 'cr';
          }
          break;
        }
        case 'cr':
        case 'lf': {
          const want = this.state === 'cr' ? 0x0d : 0x0a;
          if (buf[i] !== want) throw malformed('chunk data is not followed by CRLF');
          i++;
          this.state = this.state === 'cr' ? 'lf' : 'header';
          break;
        }
        case 'done':
          throw malformed('data follows the end of the body');
      }
    }
  }

  /** The accumulated line without its terminator (CRLF, or a bare LF as some clients send in trailers). */
  private takeLine(): string {
    let len = this.lineLength;
    if (len > 0 && this.line[len - 1] === 0x0d) len--;
    this.lineLength = 0;
    return this.line.toString('latin1', 0, len);
  }

  private onChunkHeader(text: string): void {
    const [sizeHex, ...extensions] = text.split(';');
    if (!/^[0-9a-fA-F]{1,16}$/.test(sizeHex.trim())) throw malformed(`invalid chunk size "${sizeHex.slice(0, 32)}"`);
    const size = parseInt(sizeHex.trim(), 16);
    if (size > MAX_CHUNK) throw malformed('chunk size exceeds 5 GiB');
    if (this.opts.signing) {
      const ext = extensions.map((e) => e.trim()).find((e) => e.startsWith('chunk-signature='));
      const sig = ext?.slice('chunk-signature='.length) ?? '';
      if (!/^[0-9a-fA-F]{64}$/.test(sig)) throw malformed('a chunk has no valid chunk-signature');
      this.chunkSignature = sig;
      this.hash = createHash('sha256');
    }
    this.remaining = size;
    if (size > 0) {
      this.state = 'data';
      return;
    }
    this.verifyChunk();
    this.state = 'trailer';
  }

  private verifyChunk(): void {
    const s = this.opts.signing;
    if (!s || !this.hash) return;
    const expected = signHex(s.signingKey, chunkStringToSign(s.amzDate, s.scope, this.previous, this.hash.digest('hex')));
    this.hash = undefined;
    if (!signaturesEqual(expected, this.chunkSignature)) {
      throw s3Error('SignatureDoesNotMatch', 'The chunk signature we calculated does not match the signature you provided.');
    }
    this.previous = expected;
  }

  private onTrailerLine(text: string): void {
    if (text === '') {
      this.finishTrailers();
      return;
    }
    if (!this.opts.trailers) throw malformed('trailing headers sent without a -TRAILER content hash');
    const colon = text.indexOf(':');
    if (colon <= 0) throw s3Error('MalformedTrailerError', 'The request contained trailing data that was not well-formed.');
    const name = text.slice(0, colon).trim().toLowerCase();
    const value = text.slice(colon + 1).trim();
    if (name === TRAILER_SIGNATURE) {
      this.trailerSignature = value;
      return;
    }
    if (this.trailerSignature !== undefined) throw s3Error('MalformedTrailerError', 'Trailing headers follow the trailer signature.');
    if (this.received.length >= MAX_TRAILERS) throw s3Error('MalformedTrailerError', 'Too many trailing headers.');
    this.received.push([name, value]);
  }

  private finishTrailers(): void {
    const s = this.opts.signing;
    if (s && this.opts.trailers) {
      if (this.trailerSignature === undefined) throw s3Error('SignatureDoesNotMatch', 'The trailer signature is missing.');
      // Clients sign `name:value\n` per trailer; accept the order as sent and the sorted (canonical) order.
      const asSent = this.received.map(([n, v]) => `${n}:${v}\n`).join('');
      const sorted = [...this.received].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([n, v]) => `${n}:${v}\n`).join('');
      const ok = [...new Set([asSent, sorted])].some((c) =>
        signaturesEqual(signHex(s.signingKey, trailerStringToSign(s.amzDate, s.scope, this.previous, c)), this.trailerSignature as string),
      );
      if (!ok) throw s3Error('SignatureDoesNotMatch', 'The trailer signature we calculated does not match the signature you provided.');
    } else if (this.trailerSignature !== undefined) {
      throw s3Error('MalformedTrailerError', 'A trailer signature was sent with an unsigned payload.');
    }
    for (const [n, v] of this.received) {
      if (Object.hasOwn(this.trailerMap, n)) throw s3Error('MalformedTrailerError', `The trailing header ${n} was sent twice.`);
      this.trailerMap[n] = v;
    }
    const declared = this.opts.declaredTrailers;
    if (declared) {
      const extra = this.received.find(([n]) => !declared.includes(n));
      if (extra) throw s3Error('MalformedTrailerError', `The trailing header ${extra[0]} was not declared in x-amz-trailer.`);
      const missing = declared.find((n) => !Object.hasOwn(this.trailerMap, n));
      if (missing) throw s3Error('MalformedTrailerError', `The trailing header ${missing} declared in x-amz-trailer was not sent.`);
    }
    if (this.opts.decodedLength !== undefined && this.decoded !== this.opts.decodedLength) {
      throw s3Error('IncompleteBody', 'The decoded body is shorter than x-amz-decoded-content-length.');
    }
    this.opts.onTrailers?.(this.trailerMap);
    this.state = 'done';
  }
}

/** Produces aws-chunked frames, signed when given a signing context. */
export class AwsChunkedEncoder {
  private previous: string;
  constructor(private readonly signing?: ChunkSigning) {
    this.previous = signing?.seedSignature ?? '';
  }

  private sign(data: Uint8Array): string {
    const s = this.signing as ChunkSigning;
    this.previous = signHex(s.signingKey, chunkStringToSign(s.amzDate, s.scope, this.previous, data.length ? sha256Hex(data) : EMPTY_SHA256));
    return `;chunk-signature=${this.previous}`;
  }

  /** One data frame (must not be empty: a zero-size frame ends the body). */
  chunk(data: Uint8Array): Buffer {
    if (data.length === 0) throw new RangeError('aws-chunked data frames must not be empty');
    const head = `${data.length.toString(16)}${this.signing ? this.sign(data) : ''}\r\n`;
    return Buffer.concat([Buffer.from(head, 'latin1'), data, Buffer.from('\r\n')]);
  }

  /** The final zero-size frame, then trailers (and their signature when signed), then the closing blank line. */
  finish(trailers?: Record<string, string>): Buffer {
    let out = `0${this.signing ? this.sign(new Uint8Array(0)) : ''}\r\n`;
    if (trailers) {
      const entries = Object.entries(trailers).map(([n, v]): [string, string] => [n.toLowerCase(), v]).sort(([a], [b]) => (a < b ? -1 : 1));
      for (const [n, v] of entries) out += `${n}:${v}\r\n`;
      if (this.signing) {
        const s = this.signing;
        const canonical = entries.map(([n, v]) => `${n}:${v}\n`).join('');
        out += `${TRAILER_SIGNATURE}:${signHex(s.signingKey, trailerStringToSign(s.amzDate, s.scope, this.previous, canonical))}\r\n`;
      }
    }
    return Buffer.from(`${out}\r\n`, 'latin1');
  }
}

export interface EncodeOptions {
  /** Data bytes per frame; default 64 KiB. */
  chunkSize?: number;
  signing?: ChunkSigning;
  trailers?: Record<string, string>;
}

/** The whole aws-chunked encoding of `data` (for tests and small test clients). */
export function encodeAwsChunked(data: Uint8Array, opts: EncodeOptions = {}): Buffer {
  const size = opts.chunkSize ?? 64 * 1024;
  const enc = new AwsChunkedEncoder(opts.signing);
  const parts: Buffer[] = [];
  for (let i = 0; i < data.length; i += size) parts.push(enc.chunk(data.subarray(i, i + size)));
  parts.push(enc.finish(opts.trailers));
  return Buffer.concat(parts);
}
