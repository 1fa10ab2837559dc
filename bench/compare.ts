// Checking answers: a query's rows are summarised (count, order-independent and ordered digests, and the
// rows themselves while they are few), and two summaries are compared with a tolerance for floats, so a
// fast wrong answer cannot pass as a result.

/** Answers up to this many rows are kept whole and compared cell by cell. */
export const KEEP_ROWS = 10_000;
export const DEFAULT_REL_TOL = 1e-9;

const INT = /^[+-]?(0|[1-9]\d*)$/;
const DECIMAL = /^[+-]?((0|[1-9]\d*)(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const TIMESTAMP = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]00:?00)?$/;

/** The number a cell holds, or undefined when it is not written as a number (leading zeros stay text). */
export function numericValue(cell: string): number | undefined {
  if (!DECIMAL.test(cell)) return undefined;
  const n = Number(cell);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * A canonical text for a cell, so that equal values written differently compare equal: `1.0` and `1`,
 * `TRUE` and `true`, `2001-01-01T00:01:00.000Z` and `2001-01-01 00:01:00`. Non-integers are rounded to
 * 12 significant digits, which is what makes digests of large answers tolerant of float rendering.
 */
export function normalizeCell(cell: string): string {
  if (INT.test(cell)) return cell === '-0' ? '0' : cell.replace(/^\+/, '');
  const n = numericValue(cell);
  if (n !== undefined) return Number.isInteger(n) && Math.abs(n) < 2 ** 53 ? String(n) : String(Number(n.toPrecision(12)));
  const lower = cell.toLowerCase();
  if (lower === 'true' || lower === 'false') return lower;
  const t = TIMESTAMP.exec(cell);
  if (t) {
    const frac = (t[4] ?? '').replace(/0+$/, '');
    return `${t[1]} ${t[2]}:${t[3] ?? '00'}${frac ? `.${frac}` : ''}`;
  }
  return cell;
}

export function cellsEqual(a: string, b: string, relTol = DEFAULT_REL_TOL): boolean {
  if (a === b) return true;
  const x = numericValue(a);
  const y = numericValue(b);
  if (x !== undefined && y !== undefined) return Math.abs(x - y) <= Math.max(1e-12, relTol * Math.max(Math.abs(x), Math.abs(y)));
  return normalizeCell(a) === normalizeCell(b);
}

export interface ResultSummary {
  rows: number;
  /** Sum of row hashes: equal for the same rows in any order. */
  multiset: string;
  /** Chained row hashes: equal only for the same rows in the same order. */
  sequence: string;
  /** The rows, when there are at most KEEP_ROWS of them. */
  kept: string[][] | null;
}

/** Two independent 32-bit FNV-1a hashes of a string, for a 64-bit row hash without BigInt. */
function hash2(s: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return [a >>> 0, b >>> 0];
}

const hex = (n: number): string => (n >>> 0).toString(16).padStart(8, '0');

export class ResultSummarizer {
  private rows = 0;
  private sumA = 0;
  private sumB = 0;
  private seqA = 0x12345678;
  private seqB = 0x9abcdef0;
  private kept: string[][] | null = [];

  constructor(private readonly keepRows = KEEP_ROWS) {}

  /** Adds one row; bound so it can be handed to a row parser as is. */
  readonly row = (cells: string[]): void => {
    this.rows++;
    const [a, b] = hash2(cells.map(normalizeCell).join('\u0001'));
    this.sumA = (this.sumA + a) >>> 0;
    this.sumB = (this.sumB + b) >>> 0;
    this.seqA = Math.imul(this.seqA ^ a, 0x01000193) >>> 0;
    this.seqB = (Math.imul(this.seqB, 31) + b) >>> 0;
    if (this.kept) {
      if (this.kept.length < this.keepRows) this.kept.push(cells);
      else this.kept = null;
    }
  };

  summary(): ResultSummary {
    return { rows: this.rows, multiset: hex(this.sumA) + hex(this.sumB), sequence: hex(this.seqA) + hex(this.seqB), kept: this.kept };
  }
}

export interface CompareOptions {
  /** Rows must come in the same order (a scan or ORDER BY); otherwise they are compared as multisets. */
  ordered?: boolean;
  relTol?: number;
}

export interface Comparison {
  ok: boolean;
  detail: string;
}

function sortKey(row: string[]): string {
  return row.map(normalizeCell).join('\u0001');
}

const show = (row: string[] | undefined): string => (row === undefined ? '(none)' : JSON.stringify(row));

export function compareSummaries(ours: ResultSummary, theirs: ResultSummary, opts: CompareOptions = {}): Comparison {
  if (ours.rows !== theirs.rows) return { ok: false, detail: `${ours.rows} rows against ${theirs.rows}` };
  if (ours.kept && theirs.kept) {
    let a = ours.kept;
    let b = theirs.kept;
    if (!opts.ordered) {
      const sort = (rows: string[][]): string[][] => rows.map((r) => [sortKey(r), r] as const)
        .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)).map(([, r]) => r);
      a = sort(a);
      b = sort(b);
    }
    for (let i = 0; i < a.length; i++) {
      const ra = a[i]!;
      const rb = b[i]!;
      const same = ra.length === rb.length && ra.every((cell, j) => cellsEqual(cell, rb[j]!, opts.relTol));
      if (!same) return { ok: false, detail: `row ${i + 1}${opts.ordered ? '' : ' (sorted)'}: ${show(ra)} against ${show(rb)}` };
    }
    return { ok: true, detail: `${ours.rows} rows equal` };
  }
  if (ours.multiset !== theirs.multiset) return { ok: false, detail: `${ours.rows} rows each, but their contents differ (digest)` };
  if (opts.ordered && ours.sequence !== theirs.sequence) return { ok: false, detail: `${ours.rows} rows each, same rows in a different order` };
  return { ok: true, detail: `${ours.rows} rows equal (digest)` };
}

/** An answer that is not rows (an object's bytes, a key listing): equal when the digests are. */
export interface DigestAnswer {
  kind: 'digest';
  value: string;
}

export interface RowsAnswer {
  kind: 'rows';
  summary: ResultSummary;
}

export type Answer = DigestAnswer | RowsAnswer;

export function compareAnswers(ours: Answer, theirs: Answer, opts: CompareOptions = {}): Comparison {
  if (ours.kind === 'rows' && theirs.kind === 'rows') return compareSummaries(ours.summary, theirs.summary, opts);
  if (ours.kind === 'digest' && theirs.kind === 'digest') {
    return ours.value === theirs.value ? { ok: true, detail: 'same digest' } : { ok: false, detail: `digest ${ours.value} against ${theirs.value}` };
  }
  return { ok: false, detail: `answers of different kinds (${ours.kind}, ${theirs.kind})` };
}
