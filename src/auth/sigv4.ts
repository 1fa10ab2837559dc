// Server-side verification of AWS Signature Version 4 for S3: the Authorization header form and
// presigned (query string) URLs. Produces what the body layer needs to check payload hashes and chunk chains.
import { s3Error, type S3Error } from '../errors.js';
import {
  ALGORITHM, SERVICE, STREAMING_SIGNED, STREAMING_SIGNED_TRAILER, STREAMING_UNSIGNED_TRAILER, TERMINATOR, UNSIGNED_PAYLOAD,
  canonicalPath, canonicalQuery, canonicalRequest, formatAmzDate, headerValue as header, parseAmzDate, signHex, signaturesEqual,
  signingKey, stringToSign, type HeaderBag,
} from './sigv4-core.js';

export type { HeaderBag } from './sigv4-core.js';
import { isSigV2Query, verifySigV2Query } from './sigv2-query.js';

export interface SigV4Request {
  method: string;
  /** Path and query exactly as received, still percent-encoded. */
  rawUrl: string;
  /** Lower-case header names. */
  headers: HeaderBag;
  now: Date;
}

/** Secret access key of an access key id, or undefined when unknown. */
export type CredentialLookup = (accessKeyId: string) => string | undefined;

interface VerifyOptions {
  region: string;
  lookup: CredentialLookup;
}

export interface AuthResult {
  accessKeyId: string;
  /** The signed payload hash: `x-amz-content-sha256` for header auth, `UNSIGNED-PAYLOAD` when presigned. */
  payloadHash: string;
  /** The verified request signature (the seed of an aws-chunked signature chain). */
  signature: string;
  amzDate: string;
  /** `date/region/s3/aws4_request`. */
  scope: string;
  signingKey: Buffer;
  presigned: boolean;
  requestTime: Date;
}

export const MAX_SKEW_MS = 15 * 60 * 1000;
const MAX_EXPIRES = 604800;
const HEX64 = /^[0-9a-fA-F]{64}$/;
const PAYLOAD_LITERALS = new Set([UNSIGNED_PAYLOAD, STREAMING_SIGNED, STREAMING_SIGNED_TRAILER, STREAMING_UNSIGNED_TRAILER]);

/** True when the request carries any form of AWS authentication (header or query). */
export function hasAuthentication(req: Pick<SigV4Request, 'rawUrl' | 'headers'>): boolean {
  if (header(req.headers, 'authorization') !== undefined) return true;
  const q = new URLSearchParams(splitUrl(req.rawUrl).query);
  return q.has('X-Amz-Algorithm') || q.has('X-Amz-Signature') || q.has('AWSAccessKeyId');
}

function splitUrl(rawUrl: string): { path: string; query: string } {
  const q = rawUrl.indexOf('?');
  return q < 0 ? { path: rawUrl, query: '' } : { path: rawUrl.slice(0, q), query: rawUrl.slice(q + 1) };
}

type Form = 'header' | 'query';

function malformed(form: Form, detail: string, details?: Record<string, string>): S3Error {
  return form === 'header'
    ? s3Error('AuthorizationHeaderMalformed', `The authorization header is malformed; ${detail}`, details)
    : s3Error('AuthorizationQueryParametersError', `Error parsing the X-Amz-Credential parameter; ${detail}`, details);
}

interface Credential {
  accessKeyId: string;
  date: string;
  region: string;
  scope: string;
}

function parseCredential(form: Form, value: string, region: string): Credential {
  const parts = value.split('/');
  if (parts.length !== 5 || parts[0] === '' || !/^\d{8}$/.test(parts[1])) {
    throw malformed(form, 'the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".');
  }
  const [accessKeyId, date, scopeRegion, service, terminator] = parts;
  if (scopeRegion !== region) throw malformed(form, `the region '${scopeRegion}' is wrong; expecting '${region}'`, { Region: region });
  if (service !== SERVICE) throw malformed(form, `incorrect service "${service}". This endpoint belongs to "${SERVICE}".`);
  if (terminator !== TERMINATOR) throw malformed(form, `incorrect terminal "${terminator}". This endpoint uses "${TERMINATOR}".`);
  return { accessKeyId, date, region, scope: `${date}/${region}/${SERVICE}/${TERMINATOR}` };
}

function parseSignedHeaders(form: Form, value: string): string[] {
  const names = value.split(';');
  if (names.some((n) => n === '' || n !== n.toLowerCase())) {
    throw form === 'header'
      ? s3Error('AuthorizationHeaderMalformed', 'The authorization header is malformed; SignedHeaders must be lower-case names separated by ";".')
      : s3Error('AuthorizationQueryParametersError', 'X-Amz-SignedHeaders must be lower-case names separated by ";".');
  }
  if (!names.includes('host')) {
    throw s3Error(form === 'header' ? 'AuthorizationHeaderMalformed' : 'AuthorizationQueryParametersError', 'The host header must be signed.');
  }
  return names;
}

