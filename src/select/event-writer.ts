// Turns the query's result bytes into the SelectObjectContent event stream: bounded Records messages,
// Cont keep-alives while the query is quiet, optional periodic Progress, then Stats and End.
import { Transform, type TransformCallback } from 'node:stream';
import type { S3Error } from '../errors.js';
import {
  contMessage,
  endMessage,
  errorMessage,
  progressMessage,
  recordsMessage,
  recordsMessageLength,
  statsMessage,
} from './eventstream.js';

/**
 * Largest Records message we send: the AWS Java SDK v1 decodes into a 128 KiB buffer and needs
 * 256 bytes of headroom, so (like MinIO) the whole message stays under 128 KiB − 256 B.
 */
export const MAX_RECORDS_MESSAGE_BYTES = 128 * 1024 - 256;
export const MAX_RECORDS_PAYLOAD_BYTES = MAX_RECORDS_MESSAGE_BYTES - recordsMessageLength(0);

export interface ScanCounters {
  /** Object bytes read so far (compressed size when the object is compressed). */
  scanned: number;
  /** Bytes after decompression (equal to scanned for uncompressed input). */
  processed: number;
}

export interface EventWriterOptions {
  /** Current input counters; read for Progress messages and once more for the final Stats. */
  counters: () => ScanCounters;
  /** RequestProgress/Enabled: send Progress messages every `progressIntervalMs` (default 1000). */
  progress?: boolean;
  progressIntervalMs?: number;
  /** Send a Cont message when nothing has been sent for this long (default 1000). */
  keepAliveMs?: number;
  /** Longest time result bytes wait to be coalesced before they go out in a partial message (default 50). */
  flushDelayMs?: number;
  /** Records payload cap; defaults to MAX_RECORDS_PAYLOAD_BYTES. */
  maxPayloadBytes?: number;
}

/**
 * Write result bytes in (any chunking), read event-stream messages out. `end()` finishes with Stats and
 * End; `fail()` finishes with an error event instead. Timers stop on finish, failure or destroy.
 */
export class EventWriter extends Transform {
  private readonly counters: () => ScanCounters;
  private readonly keepAliveMs: number;
  private readonly flushDelayMs: number;
  private readonly staging: Buffer;
  private staged = 0;
  private returned = 0;
  private lastSentAt = Date.now();
  private done = false;
  private flushTimer: NodeJS.Timeout | undefined;
  private keepAliveTimer: NodeJS.Timeout | undefined;
  private progressTimer: NodeJS.Timeout | undefined;

  constructor(opts: EventWriterOptions) {
    super();
    this.counters = opts.counters;
    this.keepAliveMs = opts.keepAliveMs ?? 1000;
    this.flushDelayMs = opts.flushDelayMs ?? 50;
    const cap = opts.maxPayloadBytes ?? MAX_RECORDS_PAYLOAD_BYTES;
    if (!(cap > 0 && cap <= MAX_RECORDS_PAYLOAD_BYTES)) throw new RangeError(`maxPayloadBytes must be in 1..${MAX_RECORDS_PAYLOAD_BYTES}`);
    this.staging = Buffer.allocUnsafe(cap);
    this.armKeepAlive(this.keepAliveMs);
    if (opts.progress) {
      this.progressTimer = setInterval(() => this.sendProgress(), opts.progressIntervalMs ?? 1000);
      this.progressTimer.unref();
    }
  }

  /** Records payload bytes sent so far (the Stats BytesReturned). */
  get bytesReturned(): number {
    return this.returned;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    if (!this.done) this.append(chunk);
    cb();
  }

  override _flush(cb: TransformCallback): void {
    if (!this.done) {
      this.flushRecords();
      const { scanned, processed } = this.counters();
      this.send(statsMessage({ scanned, processed, returned: this.returned }));
      this.send(endMessage());
      this.stop();
    }
    cb();
  }

  override _destroy(err: Error | null, cb: (error: Error | null) => void): void {
    this.stop();
    cb(err);
  }

  /**
   * Ends the response with a request-level error event (buffered records go out first, no End follows)
   * and ends the writable side too, so the producer must stop writing. Does nothing once finished or failed.
   */
  fail(code: string, message: string): void {
    if (this.done || this.destroyed) return;
    this.flushRecords();
    this.send(errorMessage(code, message));
    this.stop();
    this.push(null);
    if (!this.writableEnded) this.end();
  }

  /** `fail` with the code and message of an S3Error. */
  failWith(err: S3Error): void {
    this.fail(err.code, err.message);
  }

  private append(chunk: Buffer): void {
    const cap = this.staging.length;
    let off = 0;
    // Whole messages straight from the chunk when nothing is staged, to avoid a copy.
    if (this.staged === 0) {
      while (chunk.length - off >= cap) {
        this.sendRecords(chunk.subarray(off, off + cap));
        off += cap;
      }
    }
    while (off < chunk.length) {
      const n = Math.min(cap - this.staged, chunk.length - off);
      chunk.copy(this.staging, this.staged, off, off + n);
      this.staged += n;
      off += n;
      if (this.staged === cap) this.flushRecords();
    }
    if (this.staged > 0 && !this.flushTimer) {
      this.flushTimer = setTimeout(() => {
        this.flushTimer = undefined;
        this.flushRecords();
      }, this.flushDelayMs);
      this.flushTimer.unref();
    }
  }

  private flushRecords(): void {
    if (this.flushTimer) {
      clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
    }
    if (this.staged === 0) return;
    // recordsMessage copies the payload, so the staging buffer is free again right away.
    this.sendRecords(this.staging.subarray(0, this.staged));
    this.staged = 0;
  }

  private sendRecords(payload: Buffer): void {
    this.send(recordsMessage(payload));
    this.returned += payload.length;
  }

  private send(msg: Buffer): void {
    this.lastSentAt = Date.now();
    this.push(msg);
  }

  private sendProgress(): void {
    const { scanned, processed } = this.counters();
    this.send(progressMessage({ scanned, processed, returned: this.returned }));
  }

  /** Fires when the keep-alive period may have elapsed; re-arms for the remainder if something was sent meanwhile. */
  private armKeepAlive(delay: number): void {
    this.keepAliveTimer = setTimeout(() => {
      const idle = Date.now() - this.lastSentAt;
      if (idle < this.keepAliveMs) return this.armKeepAlive(this.keepAliveMs - idle);
      // While the client has not read what is queued, the connection is not idle: skip the Cont.
      if (this.readableLength === 0) this.send(contMessage());
      else this.lastSentAt = Date.now();
      this.armKeepAlive(this.keepAliveMs);
    }, delay);
    this.keepAliveTimer.unref();
  }

  private stop(): void {
    this.done = true;
    clearTimeout(this.flushTimer);
    clearTimeout(this.keepAliveTimer);
    clearInterval(this.progressTimer);
    this.flushTimer = this.keepAliveTimer = this.progressTimer = undefined;
  }
}
