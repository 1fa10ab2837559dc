// CSV objects. DuckDB's reader takes the file directly when it can express the request's options
// exactly; otherwise a streaming pre-pass (decompression, scan range, papaparse re-encoding) feeds it
// standard CSV through a pipe. Every field stays an untyped string, as S3 Select defines CSV.
import Papa from 'papaparse';
import { PassThrough, Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { S3Error, s3Error } from '../../errors.js';
import type { CsvInput } from '../request.js';
import { readFirstRecord } from './csv-head.js';
import { CsvRecordStream } from './csv-tokenizer.js';
import { decompressionError, decompressor } from './decompress.js';
import { createInputFifo, type InputFifo } from './input-fifo.js';
import { resolveScanRange, type ByteSpan } from './scan-range.js';
import { endedEarly, objectRecords, sqlString, type ByteCounters, type PreparedSource, type SourceContext } from './source.js';

/** A value DuckDB treats as NULL; nothing real uses it, so empty fields stay '' as S3 defines them. */
const NULL_MARK = '\u0001\u0002';

/** How DuckDB's read_csv must be told to parse the bytes it is given. */
interface CsvDialect { delim: string; quote: string; escape: string; newline: string; skip: number }

function directDialect(csv: CsvInput): CsvDialect | undefined {
  if (csv.comments) return undefined; // DuckDB's comment option cuts any '#' mid-line; S3's only skips rows starting with it
  if (!['\n', '\r\n', '\r'].includes(csv.recordDelimiter)) return undefined;
  if (Buffer.byteLength(csv.fieldDelimiter) > 4 || csv.fieldDelimiter.includes('\n') || csv.fieldDelimiter.includes('\r')) return undefined;
  if (Buffer.byteLength(csv.quoteCharacter) > 1 || Buffer.byteLength(csv.quoteEscapeCharacter) > 1) return undefined;
  return {
    delim: csv.fieldDelimiter,
    quote: csv.quoteCharacter,
    escape: csv.quoteCharacter === '' ? '' : csv.quoteEscapeCharacter,
    newline: csv.recordDelimiter,
    skip: csv.fileHeaderInfo === 'NONE' ? 0 : 1,
  };
}

const STANDARD: CsvDialect = { delim: ',', quote: '"', escape: '"', newline: '\n', skip: 0 };

/** `sequential`: DuckDB's parallel scanner cannot pad short rows when quoted fields hold newlines. */
function readCsvSql(path: string, d: CsvDialect, width: number, compression: string, sequential: boolean): string {
  const cols = Array.from({ length: width }, (_, i) => `'c${i + 1}': 'VARCHAR'`).join(', ');
  const nl = d.newline === '\n' ? '\\n' : d.newline === '\r\n' ? '\\r\\n' : '\\r';
  return `read_csv(${sqlString(path)}, header = false, skip = ${d.skip}, auto_detect = false, columns = {${cols}}, ` +
    `delim = ${sqlString(d.delim)}, quote = ${sqlString(d.quote)}, escape = ${sqlString(d.escape)}, new_line = '${nl}', ` +
    `comment = '', null_padding = true, strict_mode = false, nullstr = ${sqlString(NULL_MARK)}, ` +
    `compression = '${compression}', max_line_size = 2097152, buffer_size = 8388608${sequential ? ', parallel = false' : ''}) AS t`;
}

/** Re-encodes parsed rows as standard CSV (`,` `"` `\n`), dropping the header row when there is one. */
function reencoder(csv: CsvInput, skipHeader: boolean): { parser: Transform; writer: Transform } {
  const parser = new CsvRecordStream(csv);
  let first = skipHeader;
  const writer = new Transform({
    writableObjectMode: true,
    transform(row: string[], _e, cb) {
      if (first) {
        first = false;
        return cb();
      }
      if (row.length === 1 && row[0] === '') return cb(); // blank line
      cb(null, Papa.unparse([row], { quotes: true, newline: '\n' }) + '\n');
    },
  });
  return { parser, writer };
}

export async function prepareCsv(ctx: SourceContext, csv: CsvInput): Promise<PreparedSource> {
  const { info, request } = ctx;
  const compression = request.input.compression;
  const counters: ByteCounters = { scanned: 0, processed: 0 };
  let span: ByteSpan | undefined;
  if (request.scanRange) {
    span = resolveScanRange(request.scanRange, info.size);
  }
  const rangeStarts = span === undefined || span.start === 0;

  // The header (or the first row's width) comes from the head of the object.
  const headStream = await ctx.store.getObject(ctx.bucket, ctx.key, info.size > 0 ? { start: 0, end: Math.min(info.size - 1, 4 * 1024 * 1024) } : undefined);
  const d = decompressor(compression);
  const head = d ? headStream.stream.pipe(d) : headStream.stream;
  headStream.stream.on('error', (e) => head.destroy(e));
  let first: string[] | undefined;
  try {
    first = info.size > 0 ? await readFirstRecord(head, csv) : undefined;
  } catch (e) {
    throw compression === 'NONE' ? e : decompressionError(e, compression);
  } finally {
    headStream.stream.destroy();
  }
  const header = csv.fileHeaderInfo === 'USE' ? first ?? [] : undefined;
  const firstWidth = first?.length ?? 1;

  const direct = directDialect(csv);
  const viaDuckDb = direct && ctx.localPath && span === undefined && compression !== 'BZIP2';
  const rangeOnly = direct && ctx.localPath && span !== undefined && compression === 'NONE';
  let fifo: InputFifo | undefined;
  let pass: (() => Promise<Readable[]>) | undefined;
  let dialect: CsvDialect;
  if (viaDuckDb) {
    dialect = direct;
    counters.scanned = info.size;
    counters.processed = await decompressedSize(ctx, compression);
  } else {
    fifo = await createInputFifo(ctx.pipeDir);
    const skipHeader = csv.fileHeaderInfo !== 'NONE' && rangeStarts;
    dialect = rangeOnly ? { ...direct, skip: skipHeader ? 1 : 0 } : STANDARD;
    pass = async () => {
      const stages = await objectRecords(ctx, counters, span, csv.recordDelimiter);
      if (!rangeOnly) {
        const { parser, writer } = reencoder(csv, skipHeader);
        stages.push(parser, writer);
      }
      return stages;
    };
  }

  const shape = { format: 'csv' as const, csvWidth: firstWidth, csvHeader: header };
  return {
    shape,
    fingerprint: `csv:${firstWidth}:${JSON.stringify(header ?? null)}`,
    relation(referenced) {
      const width = Math.max(firstWidth, ...(referenced.csvIndexes ?? [0]));
      const sequential = csv.allowQuotedRecordDelimiter || (fifo !== undefined && !rangeOnly);
      if (fifo) return readCsvSql(fifo.path, dialect, width, 'none', sequential);
      return readCsvSql(ctx.localPath!, dialect, width, compression === 'NONE' ? 'none' : compression.toLowerCase(), sequential);
    },
    feed: pass && fifo ? async () => {
      const stages = await pass!();
      const out = new PassThrough();
      const fed = fifo!.feed(out);
      try {
        await pipeline([...stages, out] as unknown as [Readable, PassThrough]);
      } catch (e) {
        if (endedEarly(stages)) return fed;
        throw compression === 'NONE' ? mapParseError(e) : decompressionError(e, compression);
      }
      return fed;
    } : undefined,
    counters() {
      if (viaDuckDb) return { scanned: info.size, processed: counters.processed };
      return { ...counters };
    },
    async close() {
      await fifo?.close();
    },
  };
}

/**
 * What DuckDB will decompress, for BytesProcessed: a gzip member ends with its size mod 2^32 (exact below
 * 4 GiB for the single-member files S3 clients write); a zstd frame header may carry it. Else the stored size.
 */
async function decompressedSize(ctx: SourceContext, compression: string): Promise<number> {
  const size = ctx.info.size;
  if (compression === 'NONE' || size < 18) return size;
  const range = compression === 'GZIP' ? { start: size - 4, end: size - 1 } : { start: 0, end: Math.min(size, 18) - 1 };
  const body = await ctx.store.getObject(ctx.bucket, ctx.key, range);
  const chunks: Buffer[] = [];
  for await (const c of body.stream) chunks.push(c as Buffer);
  const b = Buffer.concat(chunks);
  if (compression === 'GZIP') return b.readUInt32LE(0);
  return zstdContentSize(b) ?? size;
}

/** Frame_Content_Size from a zstd frame header, when the writer recorded it. */
function zstdContentSize(b: Buffer): number | undefined {
  if (b.length < 6 || b.readUInt32LE(0) !== 0xfd2fb528) return undefined;
  const fhd = b[4];
  const fcsFlag = fhd >> 6;
  const single = (fhd >> 5) & 1;
  const dictFlag = fhd & 3;
  const fcsBytes = [single ? 1 : 0, 2, 4, 8][fcsFlag];
  if (fcsBytes === 0) return undefined;
  const at = 5 + (single ? 0 : 1) + [0, 1, 2, 4][dictFlag];
  if (b.length < at + fcsBytes) return undefined;
  if (fcsBytes === 1) return b[at];
  if (fcsBytes === 2) return b.readUInt16LE(at) + 256;
  if (fcsBytes === 4) return b.readUInt32LE(at);
  return Number(b.readBigUInt64LE(at));
}

function mapParseError(e: unknown): S3Error {
  if (e instanceof S3Error) return e;
  return s3Error('CSVParsingError', `Reading the CSV object failed: ${(e as Error).message}`);
}
