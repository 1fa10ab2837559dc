// ScanRange: AWS processes the records whose first byte lies in [Start, End] (inclusive), even when they
// run past End. For delimited text that means: skip to the first record that starts at or after Start,
// then stop after the record that contains End.
import { Transform, type TransformCallback } from 'node:stream';
import { s3Error } from '../../errors.js';

export interface ByteSpan {
  start: number;
  end: number;
}

/** Applies the defaults (Start only: to EOF; End only: the last End bytes). Undefined when nothing is in range. */
export function resolveScanRange(range: { start?: number; end?: number }, size: number): ByteSpan | undefined {
  let start: number;
  let end: number;
  if (range.start === undefined && range.end !== undefined) {
    start = Math.max(0, size - range.end);
    end = size - 1;
  } else {
    start = range.start ?? 0;
    end = Math.min(range.end ?? size - 1, size - 1);
  }
  if (range.start !== undefined && range.end !== undefined && range.start > range.end) {
    throw s3Error('InvalidScanRange', 'The scan range start must not be after its end.');
  }
  if (size === 0 || start > end || start >= size) return undefined;
  return { start, end };
}

/**
 * Filters a byte stream that begins at absolute offset `from` (= max(0, span.start - delimiter length)) down to
 * the records of `span`. Quoted record delimiters are not recognised: AWS refuses ScanRange for such input.
 */
export class RecordRangeFilter extends Transform {
  private pos: number;
  private started: boolean;
  private done = false;
  /** Bytes held back because they might be the beginning of a delimiter split across chunks. */
  private carry = Buffer.alloc(0);

  constructor(private readonly span: ByteSpan, private readonly delimiter: Buffer, from: number) {
    super();
    this.pos = from;
    this.started = span.start === 0;
  }

  override _transform(chunk: Buffer, _e: BufferEncoding, cb: TransformCallback): void {
    if (this.done) return cb();
    const buf = this.carry.length ? Buffer.concat([this.carry, chunk]) : chunk;
    const base = this.pos - this.carry.length;
    let i = 0;
    let emitFrom = this.started ? 0 : -1;
    const d = this.delimiter;
    while (i <= buf.length - d.length) {
      const hit = buf.indexOf(d, i);
      if (hit < 0) break;
      const after = hit + d.length;
      const absAfter = base + after;
      if (!this.started) {
        if (absAfter >= this.span.start) {
          this.started = true;
          emitFrom = after;
        }
      } else if (absAfter > this.span.end) {
        // The next record would start after End: this delimiter closes the last record of the range.
        this.push(buf.subarray(Math.max(emitFrom, 0), after));
        this.done = true;
        this.push(null);
        return cb();
      }
      i = after;
    }
    const keep = Math.min(d.length - 1, buf.length - i);
    const cut = buf.length - keep;
    if (this.started && emitFrom >= 0 && cut > emitFrom) this.push(buf.subarray(emitFrom, cut));
    this.carry = Buffer.from(buf.subarray(cut));
    this.pos = base + buf.length;
    cb();
  }

  override _flush(cb: TransformCallback): void {
    if (!this.done && this.started && this.carry.length) this.push(this.carry);
    cb();
  }
}
