// Sending a result: the first bytes are held back (up to a look-ahead) so a query that fails early, or a
// small result that overflows a limit, still gets a proper error status; after that the response streams
// with back-pressure, and a failure can only cut it short (the client sees an incomplete transfer).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PassThrough } from 'node:stream';
import { QueryTimeoutError } from '../duckdb/errors.js';
import { S3Error, s3Error } from '../errors.js';
import type { OutputFormat } from './formats.js';

export const LOOKAHEAD_BYTES = 64 * 1024;

export class ClientGone extends Error {
  constructor() {
    super('The client closed the connection.');
  }
}

export class ResultSink {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private stream: PassThrough | undefined;
  /** Bytes accepted so far. */
  total = 0;

  constructor(
    private readonly reply: FastifyReply,
    private readonly headers: Record<string, string>,
    private readonly maxBytes: number,
    /** Aborted on timeout or client disconnect: a write waiting for a slow client stops then. */
    private readonly signal: AbortSignal,
    private readonly lookahead = LOOKAHEAD_BYTES,
  ) {}

  /** True once the status line has gone out: errors can no longer be reported as a status. */
  get committed(): boolean {
    return this.stream !== undefined;
  }

  async write(buf: Buffer): Promise<void> {
    this.signal.throwIfAborted();
    if (buf.length === 0) return;
    this.total += buf.length;
    if (this.maxBytes > 0 && this.total > this.maxBytes) {
      throw s3Error('SqlResultTooLarge', `The response is larger than ${this.maxBytes} bytes; narrow the query (LIMIT, WHERE, fewer columns).`);
    }
    if (!this.stream) {
      this.pending.push(buf);
      this.pendingBytes += buf.length;
      if (this.pendingBytes >= this.lookahead) this.commit();
      return;
    }
    const s = this.stream;
    if (s.destroyed) throw new ClientGone();
    if (!s.write(buf)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          s.off('drain', done);
          s.off('close', done);
          this.signal.removeEventListener('abort', done);
          resolve();
        };
        s.on('drain', done);
        s.on('close', done);
        this.signal.addEventListener('abort', done);
      });
      this.signal.throwIfAborted();
      if (s.destroyed) throw new ClientGone();
    }
  }

  private commit(): void {
    const s = new PassThrough();
    this.stream = s;
    this.reply.code(200).headers(this.headers).send(s);
    for (const p of this.pending) s.write(p);
    this.pending = [];
  }

  /** Completes the response (with a Content-Length when it never started streaming). */
  end(): void {
    if (this.stream) {
      this.stream.end();
      return;
    }
    const body = Buffer.concat(this.pending);
    this.pending = [];
    this.reply.code(200).headers(this.headers).header('content-length', String(body.length)).send(body);
  }

  /** Cuts a started response short so the client sees an incomplete transfer, not a clean end. */
  abort(err: Error): void {
    this.stream?.destroy(err);
  }
}

/** The S3Error to report for any failure (timeouts get their own code). */
export function asS3Error(err: unknown): S3Error {
  if (err instanceof QueryTimeoutError) return s3Error('SqlQueryTimeout', err.message);
  if (err instanceof S3Error) return err;
  return s3Error('InternalError');
}

/** An error response: JSON for most formats, one line of text for CSV/TSV; 503s carry Retry-After. */
export function sendError(req: FastifyRequest, reply: FastifyReply, err: S3Error, format: OutputFormat | undefined): FastifyReply {
  reply.code(err.status).headers(err.headers);
  if (err.status === 503) reply.header('retry-after', '1');
  if (!req.raw.complete) reply.header('connection', 'close');
  if (format === 'csv' || format === 'tsv') {
    return reply.header('content-type', 'text/plain; charset=utf-8').send(`${err.code}: ${err.message}\n`);
  }
  const body: Record<string, string> = { code: err.code, message: err.message, requestId: req.id };
  if (err.details.Refused) body.refused = err.details.Refused;
  return reply.header('content-type', 'application/json; charset=utf-8').send(JSON.stringify({ error: body }) + '\n');
}
