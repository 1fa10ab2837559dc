// A small SigV4 S3 client on node:http for the benchmark and the data-set uploader: streaming bodies both
// ways, keep-alive connections, and only the operations they need. Works against any S3-compatible endpoint.
import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import { signRequest } from '../src/auth/sign.js';

export interface Endpoint {
  url: string;
  accessKey: string;
  secretKey: string;
  region?: string;
}

export interface Response {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface RequestOptions {
  method: string;
  bucket?: string;
  key?: string;
  /** Query string without `?`, e.g. `select&select-type=2`. */
  query?: string;
  headers?: Record<string, string>;
  /** A small body (hashed into the signature) or a stream factory sent as UNSIGNED-PAYLOAD. */
  body?: Buffer | string | { stream: () => Readable; length: number };
  signed?: boolean;
}

export class S3RequestError extends Error {
  constructor(readonly status: number, readonly code: string | undefined, message: string) {
    super(message);
    this.name = 'S3RequestError';
  }
}

/** S3's URI encoding of a key: every byte but unreserved characters and the `/` separators. */
export function encodeKey(key: string): string {
  return key.split('/').map((s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)).join('/');
}

export function errorCodeOf(body: Buffer | string): string | undefined {
  return /<Code>([^<]+)<\/Code>/.exec(body.toString())?.[1];
}

/** `404 NoSuchKey: The specified key does not exist.` from an S3 XML error body. */
export function describeError(status: number, body: Buffer | string): string {
  const text = body.toString();
  const message = /<Message>([^<]*)<\/Message>/.exec(text)?.[1];
  const code = errorCodeOf(text);
  if (code) return `${status} ${code}${message ? `: ${message}` : ''}`;
  return `${status} ${text.replace(/\s+/g, ' ').slice(0, 200)}`.trim();
}

export interface UploadTuning {
  /** Files larger than this are uploaded in parts (single PUTs are capped at 5 GiB by S3). */
  multipartThreshold: number;
  /** Part size (S3's minimum is 5 MiB for all parts but the last). */
  partSize: number;
}

export const DEFAULT_UPLOAD: UploadTuning = { multipartThreshold: 1024 ** 3, partSize: 128 * 1024 ** 2 };

export class S3Client {
  readonly base: URL;
  private readonly agent: http.Agent;
  private readonly region: string;

  constructor(readonly endpoint: Endpoint, private readonly upload: UploadTuning = DEFAULT_UPLOAD) {
    this.base = new URL(endpoint.url);
    this.region = endpoint.region ?? 'us-east-1';
    this.agent = this.base.protocol === 'https:'
      ? new https.Agent({ keepAlive: true, maxSockets: 32 })
      : new http.Agent({ keepAlive: true, maxSockets: 32 });
  }

  close(): void {
    this.agent.destroy();
  }

  url(bucket?: string, key?: string, query?: string): URL {
    let p = this.base.pathname.replace(/\/$/, '');
    if (bucket !== undefined) p += `/${bucket}`;
    if (key !== undefined) p += `/${encodeKey(key)}`;
    return new URL(`${this.base.origin}${p || '/'}${query ? `?${query}` : ''}`);
  }

