// What every S3 operation handler receives, and the small helpers they share to answer.
import type { FastifyReply } from 'fastify';
import type { Readable } from 'node:stream';
import type { Config } from '../config.js';
import { s3Error } from '../errors.js';
import type { Store } from '../store/store.js';
import type { Operation } from './router.js';
import { toXml, type XmlObject } from './xml.js';

export type Headers = Record<string, string>;

export interface S3Context {
  op: Operation;
  bucket?: string;
  key?: string;
  query: URLSearchParams;
  headers: Headers;
  /** The request body after transfer decoding (aws-chunked) and payload-hash verification. */
  body: Readable;
  /** Trailing headers of an aws-chunked body (checksums), available once `body` has ended. */
  trailers: () => Headers;
  requestId: string;
  store: Store;
  config: Config;
  reply: FastifyReply;
  /** Aborted when the client goes away; long operations (Select) stop their work. */
  signal: AbortSignal;
}

export type Handler = (ctx: S3Context) => Promise<void>;

export function sendXml(ctx: S3Context, root: string, body: XmlObject, status = 200): void {
  ctx.reply.code(status).header('content-type', 'application/xml').send(toXml(root, body));
}

export function bucketOf(ctx: S3Context): string {
  if (ctx.bucket === undefined) throw s3Error('InvalidRequest', 'A bucket is required.');
  return ctx.bucket;
}

export function keyOf(ctx: S3Context): string {
  if (ctx.key === undefined) throw s3Error('InvalidRequest', 'An object key is required.');
  return ctx.key;
}

/** Integer query parameter within bounds, else InvalidArgument naming it (S3's behaviour for max-keys etc.). */
export function intParam(ctx: S3Context, name: string, dflt: number, min: number, max: number): number {
  const raw = ctx.query.get(name);
  if (raw === null || raw === '') return dflt;
  const n = Number(raw);
  if (!/^-?\d+$/.test(raw) || n < min) {
    throw s3Error('InvalidArgument', `Provided ${name} not an integer or within integer range`, { ArgumentName: name, ArgumentValue: raw });
  }
  return Math.min(n, max);
}

/** Drain an unused request body so the connection can be reused. */
export async function drain(body: Readable): Promise<void> {
  for await (const _ of body) void _;
}
