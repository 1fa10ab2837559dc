// Hand-signed HTTP requests for cases real clients refuse to send (traversal keys, tampered signatures).
import http from 'node:http';
import { signRequest, signRequestWithContext, type ChunkSigning } from '../../src/auth/sign.js';
import { ACCESS_KEY, REGION, SECRET_KEY } from './server.js';

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface RawRequest {
  method: string;
  /** Path and query, sent exactly as given. */
  path: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
  /** Sign with this secret instead of the right one. */
  secret?: string;
  /** Send the body bytes as given but sign this payload hash. */
  payloadHash?: string;
  unsigned?: boolean;
}

export function send(baseUrl: string, headers: Record<string, string>, req: RawRequest, body?: Buffer): Promise<RawResponse> {
  const u = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const r = http.request({ host: u.hostname, port: u.port, method: req.method, path: req.path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    r.on('error', reject);
    r.end(body);
  });
}

export function raw(baseUrl: string, req: RawRequest): Promise<RawResponse> {
  const body = req.body === undefined ? undefined : Buffer.from(req.body);
  const headers: Record<string, string> = { ...req.headers };
  if (body) headers['content-length'] = String(body.length);
  if (!req.unsigned) {
    Object.assign(headers, signRequest({
      method: req.method, url: baseUrl + req.path, headers, body: req.payloadHash ? undefined : body ?? '',
      payloadHash: req.payloadHash, accessKeyId: ACCESS_KEY, secretAccessKey: req.secret ?? SECRET_KEY, region: REGION,
    }));
  }
  return send(baseUrl, headers, req, body);
}

/** Signs headers for a streaming (aws-chunked) upload and returns the chunk-signing context. */
export function signStreaming(baseUrl: string, path: string, headers: Record<string, string>, payloadHash: string): { headers: Record<string, string>; signing: ChunkSigning } {
  return signRequestWithContext({
    method: 'PUT', url: baseUrl + path, headers, payloadHash, accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY, region: REGION,
  });
}

export function errorCode(r: RawResponse): string | undefined {
  return /<Code>([^<]+)<\/Code>/.exec(r.body.toString())?.[1];
}
