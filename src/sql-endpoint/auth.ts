// Who may use /_sql: the gateway's own credentials, presented as a SigV4 signature (header or presigned
// URL, as S3 clients sign), as HTTP Basic (access key as user, secret as password), or as
// `Authorization: Bearer <access key>:<secret>` for tools that can only set a header. Never anonymous.
import { createHash, timingSafeEqual } from 'node:crypto';
import { verifyRequest } from '../auth/sigv4.js';
import type { Config } from '../config.js';
import { S3Error, s3Error } from '../errors.js';

export interface AuthInput {
  method: string;
  /** Path and query as received. */
  rawUrl: string;
  /** Lower-case header names. */
  headers: Record<string, string>;
}

export interface Authenticated {
  accessKey: string;
  method: 'sigv4' | 'basic' | 'bearer';
  /** For SigV4: the signed payload hash (`UNSIGNED-PAYLOAD` or hex SHA-256) the body must match. */
  payloadHash?: string;
}

const CHALLENGE = { 'www-authenticate': 'Basic realm="selectd", charset="UTF-8"' };

function unauthorized(message: string): S3Error {
  return new S3Error('UnauthorizedAccess', message, {}, CHALLENGE);
}

/** Constant-time comparison of two strings of any length. */
function same(a: string, b: string): boolean {
  const h = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(h(a), h(b));
}

function checkPair(config: Config, accessKey: string, secret: string, method: 'basic' | 'bearer'): Authenticated {
  // Both comparisons always run, so timing does not reveal which part was wrong.
  const keyOk = same(accessKey, config.accessKey);
  const secretOk = same(secret, config.secretKey);
  if (!keyOk || !secretOk) throw unauthorized('The access key or secret is not valid.');
  return { accessKey, method };
}

function splitPair(pair: string): [string, string] | undefined {
  const i = pair.indexOf(':');
  return i <= 0 ? undefined : [pair.slice(0, i), pair.slice(i + 1)];
}

export function authenticate(input: AuthInput, config: Config): Authenticated {
  const authorization = (input.headers.authorization ?? '').trim();
  const presigned = /[?&]X-Amz-(Signature|Credential|Algorithm)=/i.test(input.rawUrl);
  if (authorization.startsWith('AWS4-HMAC-SHA256') || (authorization === '' && presigned)) {
    const result = verifyRequest(
      { method: input.method, rawUrl: input.rawUrl, headers: input.headers, now: new Date() },
      (id) => (id === config.accessKey ? config.secretKey : undefined),
      config.region,
    );
    return { accessKey: result.accessKeyId, method: 'sigv4', payloadHash: result.payloadHash };
  }
  const m = /^(Basic|Bearer)\s+(\S+)$/i.exec(authorization);
  if (!m) {
    if (authorization === '') throw unauthorized('Authentication is required: SigV4, HTTP Basic (access key and secret) or Bearer <access key>:<secret>.');
    throw unauthorized('Unsupported Authorization scheme: use SigV4, Basic or Bearer.');
  }
  const bearer = m[1]!.toLowerCase() === 'bearer';
  const pair = splitPair(bearer ? m[2]! : Buffer.from(m[2]!, 'base64').toString('utf8'));
  if (!pair) throw unauthorized(`Malformed ${bearer ? 'Bearer' : 'Basic'} credentials: expected <access key>:<secret>.`);
  return checkPair(config, pair[0], pair[1], bearer ? 'bearer' : 'basic');
}

/** For SigV4 requests whose signature covers the body hash: the SQL body must be what was signed. */
export function checkPayload(auth: Authenticated, body: Buffer): void {
  const hash = auth.payloadHash;
  if (auth.method !== 'sigv4' || hash === undefined || hash === 'UNSIGNED-PAYLOAD') return;
  if (!/^[0-9a-f]{64}$/i.test(hash)) throw s3Error('InvalidArgument', 'Streaming (aws-chunked) bodies are not supported by /_sql; sign the body or send UNSIGNED-PAYLOAD.');
  const actual = createHash('sha256').update(body).digest('hex');
  if (actual !== hash.toLowerCase()) {
    throw s3Error('XAmzContentSHA256Mismatch', undefined, { ClientComputedContentSHA256: hash, S3ComputedContentSHA256: actual });
  }
}
