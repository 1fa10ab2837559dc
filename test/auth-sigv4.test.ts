import { describe, expect, it } from 'vitest';
import { presignUrl, signRequest } from '../src/auth/sign.js';
import { verifyRequest, type AuthResult, type SigV4Request } from '../src/auth/sigv4.js';
import {
  EMPTY_SHA256, canonicalPath, canonicalQuery, canonicalRequest, formatAmzDate, sha256Hex, signHex, signingKey, stringToSign,
} from '../src/auth/sigv4-core.js';
import { S3Error } from '../src/errors.js';

// AWS's published SigV4 examples for S3 (sig-v4-header-based-auth, sigv4-query-string-auth, sigv4-streaming).
const AK = 'AKIAIOSFODNN7EXAMPLE';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const REGION = 'us-east-1';
const T0 = new Date('2013-05-24T00:00:00Z');
const HOST = 'examplebucket.s3.amazonaws.com';
const creds = { accessKeyId: AK, secretAccessKey: SECRET, region: REGION };
const lookup = (id: string) => (id === AK ? SECRET : undefined);
const auth = (signature: string, signed: string) =>
  `AWS4-HMAC-SHA256 Credential=${AK}/20130524/us-east-1/s3/aws4_request,SignedHeaders=${signed},Signature=${signature}`;

const examples = {
  getRange: {
    method: 'GET', rawUrl: '/test.txt',
    headers: { host: HOST, range: 'bytes=0-9', 'x-amz-content-sha256': EMPTY_SHA256, 'x-amz-date': '20130524T000000Z' },
    signature: 'f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
  },
  putObject: {
    method: 'PUT', rawUrl: '/test%24file.text',
    headers: {
      date: 'Fri, 24 May 2013 00:00:00 GMT', host: HOST, 'x-amz-date': '20130524T000000Z', 'x-amz-storage-class': 'REDUCED_REDUNDANCY',
      'x-amz-content-sha256': '44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072',
    },
    signature: '98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd',
  },
  getLifecycle: {
    method: 'GET', rawUrl: '/?lifecycle',
    headers: { host: HOST, 'x-amz-content-sha256': EMPTY_SHA256, 'x-amz-date': '20130524T000000Z' },
    signature: 'fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543',
  },
  listObjects: {
    method: 'GET', rawUrl: '/?max-keys=2&prefix=J',
    headers: { host: HOST, 'x-amz-content-sha256': EMPTY_SHA256, 'x-amz-date': '20130524T000000Z' },
    signature: '34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7',
  },
  streamingSeed: {
    method: 'PUT', rawUrl: '/examplebucket/chunkObject.txt',
    headers: {
      'content-encoding': 'aws-chunked', 'content-length': '66824', host: 's3.amazonaws.com',
      'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', 'x-amz-date': '20130524T000000Z',
      'x-amz-decoded-content-length': '66560', 'x-amz-storage-class': 'REDUCED_REDUNDANCY',
    },
    signature: '4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9',
  },
};
const PRESIGNED_URL =
  'https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256' +
  '&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z' +
  '&X-Amz-Expires=86400&X-Amz-SignedHeaders=host' +
  '&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404';

function exampleRequest(e: (typeof examples)[keyof typeof examples], now = T0): SigV4Request & { headers: Record<string, string> } {
  const signed = Object.keys(e.headers).sort().join(';');
  return { method: e.method, rawUrl: e.rawUrl, headers: { ...e.headers, authorization: auth(e.signature, signed) }, now };
}

function rejects(f: () => unknown, code: string, message?: RegExp): S3Error {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(S3Error);
    expect((e as S3Error).code).toBe(code);
    if (message) expect((e as S3Error).message).toMatch(message);
    return e as S3Error;
  }
  throw new Error(`expected ${code}`);
}

const verify = (req: SigV4Request, region = REGION): AuthResult => verifyRequest(req, lookup, region);

