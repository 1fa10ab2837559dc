// Turns a request body into the bytes of the object, verifying whatever integrity the client signed:
// the SHA-256 of a single-chunk payload, or the aws-chunked signature chain, and collecting trailers.
// Every check fails the returned stream before it ends, so a bad body never gets committed.
import { createHash } from 'node:crypto';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { s3Error } from '../errors.js';
import type { Checksums } from '../store/store.js';
import { AwsChunkedDecoder } from './aws-chunked.js';
import { algorithmOfHeader, isValidChecksum } from './checksums.js';
import {
  STREAMING_SIGNED, STREAMING_SIGNED_TRAILER, STREAMING_UNSIGNED_TRAILER, UNSIGNED_PAYLOAD, headerValue, type HeaderBag,
} from './sigv4-core.js';
import type { AuthResult } from './sigv4.js';

export type PayloadMode = 'sha256' | 'unsigned' | 'streaming-signed' | 'streaming-signed-trailer' | 'streaming-unsigned-trailer';

export interface DecodedPayload {
  mode: PayloadMode;
  /** The object bytes; errors with an S3Error (checked before 'end') when integrity checks fail. */
  body: Readable;
  /** Length of `body` when known in advance (`x-amz-decoded-content-length`, else `content-length`). */
  length?: number;
  /** Trailing headers of an aws-chunked body (lower-case names); empty until the body has ended. */
  trailers: () => Record<string, string>;
  /** The `x-amz-checksum-*` values among the trailers, validated. */
  trailerChecksums: () => Checksums;
}

const HEX64 = /^[0-9a-fA-F]{64}$/;

/** Pass-through that compares the SHA-256 of everything that flowed with the signed hash at the end. */
class Sha256Verifier extends Transform {
  private readonly hash = createHash('sha256');
  constructor(private readonly expected: string) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.hash.update(chunk);
    cb(null, chunk);
  }
  override _flush(cb: TransformCallback): void {
    const actual = this.hash.digest('hex');
    if (actual === this.expected.toLowerCase()) cb();
    else cb(s3Error('XAmzContentSHA256Mismatch', undefined, { ClientComputedContentSHA256: this.expected, S3ComputedContentSHA256: actual }));
  }
}

function modeOf(hash: string): PayloadMode {
  if (HEX64.test(hash)) return 'sha256';
  switch (hash) {
    case UNSIGNED_PAYLOAD: return 'unsigned';
    case STREAMING_SIGNED: return 'streaming-signed';
    case STREAMING_SIGNED_TRAILER: return 'streaming-signed-trailer';
    case STREAMING_UNSIGNED_TRAILER: return 'streaming-unsigned-trailer';
  }
  throw s3Error('InvalidArgument', 'x-amz-content-sha256 must be UNSIGNED-PAYLOAD, a STREAMING-* value, or a valid sha256 value.', {
    ArgumentName: 'x-amz-content-sha256',
    ArgumentValue: hash,
  });
}

function nonNegativeInt(headers: HeaderBag, name: string): number | undefined {
  const raw = headerValue(headers, name)?.trim();
  if (raw === undefined) return undefined;
  if (!/^\d{1,15}$/.test(raw)) throw s3Error('InvalidArgument', `${name} must be a non-negative integer.`, { ArgumentName: name, ArgumentValue: raw });
  return Number(raw);
}

/** Pipes without `pipeline`, which would destroy the request (and its socket) when a check fails. */
function through<T extends Transform>(source: Readable, t: T): T {
  source.on('error', (err) => t.destroy(err));
  source.pipe(t);
  return t;
}

/**
 * Chooses how to read the body from the signed payload hash (`auth`, or the `x-amz-content-sha256`
 * header for anonymous and presigned requests) and returns the decoded object stream.
 */
export function decodePayload(auth: AuthResult | null | undefined, headers: HeaderBag, raw: Readable): DecodedPayload {
  const sent = headerValue(headers, 'x-amz-content-sha256')?.trim();
  const hash = auth && !auth.presigned ? auth.payloadHash : sent ?? auth?.payloadHash ?? UNSIGNED_PAYLOAD;
  const mode = modeOf(hash);
  const none = () => ({});

  if (mode === 'sha256' || mode === 'unsigned') {
    const length = nonNegativeInt(headers, 'content-length');
    const body = mode === 'sha256' ? through(raw, new Sha256Verifier(hash)) : raw;
    return { mode, body, length, trailers: none, trailerChecksums: none };
  }

  const length = nonNegativeInt(headers, 'x-amz-decoded-content-length');
  if (length === undefined) throw s3Error('MissingContentLength', 'You must provide the x-amz-decoded-content-length header for aws-chunked uploads.');
  const signed = mode !== 'streaming-unsigned-trailer';
  if (signed && !auth) throw s3Error('AccessDenied', 'A signed streaming payload requires a signed request.');
  const hasTrailers = mode !== 'streaming-signed';
  const declared = headerValue(headers, 'x-amz-trailer')?.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);

  const checksums: Checksums = {};
  const decoder = new AwsChunkedDecoder({
    signing: signed && auth ? { signingKey: auth.signingKey, amzDate: auth.amzDate, scope: auth.scope, seedSignature: auth.signature } : undefined,
    trailers: hasTrailers,
    decodedLength: length,
    declaredTrailers: hasTrailers ? declared : undefined,
    onTrailers: (t) => {
      for (const [name, value] of Object.entries(t)) {
        const alg = algorithmOfHeader(name);
        if (!alg) continue;
        if (!isValidChecksum(alg, value)) throw s3Error('InvalidRequest', `Value for ${name} trailing header is invalid.`);
        checksums[alg] = value;
      }
    },
  });
  return {
    mode,
    body: through(raw, decoder),
    length,
    trailers: () => ({ ...decoder.trailers() }),
    trailerChecksums: () => ({ ...checksums }),
  };
}

/** Content-Encoding to store: the client's value without `aws-chunked` (undefined when nothing is left). */
export function storedContentEncoding(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const rest = value.split(',').map((s) => s.trim()).filter((s) => s !== '' && s.toLowerCase() !== 'aws-chunked');
  return rest.length ? rest.join(',') : undefined;
}