function secretOf(opts: VerifyOptions, accessKeyId: string): string {
  const secret = opts.lookup(accessKeyId);
  if (secret === undefined) {
    throw s3Error('InvalidAccessKeyId', undefined, { AWSAccessKeyId: accessKeyId });
  }
  return secret;
}

/** Everything the signature covers, parsed from either form of authentication. */
interface SignedParts {
  req: SigV4Request;
  cred: Credential;
  amzDate: string;
  signedHeaders: string[];
  query: string;
  payloadHash: string;
  signature: string;
  secret: string;
}

/** Checks the signature against the path as sent and as S3 would re-encode it; returns the signing key on a match. */
function checkSignature(c: SignedParts): Buffer {
  const headers = c.signedHeaders.map((n): [string, string] => {
    const v = header(c.req.headers, n);
    if (v === undefined) throw s3Error('SignatureDoesNotMatch', `The signed header '${n}' is missing from the request.`);
    return [n, v];
  });
  const raw = splitUrl(c.req.rawUrl).path || '/';
  const paths = [...new Set([raw, canonicalPath(raw)])];
  const key = signingKey(c.secret, c.cred.date, c.cred.region);
  let last = { canonical: '', sts: '' };
  for (const path of paths) {
    const canonical = canonicalRequest({ method: c.req.method.toUpperCase(), path, query: c.query, headers, payloadHash: c.payloadHash });
    const sts = stringToSign(c.amzDate, c.cred.scope, canonical);
    if (signaturesEqual(signHex(key, sts), c.signature)) return key;
    last = { canonical, sts };
  }
  throw s3Error('SignatureDoesNotMatch', undefined, {
    AWSAccessKeyId: c.cred.accessKeyId,
    StringToSign: last.sts,
    SignatureProvided: c.signature,
    CanonicalRequest: last.canonical,
  });
}

