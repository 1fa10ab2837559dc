// Incremental row parsers for query answers: CSV (RFC 4180 quoting, as both S3 Select and DuckDB write it)
// and JSON lines (S3 Select's JSON output). Bytes go in as they arrive; complete rows come out as cells.
import { StringDecoder } from 'node:string_decoder';

export interface RowParser {
  pushBytes(chunk: Buffer): void;
  push(text: string): void;
  /** Flushes a last row that has no trailing record delimiter; throws on an unterminated quote. */
  end(): void;
}

export class CsvRowParser implements RowParser {
  private pending = '';
  private readonly decoder = new StringDecoder('utf8');

  constructor(private readonly onRow: (cells: string[]) => void, private readonly delimiter = ',', private readonly quote = '"') {}

  pushBytes(chunk: Buffer): void {
    this.push(this.decoder.write(chunk));
  }

  push(text: string): void {
    const buf = this.pending + text;
    let start = 0;
    // Position of the next quote at or after `start` (-1: none left); found once, not once per record.
    let q = -2;
    for (;;) {
      const nl = buf.indexOf('\n', start);
      if (nl < 0) break;
      if (q !== -1 && q < start) q = buf.indexOf(this.quote, start);
      if (q < 0 || q > nl) {
        // Fast path: a record without quotes.
        this.onRow(stripCr(buf.slice(start, nl)).split(this.delimiter));
        start = nl + 1;
        continue;
      }
      const next = this.parseQuoted(buf, start);
      if (next < 0) break; // the record continues in data not yet received
      start = next;
    }
    this.pending = buf.slice(start);
  }

  end(): void {
    this.push(this.decoder.end());
    if (this.pending === '') return;
    const rest = this.pending + '\n';
    this.pending = '';
    if (this.parseQuoted(rest, 0) < 0) throw new Error('CSV answer ends inside a quoted field');
  }

  /** Parses one record from `start`; returns where the next begins, or -1 when the record is incomplete. */
  private parseQuoted(buf: string, start: number): number {
    const cells: string[] = [];
    let cell = '';
    let i = start;
    let quoted = false;
    while (i < buf.length) {
      const c = buf[i]!;
      if (quoted) {
        if (c === this.quote) {
          if (i + 1 >= buf.length) return -1;
          if (buf[i + 1] === this.quote) {
            cell += c;
            i += 2;
            continue;
          }
          quoted = false;
        } else {
          cell += c;
        }
        i++;
      } else if (c === this.quote) {
        quoted = true;
        i++;
      } else if (c === this.delimiter) {
        cells.push(cell);
        cell = '';
        i++;
      } else if (c === '\n') {
        cells.push(stripCr(cell));
        this.onRow(cells);
        return i + 1;
      } else {
        cell += c;
        i++;
      }
    }
    return -1;
  }
}

function stripCr(s: string): string {
  return s.endsWith('\r') ? s.slice(0, -1) : s;
}

/** JSON output records, one object per line; a record's values in key order become its cells. */
export class JsonLinesRowParser implements RowParser {
  private pending = '';
  private readonly decoder = new StringDecoder('utf8');

  constructor(private readonly onRow: (cells: string[]) => void) {}

  pushBytes(chunk: Buffer): void {
    this.push(this.decoder.write(chunk));
  }

  push(text: string): void {
    const lines = (this.pending + text).split('\n');
    this.pending = lines.pop()!;
    for (const line of lines) if (line.trim() !== '') this.row(line);
  }

  end(): void {
    this.push(this.decoder.end());
    if (this.pending.trim() !== '') this.row(this.pending);
    this.pending = '';
  }

  private row(line: string): void {
    const v = JSON.parse(line) as unknown;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`JSON answer record is not an object: ${line.slice(0, 80)}`);
    this.onRow(Object.values(v).map((x) => (x === null ? '' : typeof x === 'object' ? JSON.stringify(x) : String(x))));
  }
}
