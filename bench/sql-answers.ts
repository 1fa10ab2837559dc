// Checking large /_sql answers without keeping them: a row count plus, per chosen column, a checksum (an
// order-free and an ordered hash of the values' canonical text, and the exact sum when every value is an
// integer). The same summary is built from our JSON, CSV or Arrow response and from DuckDB's own output of
// the same rows, so two answers agree when their digests do.
import { StringDecoder } from 'node:string_decoder';
import { RecordBatchReader } from 'apache-arrow';
import { normalizeCell } from './compare.js';

const INT = /^[+-]?\d+$/;

interface ColumnState {
  name: string;
  set: number;
  seqA: number;
  seqB: number;
  sum: bigint | null;
}

/** FNV-1a over a string, from a seed: two seeds give two independent 32-bit hashes. */
function fnv(s: string, seed: number): number {
  let h = seed;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

const hex = (n: number): string => (n >>> 0).toString(16).padStart(8, '0');

/** A value as text: null and undefined as '' (CSV cannot tell them apart), others canonicalised. */
export function valueText(v: unknown): string {
  if (v === null || v === undefined) return '';
  return normalizeCell(typeof v === 'string' ? v : String(v));
}

export class ColumnChecksum {
  private readonly state: ColumnState[];
  private index: number[] | undefined;
  private rows = 0;

  constructor(readonly columns: readonly string[], private readonly ordered = true) {
    this.state = columns.map((name) => ({ name, set: 0, seqA: 0x12345678, seqB: 0x9abcdef0, sum: 0n }));
  }

  /** Where the checksummed columns are among `names` (a CSV header, an Arrow schema). */
  header(names: readonly string[]): void {
    this.index = this.columns.map((c) => {
      const i = names.indexOf(c);
      if (i < 0) throw new Error(`the answer has no column ${JSON.stringify(c)} (columns: ${names.join(', ')})`);
      return i;
    });
  }

  /** A row as all its cells, after `header` (bound, for a row parser). */
  readonly cells = (cells: readonly string[]): void => {
    if (!this.index) throw new Error('ColumnChecksum: cells() before header()');
    this.values(this.index.map((i) => cells[i]));
  };

  /** A row as an object keyed by column name (a JSON answer). */
  readonly object = (row: Record<string, unknown>): void => {
    this.values(this.columns.map((c) => {
      if (!(c in row)) throw new Error(`a JSON row has no field ${JSON.stringify(c)}`);
      return row[c];
    }));
  };

  /** One row's values of the checksummed columns, in `columns` order. */
  values(vals: readonly unknown[]): void {
    this.rows++;
    for (let k = 0; k < this.state.length; k++) {
      const s = this.state[k]!;
      const text = valueText(vals[k]);
      const a = fnv(text, 0x811c9dc5);
      s.set = (s.set + a) >>> 0;
      s.seqA = Math.imul(s.seqA ^ a, 0x01000193) >>> 0;
      s.seqB = (Math.imul(s.seqB, 31) + fnv(text, 0x5bd1e995)) >>> 0;
      if (s.sum !== null) s.sum = INT.test(text) ? s.sum + BigInt(text) : text === '' ? s.sum : null;
    }
  }

  get rowCount(): number {
    return this.rows;
  }

  /** `rows=N delay:sum=…,set=…,seq=… …`; `seq` only when order matters, `sum` only for integer columns. */
  digest(): string {
    const parts = this.state.map((s) => {
      const sum = s.sum === null ? '' : `sum=${s.sum},`;
      return `${s.name}:${sum}set=${hex(s.set)}${this.ordered ? `,seq=${hex(s.seqA)}${hex(s.seqB)}` : ''}`;
    });
    return [`rows=${this.rows}`, ...parts].join(' ');
  }
}

/**
 * Rows of a JSON document written one row per line: our `{"meta":…,"data":[` … `],"rows":n,…}` and
 * DuckDB's `COPY … (FORMAT json, ARRAY true)` (`[` … `]`). A line holding one object (less a trailing
 * comma) is a row; a line starting with `]` closes the array, and a `"rows"` count after it is kept.
 */
export class JsonDocumentRows {
  private pending = '';
  private readonly decoder = new StringDecoder('utf8');
  private closed = false;
  /** The `"rows"` count of our envelope, once its closing line has been read. */
  declaredRows: number | undefined;

  constructor(private readonly onRow: (row: Record<string, unknown>) => void) {}

  pushBytes(chunk: Buffer): void {
    this.push(this.decoder.write(chunk));
  }

  push(text: string): void {
    const lines = (this.pending + text).split('\n');
    this.pending = lines.pop()!;
    for (const line of lines) this.line(line);
  }

  /** Throws when the document never closed its array (a truncated answer). */
  end(): void {
    this.push(this.decoder.end());
    if (this.pending.trim() !== '') this.line(this.pending);
    this.pending = '';
    if (!this.closed) throw new Error('the JSON answer ended before its data array was closed');
  }

  private line(raw: string): void {
    let line = raw.trim();
    if (line === '') return;
    if (line.startsWith(']')) {
      if (this.closed) throw new Error('the JSON answer closes its data array twice');
      this.closed = true;
      if (line.length > 1) {
        const rest = JSON.parse(`{"data":[${line}`) as { rows?: unknown };
        if (typeof rest.rows === 'number') this.declaredRows = rest.rows;
      }
      return;
    }
    if (line.endsWith(',')) line = line.slice(0, -1);
    if (!line.startsWith('{') || !line.endsWith('}')) return; // the envelope's opening line, or DuckDB's `[`
    if (this.closed) throw new Error('a JSON row after the data array was closed');
    const row = JSON.parse(line) as unknown;
    if (typeof row !== 'object' || row === null || Array.isArray(row)) throw new Error(`a JSON row is not an object: ${line.slice(0, 80)}`);
    this.onRow(row as Record<string, unknown>);
  }
}

/** Reads an Arrow IPC stream batch by batch into a checksum. */
export async function checksumArrow(source: AsyncIterable<Uint8Array>, sum: ColumnChecksum): Promise<void> {
  const reader = await RecordBatchReader.from(source);
  await reader.open();
  sum.header(reader.schema.fields.map((f) => f.name));
  for await (const batch of reader) {
    const vectors = sum.columns.map((c) => batch.getChild(c)!);
    const row: unknown[] = new Array(vectors.length);
    for (let i = 0; i < batch.numRows; i++) {
      for (let k = 0; k < vectors.length; k++) row[k] = vectors[k]!.get(i);
      sum.values(row);
    }
  }
}

/** The single value of a one-row, one-column JSON answer from /_sql (a count), as canonical text. */
export function scalarOfJson(body: string): string {
  const doc = JSON.parse(body) as { data?: unknown };
  if (!Array.isArray(doc.data) || doc.data.length !== 1) throw new Error(`expected one row, got ${body.slice(0, 200)}`);
  const values = Object.values(doc.data[0] as Record<string, unknown>);
  if (values.length !== 1) throw new Error(`expected one column, got ${body.slice(0, 200)}`);
  return valueText(values[0]);
}