function verifyHeader(req: SigV4Request, opts: VerifyOptions, authorization: string): AuthResult {
  const space = authorization.indexOf(' ');
  const algorithm = space < 0 ? authorization : authorization.slice(0, space);
  if (algorithm !== ALGORITHM) {
    if (algorithm === 'AWS' || algorithm.startsWith('AWS4-')) {
      throw s3Error('InvalidRequest', 'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.');
    }
    throw s3Error('AuthorizationHeaderMalformed', `The authorization header is malformed; the algorithm '${algorithm}' is not supported.`);
  }
  const fields = new Map<string, string>();
  for (const part of authorization.slice(space + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const credential = fields.get('Credential');
  const signedHeadersRaw = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (!credential || !signedHeadersRaw || !signature) {
    throw s3Error(
      'AuthorizationHeaderMalformed',
      'The authorization header is malformed; the authorization header requires three components: Credential, SignedHeaders, and Signature.',
    );
  }
  const cred = parseCredential('header', credential, opts.region);
  const signedHeaders = parseSignedHeaders('header', signedHeadersRaw);
  const secret = secretOf(opts, cred.accessKeyId);

  const xAmzDate = header(req.headers, 'x-amz-date');
  const httpDate = header(req.headers, 'date');
  const time = xAmzDate !== undefined ? parseAmzDate(xAmzDate.trim()) : httpDate !== undefined ? new Date(httpDate) : undefined;
  if (!time || Number.isNaN(time.getTime())) {
    throw s3Error('AccessDenied', 'AWS authentication requires a valid Date or x-amz-date header');
  }
  const amzDate = formatAmzDate(time);
  if (amzDate.slice(0, 8) !== cred.date) {
    throw s3Error(
      'AuthorizationHeaderMalformed',
      `The authorization header is malformed; Invalid credential date "${cred.date}". This date is not the same as X-Amz-Date: "${amzDate.slice(0, 8)}".`,
    );
  }
  if (Math.abs(req.now.getTime() - time.getTime()) > MAX_SKEW_MS) {
    throw s3Error('RequestTimeTooSkewed', undefined, {
      RequestTime: xAmzDate ?? httpDate ?? '',
      ServerTime: req.now.toISOString(),
      MaxAllowedSkewMilliseconds: String(MAX_SKEW_MS),
    });
  }
  const payloadHash = header(req.headers, 'x-amz-content-sha256')?.trim();
  if (payloadHash === undefined) throw s3Error('InvalidRequest', 'Missing required header for this request: x-amz-content-sha256');
  if (!HEX64.test(payloadHash) && !PAYLOAD_LITERALS.has(payloadHash)) {
    throw s3Error('InvalidArgument', 'x-amz-content-sha256 must be UNSIGNED-PAYLOAD, a STREAMING-* value, or a valid sha256 value.', {
      ArgumentName: 'x-amz-content-sha256',
      ArgumentValue: payloadHash,
    });
  }
  const query = canonicalQuery(splitUrl(req.rawUrl).query);
  const key = checkSignature({ req, cred, amzDate, signedHeaders, query, payloadHash, signature, secret });
  return {
    accessKeyId: cred.accessKeyId, payloadHash, signature: signature.toLowerCase(), amzDate, scope: cred.scope,
    signingKey: key, presigned: false, requestTime: time,
  };
}

const PRESIGN_REQUIRED = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Signature', 'X-Amz-Date', 'X-Amz-SignedHeaders', 'X-Amz-Expires'];

function queryError(message: string): S3Error {
  return s3Error('AuthorizationQueryParametersError', message);
}

function verifyQuery(req: SigV4Request, opts: VerifyOptions, rawQuery: string): AuthResult {
  const params = new URLSearchParams(rawQuery);
  if (PRESIGN_REQUIRED.some((p) => !params.get(p))) {
    throw queryError(
      'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.',
    );
  }
  const get = (name: string): string => params.get(name) as string;
  if (get('X-Amz-Algorithm') !== ALGORITHM) throw queryError(`X-Amz-Algorithm only supports "${ALGORITHM}"`);
  const amzDate = get('X-Amz-Date');
  const time = parseAmzDate(amzDate);
  if (!time) throw queryError(`X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'"`);
  const expiresRaw = get('X-Amz-Expires');
  if (!/^\d+$/.test(expiresRaw)) throw queryError('X-Amz-Expires should be a number');
  const expires = Number(expiresRaw);
  if (expires < 1) throw queryError('X-Amz-Expires must be non-negative and greater than zero');
  if (expires > MAX_EXPIRES) throw queryError(`X-Amz-Expires must be less than a week (in seconds) that is ${MAX_EXPIRES}`);
  const cred = parseCredential('query', get('X-Amz-Credential'), opts.region);
  if (cred.date !== amzDate.slice(0, 8)) {
    throw queryError(`Invalid credential date "${cred.date}". This date is not the same as X-Amz-Date: "${amzDate.slice(0, 8)}".`);
  }
  const signedHeaders = parseSignedHeaders('query', get('X-Amz-SignedHeaders'));
  const secret = secretOf(opts, cred.accessKeyId);
  const now = req.now.getTime();
  if (now + MAX_SKEW_MS < time.getTime()) throw s3Error('AccessDenied', 'Request is not valid yet');
  if (now > time.getTime() + expires * 1000) {
    throw s3Error('AccessDenied', 'Request has expired', {
      'X-Amz-Expires': expiresRaw,
      Expires: new Date(time.getTime() + expires * 1000).toISOString(),
      ServerTime: req.now.toISOString(),
    });
  }
  // Presigned URLs cannot know the body; S3 signs the literal unless the URL itself carries a hash.
  const payloadHash = params.get('X-Amz-Content-Sha256') ?? UNSIGNED_PAYLOAD;
  const signature = get('X-Amz-Signature');
  const query = canonicalQuery(rawQuery, 'X-Amz-Signature');
  const key = checkSignature({ req, cred, amzDate, signedHeaders, query, payloadHash, signature, secret });
  return {
    accessKeyId: cred.accessKeyId, payloadHash, signature: signature.toLowerCase(), amzDate, scope: cred.scope,
    signingKey: key, presigned: true, requestTime: time,
  };
}

/**
 * Verifies a SigV4-signed request or throws the S3Error S3 would answer with.
 * `region` is the server's region; the credential scope must name it.
 */
export function verifyRequest(req: SigV4Request, lookup: CredentialLookup, region: string): AuthResult {
  const opts: VerifyOptions = { lookup, region };
  const authorization = header(req.headers, 'authorization')?.trim();
  const rawQuery = splitUrl(req.rawUrl).query;
  const params = new URLSearchParams(rawQuery);
  const presigned = params.has('X-Amz-Algorithm') || params.has('X-Amz-Credential') || params.has('X-Amz-Signature');
  if (authorization !== undefined && authorization !== '') {
    if (presigned) {
      throw s3Error('InvalidArgument', 'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter or the Authorization header should be specified');
    }
    return verifyHeader(req, opts, authorization);
  }
  if (presigned) return verifyQuery(req, opts, rawQuery);
  if (isSigV2Query(params)) return verifySigV2Query(req, lookup, splitUrl(req.rawUrl).path, params);
  if (params.has('AWSAccessKeyId') || params.has('Signature')) {
    throw s3Error('InvalidRequest', 'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.');
  }
  throw s3Error('AccessDenied', 'Access Denied');
}

