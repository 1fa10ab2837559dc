// A seeded, deterministic generator of a lineitem-like table (after TPC-H's), written as CSV with a header,
// streaming in bounded chunks so that 10 GB costs no more memory than 1 MB. Same seed → same bytes; a
// smaller size is a prefix (in rows) of a larger one with the same seed.
import { open } from 'node:fs/promises';

/** xoshiro128**: small, fast and good enough for synthetic data; seeded through splitmix32. */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seed: number) {
    let x = seed >>> 0;
    const split = (): number => {
      x = (x + 0x9e3779b9) | 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = split();
    this.s1 = split();
    this.s2 = split();
    this.s3 = split();
  }

  /** Next 32-bit unsigned value. */
  next(): number {
    const s1 = this.s1;
    const r = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return r;
  }

  /** Uniform integer in [0, n). */
  below(n: number): number {
    return Math.floor((this.next() / 4294967296) * n);
  }

  /** Uniform integer in [lo, hi]. */
  between(lo: number, hi: number): number {
    return lo + this.below(hi - lo + 1);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

const UNITS: Record<string, number> = {
  b: 1, kb: 1e3, mb: 1e6, gb: 1e9, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3,
};

/** Parses a size such as `1MB`, `250MB`, `10GB` or `64MiB` into bytes (decimal units, binary with `i`). */
export function parseSize(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]+)\s*$/i.exec(text);
  const unit = m ? UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined) throw new Error(`not a size: ${JSON.stringify(text)} (use e.g. 1MB, 250MB, 10GB)`);
  const bytes = Math.round(Number(m[1]) * unit);
  if (bytes < 1) throw new Error(`size must be positive: ${text}`);
  return bytes;
}

export const LINEITEM_COLUMNS = [
  'l_orderkey', 'l_partkey', 'l_suppkey', 'l_linenumber', 'l_quantity', 'l_extendedprice', 'l_discount', 'l_tax',
  'l_returnflag', 'l_linestatus', 'l_shipdate', 'l_commitdate', 'l_receiptdate', 'l_shipinstruct', 'l_shipmode', 'l_comment',
] as const;

const INSTRUCTIONS = ['DELIVER IN PERSON', 'COLLECT COD', 'NONE', 'TAKE BACK RETURN'];
const MODES = ['REG AIR', 'AIR', 'RAIL', 'SHIP', 'TRUCK', 'MAIL', 'FOB'];
const WORDS = [
  'furiously', 'quickly', 'carefully', 'blithely', 'slyly', 'regular', 'final', 'express', 'ironic', 'pending',
  'special', 'bold', 'even', 'silent', 'unusual', 'deposits', 'requests', 'packages', 'accounts', 'foxes',
  'theodolites', 'instructions', 'pinto beans', 'dependencies', 'asymptotes', 'platelets', 'excuses', 'ideas',
  'sleep', 'wake', 'haggle', 'nag', 'use', 'cajole', 'detect', 'integrate', 'boost', 'among', 'above', 'after',
];
// Dates are days after 1992-01-01, written from a table built once.
const EPOCH = Date.UTC(1992, 0, 1);
const DATES = Array.from({ length: 2700 }, (_, d) => new Date(EPOCH + d * 86_400_000).toISOString().slice(0, 10));
const ORDER_DAYS = 2405; // order dates up to 1998-08-02
const CURRENT_DAY = 1263; // 1995-06-17: earlier receipts are returned or accepted, later ones still open

function cents(c: number): string {
  const r = c % 100;
  return `${Math.floor(c / 100)}.${r < 10 ? '0' : ''}${r}`;
}

function comment(rng: Rng): string {
  let s = WORDS[rng.below(WORDS.length)]!;
  const n = rng.between(1, 5);
  for (let i = 0; i < n; i++) {
    // A comma now and then, and a quote more rarely, so that the CSV has quoted fields to get right.
    const sep = rng.below(10) === 0 ? ', ' : ' ';
    s += sep + WORDS[rng.below(WORDS.length)]!;
  }
  if (rng.below(50) === 0) s += ' "quoted"';
  return s.includes(',') || s.includes('"') ? `"${s.replace(/"/g, '""')}"` : s;
}

export interface GenerateOptions {
  seed: number;
  /** Stop at the first row that brings the output to at least this many bytes. */
  bytes: number;
  /** Size of the chunks handed to the sink. */
  chunkBytes?: number;
}

export interface GenerateResult {
  rows: number;
  bytes: number;
}

// Longest possible row, with room to spare: a chunk is handed over once less than this is left in it.
const MAX_ROW_BYTES = 512;

/** Streams the CSV to `sink` chunk by chunk, awaiting it (backpressure) before making the next chunk. */
export async function generateLineitem(opts: GenerateOptions, sink: (chunk: Buffer) => Promise<void> | void): Promise<GenerateResult> {
  const rng = new Rng(opts.seed);
  const chunkBytes = Math.max(opts.chunkBytes ?? 1 << 20, 2 * MAX_ROW_BYTES);
  // Rows are written straight into a byte buffer: concatenating them into a string first costs more in
  // flattening and garbage collection than generating them.
  let buf = Buffer.allocUnsafe(chunkBytes);
  let pos = buf.write(LINEITEM_COLUMNS.join(',') + '\n', 0, 'latin1');
  let total = 0;
  let rows = 0;
  let orderkey = 0;
  let lines = 0;
  let linenumber = 0;
  let orderDay = 0;
  // Every string is ASCII, so string length is byte length.
  while (total + pos < opts.bytes) {
    if (linenumber === lines) {
      orderkey += rng.between(1, 4);
      lines = rng.between(1, 7);
      linenumber = 0;
      orderDay = rng.below(ORDER_DAYS);
    }
    linenumber++;
    const partkey = rng.between(1, 200_000);
    const suppkey = rng.between(1, 10_000);
    const quantity = rng.between(1, 50);
    const partCents = 90_000 + (Math.floor(partkey / 10) % 20_001) + 100 * (partkey % 1000);
    const shipDay = orderDay + rng.between(1, 121);
    const commitDay = orderDay + rng.between(30, 90);
    const receiptDay = shipDay + rng.between(1, 30);
    const returnflag = receiptDay <= CURRENT_DAY ? (rng.below(2) === 0 ? 'R' : 'A') : 'N';
    const linestatus = shipDay > CURRENT_DAY ? 'O' : 'F';
    pos += buf.write(`${orderkey},${partkey},${suppkey},${linenumber},${quantity},${cents(quantity * partCents)},` +
      `0.0${rng.below(10)},0.0${rng.below(9)},${returnflag},${linestatus},${DATES[shipDay]},${DATES[commitDay]},` +
      `${DATES[receiptDay]},${INSTRUCTIONS[rng.below(4)]},${MODES[rng.below(7)]},${comment(rng)}\n`, pos, 'latin1');
    rows++;
    if (chunkBytes - pos < MAX_ROW_BYTES) {
      total += pos;
      await sink(buf.subarray(0, pos));
      buf = Buffer.allocUnsafe(chunkBytes);
      pos = 0;
    }
  }
  if (pos > 0) {
    total += pos;
    await sink(buf.subarray(0, pos));
  }
  return { rows, bytes: total };
}

/** Generates into a file (created or truncated). */
export async function writeLineitemFile(file: string, opts: GenerateOptions): Promise<GenerateResult> {
  const fh = await open(file, 'w');
  try {
    return await generateLineitem(opts, async (chunk) => {
      await fh.write(chunk);
    });
  } finally {
    await fh.close();
  }
}