  /** Sends a request and returns the response stream once headers have arrived. */
  stream(opts: RequestOptions): Promise<http.IncomingMessage> {
    const url = this.url(opts.bucket, opts.key, opts.query);
    const headers: Record<string, string> = { ...opts.headers };
    const body = opts.body;
    let payload: Buffer | undefined;
    let payloadHash: string | undefined;
    if (body === undefined || typeof body === 'string' || Buffer.isBuffer(body)) {
      payload = body === undefined ? undefined : Buffer.from(body);
      if (payload) headers['content-length'] = String(payload.length);
    } else {
      headers['content-length'] = String(body.length);
      payloadHash = 'UNSIGNED-PAYLOAD';
    }
    if (opts.signed !== false) {
      Object.assign(headers, signRequest({
        method: opts.method, url, headers, body: payload ?? '', payloadHash,
        accessKeyId: this.endpoint.accessKey, secretAccessKey: this.endpoint.secretKey, region: this.region,
      }));
    }
    const mod = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = mod.request(url, { method: opts.method, headers, agent: this.agent }, resolve);
      req.on('error', reject);
      if (body !== undefined && !(typeof body === 'string' || Buffer.isBuffer(body))) {
        const src = body.stream();
        src.on('error', (e) => req.destroy(e));
        src.pipe(req);
      } else {
        req.end(payload);
      }
    });
  }

  /** Sends a request and reads the whole response. */
  async request(opts: RequestOptions): Promise<Response> {
    const res = await this.stream(opts);
    const chunks: Buffer[] = [];
    for await (const c of res) chunks.push(c as Buffer);
    return { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) };
  }

  /** Like `request`, but a status of 300 or more is thrown as an S3RequestError. */
  async ok(opts: RequestOptions): Promise<Response> {
    const r = await this.request(opts);
    if (r.status >= 300) {
      const code = errorCodeOf(r.body);
      throw new S3RequestError(r.status, code, `${opts.method} ${this.url(opts.bucket, opts.key, opts.query).pathname}: ` +
        describeError(r.status, r.body));
    }
    return r;
  }

  async createBucket(bucket: string): Promise<void> {
    const r = await this.request({ method: 'PUT', bucket });
    if (r.status < 300 || errorCodeOf(r.body) === 'BucketAlreadyOwnedByYou') return;
    throw new S3RequestError(r.status, errorCodeOf(r.body), `CreateBucket ${bucket}: ${describeError(r.status, r.body)}`);
  }

  /** HEAD; undefined when the object does not exist. */
  async headObject(bucket: string, key: string): Promise<http.IncomingHttpHeaders | undefined> {
    const r = await this.request({ method: 'HEAD', bucket, key });
    if (r.status === 404) return undefined;
    if (r.status >= 300) throw new S3RequestError(r.status, undefined, `HEAD ${bucket}/${key}: ${r.status}`);
    return r.headers;
  }

  async putBuffer(bucket: string, key: string, data: Buffer, headers: Record<string, string> = {}): Promise<void> {
    await this.ok({ method: 'PUT', bucket, key, headers, body: data });
  }

  /** Streams a file up as UNSIGNED-PAYLOAD, in parts above the multipart threshold. */
  async putFile(bucket: string, key: string, file: string, headers: Record<string, string> = {}): Promise<void> {
    const size = statSync(file).size;
    const { multipartThreshold, partSize } = this.upload;
    if (size <= multipartThreshold) {
      await this.ok({ method: 'PUT', bucket, key, headers, body: { stream: () => createReadStream(file), length: size } });
      return;
    }
    const created = await this.ok({ method: 'POST', bucket, key, query: 'uploads', headers });
    const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(created.body.toString())?.[1];
    if (!uploadId) throw new Error(`CreateMultipartUpload ${key}: no UploadId in the answer`);
    const id = encodeURIComponent(uploadId);
    try {
      const parts: string[] = [];
      for (let n = 1, start = 0; start < size; n++, start += partSize) {
        const end = Math.min(size, start + partSize) - 1;
        const r = await this.ok({
          method: 'PUT', bucket, key, query: `partNumber=${n}&uploadId=${id}`,
          body: { stream: () => createReadStream(file, { start, end }), length: end - start + 1 },
        });
        parts.push(`<Part><PartNumber>${n}</PartNumber><ETag>${String(r.headers.etag)}</ETag></Part>`);
      }
      await this.ok({
        method: 'POST', bucket, key, query: `uploadId=${id}`,
        body: `<CompleteMultipartUpload>${parts.join('')}</CompleteMultipartUpload>`,
      });
    } catch (e) {
      await this.request({ method: 'DELETE', bucket, key, query: `uploadId=${id}` }).catch(() => undefined);
      throw e;
    }
  }

  /** GETs an object, handing each chunk to `onChunk`; returns the byte count. */
  async getObject(bucket: string, key: string, onChunk?: (chunk: Buffer) => void): Promise<number> {
    const res = await this.stream({ method: 'GET', bucket, key });
    if ((res.statusCode ?? 0) >= 300) {
      const chunks: Buffer[] = [];
      for await (const c of res) chunks.push(c as Buffer);
      const body = Buffer.concat(chunks);
      throw new S3RequestError(res.statusCode ?? 0, errorCodeOf(body), `GET ${bucket}/${key}: ${describeError(res.statusCode ?? 0, body)}`);
    }
    let n = 0;
    for await (const c of res) {
      n += (c as Buffer).length;
      onChunk?.(c as Buffer);
    }
    return n;
  }

  /** Every key under `prefix`, page by page (ListObjectsV2). */
  async listKeys(bucket: string, prefix = '', maxKeys = 1000): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      let q = `list-type=2&max-keys=${maxKeys}&prefix=${encodeURIComponent(prefix)}&encoding-type=url`;
      if (token) q += `&continuation-token=${encodeURIComponent(token)}`;
      const body = (await this.ok({ method: 'GET', bucket, query: q })).body.toString();
      for (const m of body.matchAll(/<Key>([^<]*)<\/Key>/g)) keys.push(decodeURIComponent(m[1]!.replace(/\+/g, ' ')));
      const next = /<NextContinuationToken>([^<]+)</.exec(body)?.[1];
      token = /<IsTruncated>true<\/IsTruncated>/.test(body) && next ? unescapeXml(next) : undefined;
    } while (token);
    return keys;
  }
}

function unescapeXml(s: string): string {
  return s.replace(/&(lt|gt|quot|apos|amp);/g, (_, e: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[e]!);
}

export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}
