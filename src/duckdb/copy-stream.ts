// Streams a query's output as bytes by running `COPY (<query>) TO '<fifo>'` and reading the FIFO.
// Unlike DuckDB's streaming results (which end quietly when a query fails part-way), COPY rejects,
// so a failure becomes a stream error delivered after every byte produced before it.
//
// The read end stays open until the COPY has settled: DuckDB opens the FIFO for writing with a blocking
// open(), which would hang forever without a reader. Cancelling therefore means "interrupt, and read and
// discard until the COPY gives up", which also unblocks a COPY stuck writing into a full pipe.
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import type net from 'node:net';
import { Readable } from 'node:stream';
import { S3Error } from '../errors.js';
import { QueryTimeoutError, mapDuckDbError } from './errors.js';
import { openFifoReader, pokeFifoWriter } from './fifo.js';

export interface CsvCopyFormat {
  format: 'csv';
  /** One ASCII character (DuckDB truncates longer ones and crashes on non-ASCII). Default ','. */
  delimiter?: string;
  /** One ASCII character, or '' for no quoting. Default '"'. */
  quote?: string;
  /** One ASCII character, or ''. Default: same as quote. */
  escape?: string;
  /** Record delimiter, any non-empty text. Default '\n'. */
  newline?: string;
  header?: boolean;
  /** Quote every field (S3 QuoteFields=ALWAYS). */
  forceQuote?: boolean;
  /** Text written for NULL. Default ''. */
  nullString?: string;
}

export type CopyFormat = CsvCopyFormat | { format: 'json' } | { format: 'parquet'; compression?: 'snappy' | 'zstd' | 'gzip' | 'uncompressed' };

export interface CopyTarget {
  conn: DuckDBConnection;
  fifoPath: string;
  /** Called exactly once, after the COPY has settled and the reader is closed. */
  release: () => void;
}

export interface CopyRunOptions {
  signal?: AbortSignal;
  /** 0 = no limit. */
  timeoutMs: number;
}

const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;

function checkChar(name: string, value: string, allowEmpty: boolean): string {
  const ok = (allowEmpty && value === '') || (value.length === 1 && value.charCodeAt(0) > 0 && value.charCodeAt(0) < 0x80);
  if (!ok) throw new S3Error('InvalidRequestParameter', `The CSV output ${name} must be a single ASCII character.`);
  return value;
}

/** The `( … )` option list of the COPY statement; validates what DuckDB would mishandle. */
export function copyOptionsSql(f: CopyFormat): string {
  switch (f.format) {
    case 'json':
      return 'FORMAT json';
    case 'parquet':
      return `FORMAT parquet, COMPRESSION ${lit(f.compression ?? 'snappy')}`;
    case 'csv': {
      const quote = checkChar('quote character', f.quote ?? '"', true);
      const opts = [
        'FORMAT csv',
        `HEADER ${f.header ? 'true' : 'false'}`,
        `DELIMITER ${lit(checkChar('field delimiter', f.delimiter ?? ',', false))}`,
        `QUOTE ${lit(quote)}`,
        `ESCAPE ${lit(checkChar('quote escape character', f.escape ?? quote, true))}`,
        `NULLSTR ${lit(f.nullString ?? '')}`,
      ];
      const newline = f.newline ?? '\n';
      if (newline === '' || newline.includes('\0')) {
        throw new S3Error('InvalidRequestParameter', 'The CSV output record delimiter must not be empty.');
      }
      opts.push(`NEW_LINE ${lit(newline)}`);
      if (f.forceQuote) opts.push('FORCE_QUOTE *');
      return opts.join(', ');
    }
  }
}

class FifoCopyStream extends Readable {
  private readonly socket: net.Socket;
  private discarding = false;
  private socketClosed = false;
  private copySettled = false;
  private copyError: unknown;
  private cancelled = false;
  private cleanedUp = false;
  private delivering = false;
  private pendingError: Error | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly onAbort: () => void;
  private startSettled = false;
  private resolveStart!: () => void;
  private rejectStart!: (err: unknown) => void;
  /** Resolves at the first byte or a clean end; rejects if the query fails before producing anything. */
  readonly started: Promise<void>;

