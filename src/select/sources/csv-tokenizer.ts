// A streaming CSV tokenizer for S3's dialect options that DuckDB's reader cannot express: multi-character
// field and record delimiters, any quote and escape character, and comment rows (a record that starts with
// the comment character is skipped). Quoted fields may contain both delimiters.
import { StringDecoder } from 'node:string_decoder';
import { Transform, type TransformCallback } from 'node:stream';
import { s3Error } from '../../errors.js';
import type { CsvInput } from '../request.js';

const MAX_FIELD = 1024 * 1024;

export class CsvTokenizer {
  private buf = '';
  private row: string[] = [];
  private field = '';
  private quoted = false;
  /** True at the start of a record (where a comment may begin). */
  private atRecordStart = true;
  private inComment = false;
  private fieldStarted = false;
  private readonly fd: string;
  private readonly rd: string;
  private readonly q: string;
  private readonly esc: string;
  private readonly comment: string;

  constructor(csv: Pick<CsvInput, 'fieldDelimiter' | 'recordDelimiter' | 'quoteCharacter' | 'quoteEscapeCharacter' | 'comments'>) {
    this.fd = csv.fieldDelimiter;
    this.rd = csv.recordDelimiter;
    this.q = csv.quoteCharacter;
    this.esc = csv.quoteEscapeCharacter || csv.quoteCharacter;
    this.comment = csv.comments ?? '';
  }

  /** Consumes text; returns the records completed by it. */
  push(text: string, final = false): string[][] {
    this.buf += text;
    const out: string[][] = [];
    const s = this.buf;
    const { fd, rd, q, esc } = this;
    // Near the end of a chunk a delimiter or an escape pair may be cut in two: stop early unless final.
    const guard = final ? 0 : Math.max(fd.length, rd.length, 2) - 1;
    let i = 0;
    while (i < s.length - guard) {
      if (this.inComment) {
        const end = s.indexOf(rd, i);
        if (end < 0) {
          i = Math.max(i, s.length - guard);
          break;
        }
        i = end + rd.length;
        this.inComment = false;
        this.atRecordStart = true;
        continue;
      }
      if (this.atRecordStart && this.comment && s.startsWith(this.comment, i)) {
        this.inComment = true;
        continue;
      }
      const c = s[i];
      if (this.quoted) {
        if (esc !== q && c === esc && (s[i + 1] === q || s[i + 1] === esc)) {
          this.field += s[i + 1];
          i += 2;
        } else if (c === q && esc === q && s[i + 1] === q) {
          this.field += q;
          i += 2;
        } else if (c === q) {
          this.quoted = false;
          i += 1;
        } else {
          this.field += c;
          i += 1;
        }
      } else if (s.startsWith(rd, i)) {
        this.endField();
        out.push(this.row);
        this.row = [];
        this.atRecordStart = true;
        i += rd.length;
        continue;
      } else if (s.startsWith(fd, i)) {
        this.endField();
        i += fd.length;
      } else if (q !== '' && c === q && !this.fieldStarted) {
        this.quoted = true;
        this.fieldStarted = true;
        i += 1;
      } else {
        this.field += c;
        this.fieldStarted = true;
        i += 1;
      }
      this.atRecordStart = false;
      if (this.field.length > MAX_FIELD) throw s3Error('ColumnTooLong');
    }
    this.buf = s.slice(i);
    if (final) {
      if (this.quoted) throw s3Error('CSVParsingError', 'The CSV object ends inside a quoted field.');
      if (this.fieldStarted || this.row.length > 0) {
        this.endField();
        out.push(this.row);
        this.row = [];
      }
    }
    return out;
  }

  private endField(): void {
    this.row.push(this.field);
    this.field = '';
    this.fieldStarted = false;
  }
}

/** Bytes in, records (string arrays) out, in object mode. A leading UTF-8 BOM is dropped. */
export class CsvRecordStream extends Transform {
  private readonly decoder = new StringDecoder('utf8');
  private readonly tok: CsvTokenizer;
  private first = true;

  constructor(csv: ConstructorParameters<typeof CsvTokenizer>[0]) {
    super({ readableObjectMode: true });
    this.tok = new CsvTokenizer(csv);
  }

  override _transform(chunk: Buffer, _e: BufferEncoding, cb: TransformCallback): void {
    let text = this.decoder.write(chunk);
    if (this.first && text.length > 0) {
      this.first = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    try {
      for (const r of this.tok.push(text)) this.push(r);
      cb();
    } catch (e) {
      cb(e as Error);
    }
  }

  override _flush(cb: TransformCallback): void {
    try {
      for (const r of this.tok.push(this.decoder.end(), true)) this.push(r);
      cb();
    } catch (e) {
      cb(e as Error);
    }
  }
}