describe('verifyRequest: AWS published examples', () => {
  for (const [name, e] of Object.entries(examples)) {
    it(`accepts ${name}`, () => {
      const r = verify(exampleRequest(e));
      expect(r).toMatchObject({
        accessKeyId: AK, signature: e.signature, amzDate: '20130524T000000Z', scope: '20130524/us-east-1/s3/aws4_request',
        payloadHash: e.headers['x-amz-content-sha256'], presigned: false,
      });
      expect(r.signingKey.equals(signingKey(SECRET, '20130524', REGION))).toBe(true);
    });
  }

  it('accepts the PUT example whether the client sent `$` raw or percent-encoded', () => {
    expect(verify({ ...exampleRequest(examples.putObject), rawUrl: '/test$file.text' }).accessKeyId).toBe(AK);
  });

  it('accepts the presigned GET example until it expires', () => {
    const u = new URL(PRESIGNED_URL);
    const req = (now: Date): SigV4Request => ({ method: 'GET', rawUrl: u.pathname + u.search, headers: { host: HOST }, now });
    const r = verify(req(T0));
    expect(r).toMatchObject({ presigned: true, payloadHash: 'UNSIGNED-PAYLOAD', accessKeyId: AK });
    expect(verify(req(new Date(T0.getTime() + 86400_000))).presigned).toBe(true);
    rejects(() => verify(req(new Date(T0.getTime() + 86401_000))), 'AccessDenied', /^Request has expired$/);
    rejects(() => verify({ ...req(T0), headers: { host: 'other.example.com' } }), 'SignatureDoesNotMatch');
  });

  it('caches derived signing keys', () => {
    const a = verify(exampleRequest(examples.getRange));
    const b = verify(exampleRequest(examples.listObjects));
    expect(a.signingKey).toBe(b.signingKey);
  });
});

describe('client signer reproduces the AWS examples', () => {
  it('signs header-authenticated requests', () => {
    const sig = (h: Record<string, string>) => /Signature=([0-9a-f]{64})$/.exec(h.authorization)?.[1];
    const get = signRequest({ ...creds, method: 'GET', url: `https://${HOST}/test.txt`, headers: { Range: 'bytes=0-9' }, now: T0 });
    expect(get['x-amz-content-sha256']).toBe(EMPTY_SHA256);
    expect(get.authorization).toContain('SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,');
    expect(sig(get)).toBe(examples.getRange.signature);
    const put = signRequest({
      ...creds, method: 'PUT', url: `https://${HOST}/test$file.text`, body: 'Welcome to Amazon S3.', now: T0,
      headers: { Date: 'Fri, 24 May 2013 00:00:00 GMT', 'x-amz-storage-class': 'REDUCED_REDUNDANCY' },
    });
    expect(put['x-amz-content-sha256']).toBe(examples.putObject.headers['x-amz-content-sha256']);
    expect(sig(put)).toBe(examples.putObject.signature);
    expect(sig(signRequest({ ...creds, method: 'GET', url: `https://${HOST}/?lifecycle`, now: T0 }))).toBe(examples.getLifecycle.signature);
    expect(sig(signRequest({ ...creds, method: 'GET', url: `https://${HOST}/?prefix=J&max-keys=2`, now: T0 }))).toBe(examples.listObjects.signature);
    const { streamingSeed: s } = examples;
    const { host: _h, 'x-amz-date': _d, 'x-amz-content-sha256': payloadHash, ...rest } = s.headers;
    expect(sig(signRequest({ ...creds, method: 'PUT', url: `https://s3.amazonaws.com${s.rawUrl}`, headers: rest, payloadHash, now: T0 }))).toBe(s.signature);
  });

  it('presigns the GET example exactly', () => {
    expect(presignUrl({ ...creds, method: 'GET', url: `https://${HOST}/test.txt`, expiresIn: 86400, now: T0 })).toBe(PRESIGNED_URL);
  });
});

