// The benchmark's /_sql client: a JSON request body ({"sql", "params", "format"}) with HTTP Basic
// credentials (what notebooks send), over the S3 client's keep-alive connections; the answer streams to a
// sink. A response cut short (the server aborts it when a query fails part-way) is an error, never a result.
import type { IncomingMessage } from 'node:http';
import { S3RequestError, type S3Client } from './s3-client.js';

export interface SqlRequestSpec {
  sql: string;
  params?: unknown[];
  format: string;
}

/** The JSON body of a /_sql request. */
export function sqlRequestBody(spec: SqlRequestSpec): string {
  return JSON.stringify(spec.params === undefined ? { sql: spec.sql, format: spec.format } : { sql: spec.sql, params: spec.params, format: spec.format });
}

export function basicAuth(accessKey: string, secretKey: string): string {
  return `Basic ${Buffer.from(`${accessKey}:${secretKey}`).toString('base64')}`;
}

/** The error text of a refused query: the JSON `{"error":{code,message}}` body, or the text one. */
export function describeSqlError(status: number, body: string): string {
  try {
    const e = (JSON.parse(body) as { error?: { code?: string; message?: string } }).error;
    if (e?.code) return `${status} ${e.code}: ${e.message ?? ''}`.trim();
  } catch {
    // a CSV/TSV request's error is one line of text
  }
  return `${status} ${body.replace(/\s+/g, ' ').trim().slice(0, 300)}`;
}

function checkComplete(res: IncomingMessage, n: number): void {
  if (!res.complete) throw new Error('the /_sql response ended before it was complete (cut short by the server)');
  const length = res.headers['content-length'];
  if (length !== undefined && Number(length) !== n) throw new Error(`the /_sql response has ${n} bytes, its Content-Length says ${length}`);
}

/** Sends a query; resolves with the 200 response, whose body the caller must read to the end. */
export async function sqlResponse(client: S3Client, spec: SqlRequestSpec): Promise<IncomingMessage> {
  const { accessKey, secretKey } = client.endpoint;
  const res = await client.stream({
    method: 'POST', bucket: '_sql', body: sqlRequestBody(spec), signed: false,
    headers: { 'content-type': 'application/json', authorization: basicAuth(accessKey, secretKey) },
  });
  if (res.statusCode !== 200) {
    const chunks: Buffer[] = [];
    for await (const c of res) chunks.push(c as Buffer);
    throw new S3RequestError(res.statusCode ?? 0, undefined, `/_sql: ${describeSqlError(res.statusCode ?? 0, Buffer.concat(chunks).toString())}`);
  }
  return res;
}

/** Sends a query and reads its whole answer, handing each chunk to `onChunk`; resolves with the byte count. */
export async function sqlQuery(client: S3Client, spec: SqlRequestSpec, onChunk?: (chunk: Buffer) => void): Promise<number> {
  const res = await sqlResponse(client, spec);
  let n = 0;
  for await (const c of res) {
    n += (c as Buffer).length;
    onChunk?.(c as Buffer);
  }
  checkComplete(res, n);
  return n;
}

export interface StreamedAnswer {
  bytes: number;
  /** Set once the whole body has been read and found complete. */
  complete: boolean;
}

/** The answer's chunks as they arrive, for a streaming reader (Arrow); `seen` says whether it was all read. */
export async function* sqlChunks(client: S3Client, spec: SqlRequestSpec, seen: StreamedAnswer): AsyncGenerator<Buffer> {
  const res = await sqlResponse(client, spec);
  for await (const c of res) {
    seen.bytes += (c as Buffer).length;
    yield c as Buffer;
  }
  checkComplete(res, seen.bytes);
  seen.complete = true;
}
