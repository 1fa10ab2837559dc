// Building blocks of AWS Signature Version 4 for S3, shared by the verifier, the client signer and the
// aws-chunked codec: URI encoding, canonical request, string to sign, signing keys.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const ALGORITHM = 'AWS4-HMAC-SHA256';
export const SERVICE = 's3';
export const TERMINATOR = 'aws4_request';
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
export const STREAMING_SIGNED = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD';
export const STREAMING_SIGNED_TRAILER = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER';
export const STREAMING_UNSIGNED_TRAILER = 'STREAMING-UNSIGNED-PAYLOAD-TRAILER';

/** Request headers by lower-case name, as Node delivers them. */
export type HeaderBag = Record<string, string | string[] | undefined>;

export function headerValue(headers: HeaderBag, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

/** What aws-chunked chunk signatures chain from: the request's signing key, time, scope and signature. */
export interface ChunkSigning {
  signingKey: Buffer;
  amzDate: string;
  scope: string;
  seedSignature: string;
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export function hmac(key: Uint8Array | string, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

// Deriving a key costs four HMACs; a server sees the same (secret, day, region) for every request.
const keyCache = new Map<string, Buffer>();
const KEY_CACHE_MAX = 512;

/** kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), "s3"), "aws4_request"). */
export function signingKey(secret: string, date: string, region: string): Buffer {
  const id = `${date}\n${region}\n${secret}`;
  let key = keyCache.get(id);
  if (!key) {
    key = hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), SERVICE), TERMINATOR);
    if (keyCache.size >= KEY_CACHE_MAX) keyCache.clear();
    keyCache.set(id, key);
  }
  return key;
}

// Every byte maps to itself when unreserved (A-Z a-z 0-9 - _ . ~), else to %XX in upper case.
const encoded: string[] = Array.from({ length: 256 }, (_, b) => {
  const c = String.fromCharCode(b);
  return /[A-Za-z0-9\-_.~]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
});

/** AWS UriEncode of raw bytes (or a string as UTF-8); `/` is kept when `keepSlash`. */
export function uriEncode(input: string | Uint8Array, keepSlash = false): string {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  let out = '';
  for (const b of bytes) out += keepSlash && b === 0x2f ? '/' : encoded[b];
  return out;
}

function hexVal(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/**
 * Percent-decoding to bytes that never throws: a `%` not followed by two hex digits stays literal,
 * and invalid UTF-8 survives as bytes (re-encoding yields the same %XX). `+` becomes a space on request.
 */
export function percentDecode(s: string, plusIsSpace = false): Buffer {
  const src = Buffer.from(s, 'utf8');
  const out = Buffer.allocUnsafe(src.length);
  let n = 0;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === 0x25 && i + 2 < src.length && hexVal(src[i + 1]) >= 0 && hexVal(src[i + 2]) >= 0) {
      out[n++] = hexVal(src[i + 1]) * 16 + hexVal(src[i + 2]);
      i += 2;
    } else {
      out[n++] = plusIsSpace && c === 0x2b ? 0x20 : c;
    }
  }
  return out.subarray(0, n);
}

/** The path decoded and re-encoded with AWS's rules (what S3 itself computes from the key). */
export function canonicalPath(rawPath: string): string {
  const p = uriEncode(percentDecode(rawPath), true);
  return p === '' ? '/' : p;
}

/** Query string re-encoded and sorted by name then value; `skip` names a parameter to leave out. */
export function canonicalQuery(rawQuery: string, skip?: string): string {
  const pairs: [string, string][] = [];
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = uriEncode(percentDecode(eq < 0 ? part : part.slice(0, eq), true));
    if (skip !== undefined && name === skip) continue;
    pairs.push([name, eq < 0 ? '' : uriEncode(percentDecode(part.slice(eq + 1), true))]);
  }
  pairs.sort(([an, av], [bn, bv]) => (an < bn ? -1 : an > bn ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return pairs.map(([n, v]) => `${n}=${v}`).join('&');
}

/** Header value as signed: trimmed, with runs of whitespace collapsed to one space. */
export function canonicalHeaderValue(v: string): string {
  return v.trim().replace(/\s+/g, ' ');
}

export interface CanonicalParts {
  method: string;
  path: string;
  query: string;
  /** Lower-case names in SignedHeaders order, with their raw values. */
  headers: readonly (readonly [string, string])[];
  payloadHash: string;
}

export function canonicalRequest(p: CanonicalParts): string {
  const lines = p.headers.map(([n, v]) => `${n}:${canonicalHeaderValue(v)}\n`).join('');
  const signed = p.headers.map(([n]) => n).join(';');
  return `${p.method}\n${p.path}\n${p.query}\n${lines}\n${signed}\n${p.payloadHash}`;
}

export function stringToSign(amzDate: string, scope: string, canonical: string): string {
  return `${ALGORITHM}\n${amzDate}\n${scope}\n${sha256Hex(canonical)}`;
}

/** String to sign of one aws-chunked chunk; `chunkHash` is the hex SHA-256 of its data. */
export function chunkStringToSign(amzDate: string, scope: string, previous: string, chunkHash: string): string {
  return `AWS4-HMAC-SHA256-PAYLOAD\n${amzDate}\n${scope}\n${previous}\n${EMPTY_SHA256}\n${chunkHash}`;
}

/** String to sign of the trailer section; `canonicalTrailers` is `name:value\n` per trailer. */
export function trailerStringToSign(amzDate: string, scope: string, previous: string, canonicalTrailers: string): string {
  return `AWS4-HMAC-SHA256-TRAILER\n${amzDate}\n${scope}\n${previous}\n${sha256Hex(canonicalTrailers)}`;
}

export function signHex(key: Buffer, sts: string): string {
  return createHmac('sha256', key).update(sts).digest('hex');
}

/** `YYYYMMDDTHHMMSSZ`. */
export function formatAmzDate(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

export function parseAmzDate(s: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (!m) return undefined;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]));
  return formatAmzDate(d) === s ? d : undefined;
}

/** Constant-time comparison of two hex signatures (case-insensitive). */
export function signaturesEqual(expected: string, given: string): boolean {
  const a = Buffer.from(expected.toLowerCase(), 'latin1');
  const b = Buffer.from(given.toLowerCase(), 'latin1');
  return a.length === b.length && timingSafeEqual(a, b);
}
