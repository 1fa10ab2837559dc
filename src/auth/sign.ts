// Client-side SigV4 signing for S3, for the project's own test and benchmark clients that send raw
// requests (fetch, node:http): Authorization-header signing, presigned URLs, and the context that
// aws-chunked chunk signatures chain from.
import {
  ALGORITHM, SERVICE, TERMINATOR, UNSIGNED_PAYLOAD, canonicalPath, canonicalQuery, canonicalRequest, formatAmzDate,
  sha256Hex, signHex, signingKey, stringToSign, type ChunkSigning,
} from './sigv4-core.js';

export type { ChunkSigning } from './sigv4-core.js';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
}

export interface SignInput extends Credentials {
  method: string;
  url: string | URL;
  /** Headers that will be sent; all are signed except hop-by-hop ones (see `unsigned`). */
  headers?: Record<string, string>;
  /** The body, hashed into x-amz-content-sha256 unless `payloadHash` is given. */
  body?: string | Uint8Array;
  /** A hex SHA-256, `UNSIGNED-PAYLOAD` or a `STREAMING-*` literal. */
  payloadHash?: string;
  now?: Date;
}

// Headers that proxies and HTTP stacks add, drop or rewrite; signing them would make signatures fragile.
const unsigned = new Set([
  'authorization', 'user-agent', 'expect', 'connection', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'upgrade',
  'proxy-authorization', 'x-amzn-trace-id',
]);

function toUrl(url: string | URL): URL {
  return typeof url === 'string' ? new URL(url) : url;
}

/** Signs with an Authorization header; returns the headers to add plus the chunk-signing context. */
export function signRequestWithContext(input: SignInput): { headers: Record<string, string>; signing: ChunkSigning } {
  const url = toUrl(input.url);
  const now = input.now ?? new Date();
  const amzDate = formatAmzDate(now);
  const date = amzDate.slice(0, 8);
  const scope = `${date}/${input.region}/${SERVICE}/${TERMINATOR}`;
  const payloadHash = input.payloadHash ?? sha256Hex(input.body ?? '');
  const added: Record<string, string> = { 'x-amz-date': amzDate, 'x-amz-content-sha256': payloadHash };

  const all = new Map<string, string>();
  for (const [k, v] of Object.entries(input.headers ?? {})) all.set(k.toLowerCase(), v);
  if (!all.has('host')) all.set('host', url.host);
  for (const [k, v] of Object.entries(added)) all.set(k, v);
  const headers = [...all].filter(([k]) => !unsigned.has(k)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

  const canonical = canonicalRequest({
    method: input.method.toUpperCase(),
    path: canonicalPath(url.pathname),
    query: canonicalQuery(url.search.slice(1)),
    headers,
    payloadHash,
  });
  const key = signingKey(input.secretAccessKey, date, input.region);
  const signature = signHex(key, stringToSign(amzDate, scope, canonical));
  const signedNames = headers.map(([k]) => k).join(';');
  added.authorization = `${ALGORITHM} Credential=${input.accessKeyId}/${scope}, SignedHeaders=${signedNames}, Signature=${signature}`;
  return { headers: added, signing: { signingKey: key, amzDate, scope, seedSignature: signature } };
}

/** Headers to add to a request (x-amz-date, x-amz-content-sha256, authorization). Host comes from the URL. */
export function signRequest(input: SignInput): Record<string, string> {
  return signRequestWithContext(input).headers;
}

export interface PresignInput extends Credentials {
  method: string;
  url: string | URL;
  /** Lifetime in seconds (1 to 604800). */
  expiresIn: number;
  /** Extra headers the request will carry and that the URL should bind. */
  headers?: Record<string, string>;
  now?: Date;
}

/** A presigned URL (query-string authentication), signing the host and any given headers. */
export function presignUrl(input: PresignInput): string {
  const url = toUrl(input.url);
  const amzDate = formatAmzDate(input.now ?? new Date());
  const date = amzDate.slice(0, 8);
  const scope = `${date}/${input.region}/${SERVICE}/${TERMINATOR}`;
  const all = new Map<string, string>([['host', url.host]]);
  for (const [k, v] of Object.entries(input.headers ?? {})) all.set(k.toLowerCase(), v);
  const headers = [...all].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

  const params = new URLSearchParams(url.search);
  params.set('X-Amz-Algorithm', ALGORITHM);
  params.set('X-Amz-Credential', `${input.accessKeyId}/${scope}`);
  params.set('X-Amz-Date', amzDate);
  params.set('X-Amz-Expires', String(input.expiresIn));
  params.set('X-Amz-SignedHeaders', headers.map(([k]) => k).join(';'));
  // URLSearchParams writes spaces as '+'; the canonical form (sorted, %20) is also what we send.
  const query = canonicalQuery(params.toString());
  const canonical = canonicalRequest({
    method: input.method.toUpperCase(), path: canonicalPath(url.pathname), query, headers, payloadHash: UNSIGNED_PAYLOAD,
  });
  const signature = signHex(signingKey(input.secretAccessKey, date, input.region), stringToSign(amzDate, scope, canonical));
  return `${url.origin}${url.pathname}?${query}&X-Amz-Signature=${signature}`;
}
