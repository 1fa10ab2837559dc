// The benchmark's SelectObjectContent client: builds the request XML, sends it signed, and decodes the
// event stream as it arrives, handing Records payloads to a sink. A stream that ends without End, or with an
// error event, is a failure: a truncated answer must never count as a result.
import { readEventStream } from '../src/select/eventstream.js';
import { describeError, errorCodeOf, S3RequestError, type S3Client } from './s3-client.js';

export interface SelectSpec {
  expression: string;
  /** InputSerialization children, e.g. `<CompressionType>GZIP</CompressionType><CSV>…</CSV>`. */
  input: string;
  output?: 'csv' | 'json';
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

export function selectRequestXml(spec: SelectSpec): string {
  const output = spec.output === 'json' ? '<JSON/>' : '<CSV/>';
  return '<?xml version="1.0" encoding="UTF-8"?>' +
    '<SelectObjectContentRequest xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
    `<Expression>${escapeXml(spec.expression)}</Expression><ExpressionType>SQL</ExpressionType>` +
    `<InputSerialization>${spec.input}</InputSerialization>` +
    `<OutputSerialization>${output}</OutputSerialization>` +
    '<RequestProgress><Enabled>false</Enabled></RequestProgress>' +
    '</SelectObjectContentRequest>';
}

export interface SelectStats {
  bytesScanned: number;
  bytesProcessed: number;
  bytesReturned: number;
}

export interface SelectResult {
  /** Records payload bytes received. */
  bytesReturned: number;
  stats?: SelectStats;
}

export class SelectEventError extends Error {
  constructor(readonly code: string, message: string) {
    super(`${code}: ${message}`);
    this.name = 'SelectEventError';
  }
}

function statsOf(xml: string): SelectStats {
  const num = (tag: string): number => Number(new RegExp(`<${tag}>(\\d+)</${tag}>`).exec(xml)?.[1] ?? NaN);
  return { bytesScanned: num('BytesScanned'), bytesProcessed: num('BytesProcessed'), bytesReturned: num('BytesReturned') };
}

/** Runs one SelectObjectContent request; `onRecords` sees every Records payload in order. */
export async function selectObject(
  client: S3Client, bucket: string, key: string, spec: SelectSpec, onRecords?: (chunk: Buffer) => void,
): Promise<SelectResult> {
  const res = await client.stream({
    method: 'POST', bucket, key, query: 'select&select-type=2', body: selectRequestXml(spec),
    headers: { 'content-type': 'application/xml' },
  });
  if ((res.statusCode ?? 0) !== 200) {
    const chunks: Buffer[] = [];
    for await (const c of res) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    throw new S3RequestError(res.statusCode ?? 0, errorCodeOf(body), `SelectObjectContent ${bucket}/${key}: ${describeError(res.statusCode ?? 0, body)}`);
  }
  let bytesReturned = 0;
  let stats: SelectStats | undefined;
  let ended = false;
  for await (const msg of readEventStream(res)) {
    if (ended) throw new Error(`SelectObjectContent ${key}: a message after End`);
    const type = msg.headers[':message-type'];
    if (type === 'error') {
      throw new SelectEventError(String(msg.headers[':error-code']), String(msg.headers[':error-message']));
    }
    switch (msg.headers[':event-type']) {
      case 'Records':
        bytesReturned += msg.payload.length;
        onRecords?.(msg.payload);
        break;
      case 'Stats':
        stats = statsOf(msg.payload.toString('utf8'));
        break;
      case 'End':
        ended = true;
        break;
      default: // Cont and Progress carry nothing the benchmark needs
    }
  }
  if (!ended) throw new Error(`SelectObjectContent ${key}: the event stream ended without an End event (truncated answer)`);
  return { bytesReturned, stats };
}