  constructor(
    private readonly target: CopyTarget,
    copySql: string,
    params: DuckDBValue[] | Record<string, DuckDBValue> | undefined,
    private readonly opts: CopyRunOptions,
  ) {
    super();
    this.started = new Promise<void>((resolve, reject) => {
      this.resolveStart = resolve;
      this.rejectStart = reject;
    });
    this.socket = openFifoReader(target.fifoPath);
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    // A read error on our own pipe is not expected; the COPY then fails with a broken pipe and reports it.
    this.socket.on('error', () => undefined);
    this.socket.on('close', () => {
      this.socketClosed = true;
      this.maybeFinish();
    });
    this.onAbort = () => this.stop(opts.signal!.reason);
    opts.signal?.addEventListener('abort', this.onAbort, { once: true });
    if (opts.timeoutMs > 0) {
      this.timer = setTimeout(() => this.stop(new QueryTimeoutError(opts.timeoutMs)), opts.timeoutMs);
    }
    target.conn.run(copySql, params).then(
      () => this.onCopySettled(undefined),
      (err: unknown) => this.onCopySettled(err ?? new Error('COPY failed')),
    );
    if (opts.signal?.aborted) this.onAbort();
  }

  private onData(chunk: Buffer): void {
    if (this.discarding) {
      // Repeat the interrupt: one sent before execution began is not remembered by DuckDB.
      this.target.conn.interrupt();
      return;
    }
    this.delivering = true;
    this.settleStart();
    if (!this.push(chunk)) this.socket.pause();
  }

  private onCopySettled(err: unknown): void {
    this.copySettled = true;
    this.copyError = err;
    clearTimeout(this.timer);
    // If DuckDB failed before opening the pipe, this is what ends our reader.
    if (err !== undefined) pokeFifoWriter(this.target.fifoPath);
    this.maybeFinish();
  }

  private maybeFinish(): void {
    if (this.cleanedUp || !this.copySettled) return;
    if (this.cancelled) return this.cleanup();
    if (!this.socketClosed) return; // bytes still in the pipe: let the consumer take them first
    this.cleanup();
    if (this.copyError === undefined) {
      this.settleStart();
      this.push(null);
    } else {
      this.fail(mapDuckDbError(this.copyError));
    }
  }

  /** Deliver an error after the bytes already buffered for the consumer (see read()). */
  private fail(err: Error): void {
    if (!this.delivering) {
      this.settleStart(err);
      this.destroy();
    } else if (this.readableLength === 0) {
      this.destroy(err);
    } else {
      this.pendingError = err;
    }
  }

  override read(size?: number): unknown {
    const chunk = super.read(size);
    if (this.pendingError && this.readableLength === 0 && !this.destroyed) {
      const err = this.pendingError;
      this.pendingError = undefined;
      process.nextTick(() => this.destroy(err));
    }
    return chunk;
  }

  override _read(): void {
    if (!this.discarding && !this.socket.destroyed) this.socket.resume();
  }

  /** Abort (client gone, signal, timeout): an error for whoever is waiting, then cancel the query. */
  private stop(reason: unknown): void {
    if (this.destroyed) return;
    if (!this.startSettled) {
      this.settleStart(reason);
      this.destroy();
    } else {
      this.destroy(reason instanceof Error ? reason : new Error(String(reason)));
    }
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    this.settleStart(err ?? new S3Error('InternalError', 'The query was cancelled.'));
    if (this.copySettled) {
      this.cleanup();
    } else if (!this.cancelled) {
      this.cancelled = true;
      this.discarding = true;
      this.socket.resume();
      this.target.conn.interrupt();
    }
    callback(err);
  }

  private settleStart(err?: unknown): void {
    if (this.startSettled) return;
    this.startSettled = true;
    if (err === undefined) this.resolveStart();
    else this.rejectStart(err);
  }

  private cleanup(): void {
    if (this.cleanedUp) return;
    this.cleanedUp = true;
    clearTimeout(this.timer);
    this.opts.signal?.removeEventListener('abort', this.onAbort);
    this.socket.destroy();
    this.target.release();
  }
}

/**
 * Starts `COPY (<sql>) TO <fifo>` on the target connection. Resolves with the byte stream once the first
 * bytes arrive or the query finishes; rejects (mapped to S3Error) if it fails before producing output.
 * Destroying the stream cancels the query; the connection is released once DuckDB has let go of it.
 */
export async function copyToFifo(
  target: CopyTarget,
  sql: string,
  params: DuckDBValue[] | Record<string, DuckDBValue> | undefined,
  format: CopyFormat,
  opts: CopyRunOptions,
): Promise<Readable> {
  let optionSql: string;
  try {
    optionSql = copyOptionsSql(format);
  } catch (err) {
    target.release();
    throw err;
  }
  const stream = new FifoCopyStream(target, `COPY (${sql}\n) TO ${lit(target.fifoPath)} (${optionSql})`, params, opts);
  await stream.started;
  return stream;
}
