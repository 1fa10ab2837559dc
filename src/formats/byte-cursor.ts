// A pull-based reader over a byte stream for framed formats (Avro blocks, length-delimited Protobuf):
// callers ask for n bytes, and chunks are joined only when a frame straddles them, once per frame,
// so a large frame arriving in many small chunks costs one copy rather than one per chunk.
import type { Readable } from 'node:stream';

const EMPTY = Buffer.alloc(0);

export class ByteCursor {
  private buf: Buffer = EMPTY;
  private pos = 0;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private ended = false;
  /** Bytes consumed so far: the stream offset of the next byte, for error messages. */
  offset = 0;
  private readonly it: AsyncIterator<Buffer>;

  constructor(readonly stream: Readable) {
    this.it = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  }

  get buffered(): number {
    return this.buf.length - this.pos + this.pendingBytes;
  }

  /** True when n bytes are buffered (no I/O). */
  has(n: number): boolean {
    return this.buffered >= n;
  }

  /** Pulls chunks until n bytes are buffered; false if the stream ends first. */
  async want(n: number): Promise<boolean> {
    while (this.buffered < n) {
      if (this.ended) return false;
      const r = await this.it.next();
      if (r.done) {
        this.ended = true;
        return false;
      }
      this.push(r.value);
    }
    return true;
  }

  /** True once the stream has ended and every byte was consumed. */
  async atEnd(): Promise<boolean> {
    return !(await this.want(1));
  }

  private push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    if (this.pos >= this.buf.length && this.pendingBytes === 0) {
      this.buf = chunk;
      this.pos = 0;
    } else {
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
    }
  }

  /**
   * The buffer and position where the next n buffered bytes (n ≤ buffered) lie contiguously, joining the
   * unread rest of the current chunk with as many whole chunks after it as that takes (whole, so that
   * reading on from there needs no further join until the last of them ends).
   */
  view(n: number): { buf: Buffer; pos: number } {
    if (this.buf.length - this.pos < n) {
      const parts = [this.buf.subarray(this.pos)];
      let have = parts[0]!.length;
      while (have < n) {
        const chunk = this.pending.shift()!;
        parts.push(chunk);
        this.pendingBytes -= chunk.length;
        have += chunk.length;
      }
      this.buf = Buffer.concat(parts, have);
      this.pos = 0;
    }
    return { buf: this.buf, pos: this.pos };
  }

  /**
   * The next n buffered bytes (n ≤ buffered) without consuming them: a view when they lie in one chunk,
   * else a copy of just those bytes (the chunks stay as they are).
   */
  peek(n: number): Buffer {
    if (this.buf.length - this.pos >= n) return this.buf.subarray(this.pos, this.pos + n);
    const out = Buffer.allocUnsafe(n);
    let have = this.buf.copy(out, 0, this.pos);
    for (let i = 0; have < n; i++) have += this.pending[i]!.copy(out, have, 0, n - have);
    return out;
  }

  /** The unread bytes of the current chunk (at least one when any are buffered), without copying. */
  segment(): { buf: Buffer; pos: number; n: number } {
    if (this.pos >= this.buf.length && this.pending.length > 0) {
      this.buf = this.pending.shift()!;
      this.pendingBytes -= this.buf.length;
      this.pos = 0;
    }
    return { buf: this.buf, pos: this.pos, n: this.buf.length - this.pos };
  }

  /** Consumes n buffered bytes and returns them (a view, valid until the caller drops it). */
  take(n: number): Buffer {
    const { buf, pos } = this.view(n);
    this.skip(n);
    return buf.subarray(pos, pos + n);
  }

  /** Consumes n buffered bytes. */
  skip(n: number): void {
    this.offset += n;
    while (n > this.buf.length - this.pos) {
      n -= this.buf.length - this.pos;
      this.buf = this.pending.shift()!;
      this.pendingBytes -= this.buf.length;
      this.pos = 0;
    }
    this.pos += n;
  }

  close(): void {
    this.stream.destroy();
  }
}