describe('verify(sign(x)) round trips', () => {
  const keys = ['plain.txt', 'dir/sub dir/file (1).csv', "it's+ok!$&=,;@~*.json", 'ключ/データ.bin', '%41literal%percent'];
  for (const key of keys) {
    it(`round-trips key ${JSON.stringify(key)} with a query`, () => {
      const now = new Date();
      // Two ways clients put a key in a path: fully escaped, or as a WHATWG URL leaves it.
      const escaped = `/bucket/${key.split('/').map(encodeURIComponent).join('/')}`;
      for (const path of [escaped, new URL(`http://x/bucket/${key}`).pathname]) {
        const url = `http://127.0.0.1:9000${path}?list-type=2&prefix=${encodeURIComponent(key)}&empty&a=b+c`;
        const body = Buffer.from('payload');
        const headers = { 'content-type': 'text/plain', 'x-amz-meta-note': '  spaced   value ' };
        const added = signRequest({ ...creds, method: 'PUT', url, headers, body, now });
        const u = new URL(url);
        const r = verify({ method: 'PUT', rawUrl: u.pathname + u.search, headers: { ...headers, ...added, host: u.host }, now });
        expect(r.payloadHash).toBe(sha256Hex(body));
      }
    });
  }

  it('accepts a client that signed the path exactly as sent, even when S3 would re-encode it', () => {
    const now = new Date();
    const amzDate = formatAmzDate(now);
    const scope = `${amzDate.slice(0, 8)}/${REGION}/s3/aws4_request`;
    const rawPath = '/bucket/a%2fb%zz';
    expect(canonicalPath(rawPath)).not.toBe(rawPath);
    const headers: [string, string][] = [['host', 'h'], ['x-amz-content-sha256', 'UNSIGNED-PAYLOAD'], ['x-amz-date', amzDate]];
    const cr = canonicalRequest({ method: 'GET', path: rawPath, query: canonicalQuery(''), headers, payloadHash: 'UNSIGNED-PAYLOAD' });
    const signature = signHex(signingKey(SECRET, amzDate.slice(0, 8), REGION), stringToSign(amzDate, scope, cr));
    const authorization = `AWS4-HMAC-SHA256 Credential=${AK}/${scope}, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=${signature}`;
    const r = verify({ method: 'GET', rawUrl: rawPath, headers: { ...Object.fromEntries(headers), authorization }, now });
    expect(r.payloadHash).toBe('UNSIGNED-PAYLOAD');
  });

  it('round-trips presigned URLs with extra query parameters', () => {
    const now = new Date();
    const url = presignUrl({ ...creds, method: 'PUT', url: 'http://localhost:8080/b/k%20ey?partNumber=1&uploadId=a+b', expiresIn: 60, now });
    const u = new URL(url);
    expect(verify({ method: 'PUT', rawUrl: u.pathname + u.search, headers: { host: u.host }, now }).presigned).toBe(true);
  });
});

