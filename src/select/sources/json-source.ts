// JSON objects: DOCUMENT (one or more top-level values, pretty-printed or not) and LINES. Each record
// reaches the query as one JSON value `j`, so absent attributes (MISSING) stay distinct from JSON null.
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { JsonInput } from '../request.js';
import { decompressionError } from './decompress.js';
import { createInputFifo, type InputFifo } from './input-fifo.js';
import { resolveScanRange } from './scan-range.js';
import { endedEarly, objectRecords, sqlString, type ByteCounters, type PreparedSource, type SourceContext } from './source.js';

function readJsonSql(path: string, json: JsonInput, compression: string): string {
  const format = json.type === 'LINES' ? 'newline_delimited' : 'unstructured';
  return `read_json(${sqlString(path)}, format = '${format}', records = false, columns = {j: 'JSON'}, ` +
    `compression = '${compression}', maximum_object_size = 1048576) AS t`;
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
    relation() {
      if (fifo) return readJsonSql(fifo.path, json, 'uncompressed');
      return readJsonSql(ctx.localPath!, json, compression === 'NONE' ? 'uncompressed' : compression.toLowerCase());
    },
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
