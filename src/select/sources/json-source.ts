// JSON objects: DOCUMENT (one or more top-level values, pretty-printed or not) and LINES. Each record
// reaches the query as one JSON value `j`, so absent attributes (MISSING) stay distinct from JSON null.
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { S3Error } from '../../errors.js';
import type { JsonInput } from '../request.js';
import { decompressionError } from './decompress.js';
import { createInputFifo, type InputFifo } from './input-fifo.js';
import { resolveScanRange } from './scan-range.js';
import { endedEarly, objectRecords, sqlString, type ByteCounters, type PreparedSource, type SourceContext } from './source.js';

/** S3 Select's longest record. */
const MAX_RECORD = 1 << 20;

/**
 * JSON LINES for a query that reads attributes of records, never whole records: each line as text through
 * DuckDB's CSV reader (no quotes, and a delimiter valid JSON never holds unescaped), cast to JSON, which
 * checks it. read_json parses each record and prints it minified, and the query parses that again; it
 * also reads an object of under ~20 MB on one thread, where the CSV reader uses every thread. The
 * text is kept as written, which attribute lookups do not mind (json_extract prints what it finds
 * minified); whole records, whose text the translator takes as minified, go through read_json. As there,
 * blank lines are no records; a line holding null is a record without attributes either way.
 * Measured (2 threads): 15 MB of flights 97 -> 64 ms for a filter and aggregate; at 77 MB both readers
 * take the same, the lines ~6 % longer for a one-attribute projection: larger objects keep read_json.
 */
export function jsonLinesSql(path: string, compression: string): string {
  const lines = `read_csv(${sqlString(path)}, columns = {'line': 'VARCHAR'}, header = false, auto_detect = false, ` +
    `delim = '\x1f', quote = '', escape = '', comment = '', strict_mode = true, max_line_size = ${MAX_RECORD}, ` +
    `compression = '${compression}')`;
  return `(SELECT CAST(line AS JSON) AS j FROM ${lines} WHERE ascii(line) > 32 OR trim(line, ' \t\r') <> '') AS t`;
}

const CSV_BASE = new S3Error('CSVParsingError').message;

/**
 * The CSV reader's complaints about a line (invalid UTF-8, a stray control character) are about JSON text
 * here; a line too long is a record too long, without the CSV reader's words.
 */
export function asJsonError(e: S3Error): S3Error {
  if (e.code === 'OverMaxRecordSize') return new S3Error('OverMaxRecordSize');
  if (e.code !== 'CSVParsingError') return e;
  const detail = e.message.startsWith(CSV_BASE) ? e.message.slice(CSV_BASE.length).trim() : '';
  const base = new S3Error('JSONParsingError').message;
  return new S3Error('JSONParsingError', detail ? `${base} ${detail}` : base);
}

/** Stored size up to which JSON LINES queries reading no whole record read lines (see jsonLinesSql). */
export const LINES_READER_MAX_BYTES = 48 << 20;

/**
 * read_json does not hold records to maximum_object_size here: a record longer than S3 Select's 1 MB
 * fails as OverMaxRecordSize, as the line reader's lines do (its length as read_json prints it).
 */
function readJsonSql(path: string, json: JsonInput, compression: string, lines: boolean): string {
  if (lines) return jsonLinesSql(path, compression);
  const format = json.type === 'LINES' ? 'newline_delimited' : 'unstructured';
  const records = `read_json(${sqlString(path)}, format = '${format}', records = false, columns = {j: 'JSON'}, ` +
    `compression = '${compression}', maximum_object_size = 1048576)`;
  // A filter, not a projection: COUNT(*) reads no column, and would otherwise skip the check.
  const tooLong = `error(${sqlString(`OverMaxRecordSize: ${new S3Error('OverMaxRecordSize').message}`)})`;
  return `(SELECT j FROM ${records} WHERE CASE WHEN strlen(CAST(j AS VARCHAR)) > ${MAX_RECORD} THEN ${tooLong} ELSE true END) AS t`;
}

export async function prepareJson(ctx: SourceContext, json: JsonInput): Promise<PreparedSource> {
  const { info, request } = ctx;
  const compression = request.input.compression;
  const counters: ByteCounters = { scanned: 0, processed: 0 };
  const span = request.scanRange ? resolveScanRange(request.scanRange, info.size) : undefined;
  const direct = ctx.localPath && !request.scanRange && compression !== 'BZIP2';
  let fifo: InputFifo | undefined;
  if (!direct) fifo = await createInputFifo(ctx.pipeDir);

  return {
    shape: { format: 'json' },
    fingerprint: `json:${json.type}`,
    relation(referenced) {
      const lines = json.type === 'LINES' && !referenced.all && info.size <= LINES_READER_MAX_BYTES;
      if (fifo) return readJsonSql(fifo.path, json, 'uncompressed', lines);
      return readJsonSql(ctx.localPath!, json, compression === 'NONE' ? 'uncompressed' : compression.toLowerCase(), lines);
    },
    queryError: json.type === 'LINES' ? asJsonError : undefined,
    feed: fifo ? async () => {
      const out = new PassThrough();
      const fed = fifo!.feed(out);
      if (request.scanRange && !span) {
        out.end();
        return fed;
      }
      const stages = await objectRecords(ctx, counters, span, '\n');
      try {
        await pipeline([...stages, out] as unknown as [Readable, PassThrough]);
      } catch (e) {
        if (!endedEarly(stages)) throw decompressionError(e, compression);
      }
      return fed;
    } : undefined,
    counters() {
      if (direct) return { scanned: info.size, processed: info.size };
      return { ...counters };
    },
    async close() {
      await fifo?.close();
    },
  };
}