describe('verifyRequest errors', () => {
  const base = exampleRequest(examples.getRange);

  it('AccessDenied without any authentication', () => {
    rejects(() => verify({ ...base, headers: { host: HOST } }), 'AccessDenied');
  });

  it('AuthorizationHeaderMalformed on a malformed header or credential', () => {
    rejects(() => verify({ ...base, headers: { ...base.headers, authorization: `AWS4-HMAC-SHA256 Credential=${AK}/20130524/us-east-1/s3/aws4_request` } }), 'AuthorizationHeaderMalformed');
    rejects(() => verify({ ...base, headers: { ...base.headers, authorization: 'AWS4-HMAC-SHA256 Credential=AK/2013/us-east-1/s3/aws4_request,SignedHeaders=host,Signature=00' } }), 'AuthorizationHeaderMalformed', /Credential is mal-formed/);
    rejects(() => verify({ ...base, headers: { ...base.headers, authorization: base.headers.authorization.replace('/s3/', '/ec2/') } }), 'AuthorizationHeaderMalformed', /service/);
  });

  it('AuthorizationHeaderMalformed naming the expected region', () => {
    rejects(() => verify(base, 'eu-west-1'), 'AuthorizationHeaderMalformed', /'us-east-1' is wrong; expecting 'eu-west-1'/);
  });

  it('InvalidAccessKeyId for an unknown key', () => {
    const headers = { ...base.headers, authorization: base.headers.authorization.replace(AK, 'AKIDUNKNOWN') };
    expect(rejects(() => verify({ ...base, headers }), 'InvalidAccessKeyId').details.AWSAccessKeyId).toBe('AKIDUNKNOWN');
  });

  it('SignatureDoesNotMatch when a signed part changes', () => {
    rejects(() => verify({ ...base, headers: { ...base.headers, range: 'bytes=0-10' } }), 'SignatureDoesNotMatch');
    rejects(() => verify({ ...base, rawUrl: '/test.txt?x=1' }), 'SignatureDoesNotMatch');
    rejects(() => verify({ ...base, method: 'DELETE' }), 'SignatureDoesNotMatch');
    const { range: _r, ...noRange } = base.headers;
    rejects(() => verify({ ...base, headers: noRange }), 'SignatureDoesNotMatch', /range/);
    const e = rejects(() => verify({ ...base, headers: { ...base.headers, authorization: base.headers.authorization.replace(/.$/, '0') } }), 'SignatureDoesNotMatch');
    expect(e.details.CanonicalRequest).toContain('range:bytes=0-9\n');
  });

  it('RequestTimeTooSkewed beyond 15 minutes either way', () => {
    expect(verify({ ...base, now: new Date(T0.getTime() + 14 * 60_000) }).accessKeyId).toBe(AK);
    rejects(() => verify({ ...base, now: new Date(T0.getTime() + 16 * 60_000) }), 'RequestTimeTooSkewed');
    rejects(() => verify({ ...base, now: new Date(T0.getTime() - 16 * 60_000) }), 'RequestTimeTooSkewed');
  });

  it('requires x-amz-content-sha256 and a known value for it', () => {
    const { 'x-amz-content-sha256': _c, ...rest } = base.headers;
    rejects(() => verify({ ...base, headers: rest }), 'InvalidRequest', /x-amz-content-sha256/);
    rejects(() => verify({ ...base, headers: { ...base.headers, 'x-amz-content-sha256': 'nope' } }), 'InvalidArgument');
  });

  it('InvalidRequest for Signature Version 2 headers; SigV2 presigned URLs are checked', () => {
    rejects(() => verify({ ...base, headers: { host: HOST, authorization: `AWS ${AK}:abc=` } }), 'InvalidRequest', /AWS4-HMAC-SHA256/);
    rejects(() => verify({ ...base, rawUrl: `/test.txt?AWSAccessKeyId=${AK}&Signature=x`, headers: { host: HOST } }), 'InvalidRequest');
    rejects(() => verify({ ...base, rawUrl: `/test.txt?AWSAccessKeyId=${AK}&Expires=1&Signature=x`, headers: { host: HOST } }), 'AccessDenied', /expired/);
    const future = Math.floor(base.now.getTime() / 1000) + 60;
    rejects(() => verify({ ...base, rawUrl: `/test.txt?AWSAccessKeyId=${AK}&Expires=${future}&Signature=eA%3D%3D`, headers: { host: HOST } }), 'SignatureDoesNotMatch');
  });

  it('AuthorizationQueryParametersError for bad presigned parameters', () => {
    const u = new URL(PRESIGNED_URL);
    const withParam = (name: string, value: string | null) => {
      const p = new URLSearchParams(u.search);
      if (value === null) p.delete(name);
      else p.set(name, value);
      return { method: 'GET', rawUrl: `${u.pathname}?${p}`, headers: { host: HOST }, now: T0 };
    };
    rejects(() => verify(withParam('X-Amz-Expires', '604801')), 'AuthorizationQueryParametersError', /604800/);
    rejects(() => verify(withParam('X-Amz-Expires', '0')), 'AuthorizationQueryParametersError');
    rejects(() => verify(withParam('X-Amz-Date', null)), 'AuthorizationQueryParametersError');
    rejects(() => verify(withParam('X-Amz-Date', '2013-05-24')), 'AuthorizationQueryParametersError');
    rejects(() => verify(withParam('X-Amz-Algorithm', 'AWS4-HMAC-SHA1')), 'AuthorizationQueryParametersError');
    rejects(() => verify(withParam('X-Amz-Credential', `${AK}/20130524/eu-west-1/s3/aws4_request`)), 'AuthorizationQueryParametersError', /eu-west-1/);
    rejects(() => verify(withParam('X-Amz-Signature', '0'.repeat(64))), 'SignatureDoesNotMatch');
    rejects(() => verify({ ...withParam('X-Amz-Expires', '86400'), headers: { host: HOST, authorization: base.headers.authorization } }), 'InvalidArgument');
  });

  it('AccessDenied for a presigned URL dated in the future', () => {
    const url = presignUrl({ ...creds, method: 'GET', url: `https://${HOST}/k`, expiresIn: 60, now: new Date(T0.getTime() + 3600_000) });
    const u = new URL(url);
    rejects(() => verify({ method: 'GET', rawUrl: u.pathname + u.search, headers: { host: HOST }, now: T0 }), 'AccessDenied', /not valid yet/);
  });
});
