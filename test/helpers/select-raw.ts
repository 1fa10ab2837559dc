// SelectObjectContent as a hand-signed POST, for request XML that boto3 and the AWS CLI cannot send
// (our <Avro/>, <ORC/>, <MessagePack/> and <Protobuf> input elements), and the response's event stream
// decoded with the server's own decoder.
import { decodeEventStream } from '../../src/select/eventstream.js';
import { errorCode, raw } from './raw.js';

export interface RawSelectResult {
  status: number;
  records: string;
  stats?: string;
  /** Event types in order (Records, Stats, End…). */
  events: string[];
  /** Error code: from the XML error body (before the stream) or an error event. */
  error?: string;
  message?: string;
}

export function selectXml(expression: string, input: string, output = '<JSON/>'): string {
  const esc = expression.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return `<SelectObjectContentRequest><Expression>${esc}</Expression><ExpressionType>SQL</ExpressionType>` +
    `<InputSerialization>${input}</InputSerialization><OutputSerialization>${output}</OutputSerialization></SelectObjectContentRequest>`;
}

/** Decodes a Select response body (status 200) or reports the XML error of any other status. */
export function parseSelect(status: number, body: Buffer): RawSelectResult {
  if (status !== 200) {
    return { status, records: '', events: [], error: errorCode({ status, headers: {}, body }), message: /<Message>([^<]*)<\/Message>/.exec(body.toString())?.[1] };
  }
  const decoder = decodeEventStream();
  const messages = decoder.push(body);
  decoder.end();
  const out: RawSelectResult = { status, records: '', events: [] };
  for (const m of messages) {
    if (m.headers[':message-type'] === 'error') {
      out.events.push('error');
      out.error = String(m.headers[':error-code']);
      out.message = String(m.headers[':error-message']);
      continue;
    }
    const type = String(m.headers[':event-type']);
    out.events.push(type);
    if (type === 'Records') out.records += m.payload.toString('utf8');
    if (type === 'Stats') out.stats = m.payload.toString('utf8');
  }
  return out;
}

export async function rawSelect(url: string, bucket: string, key: string, xml: string): Promise<RawSelectResult> {
  const path = `/${bucket}/${key.split('/').map(encodeURIComponent).join('/')}?select&select-type=2`;
  const r = await raw(url, { method: 'POST', path, body: xml });
  return parseSelect(r.status, r.body);
}
