import { S3Client, SelectObjectContentCommand, type SelectObjectContentCommandInput } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { S3Error, type S3ErrorCode } from '../src/errors.js';
import { MAX_EXPRESSION_BYTES, parseSelectRequest } from '../src/select/request.js';

const NS = 'http://s3.amazonaws.com/doc/2006-03-01/';

// Captured from botocore 1.43.11's serializer for select_object_content (the CR is sent literally).
const BOTOCORE_CSV =
  `<SelectObjectContentRequest xmlns="${NS}"><Expression>SELECT * FROM S3Object s WHERE s._1 = 'x'</Expression>` +
  '<ExpressionType>SQL</ExpressionType><RequestProgress><Enabled>true</Enabled></RequestProgress><InputSerialization><CSV>' +
  '<FileHeaderInfo>USE</FileHeaderInfo><Comments>#</Comments><QuoteEscapeCharacter>"</QuoteEscapeCharacter>' +
  '<RecordDelimiter>\r\n</RecordDelimiter><FieldDelimiter>,</FieldDelimiter><QuoteCharacter>"</QuoteCharacter>' +
  '<AllowQuotedRecordDelimiter>false</AllowQuotedRecordDelimiter></CSV><CompressionType>NONE</CompressionType>' +
  '</InputSerialization><OutputSerialization><CSV><QuoteFields>ASNEEDED</QuoteFields><QuoteEscapeCharacter>"</QuoteEscapeCharacter>' +
  '<RecordDelimiter>\n</RecordDelimiter><FieldDelimiter>,</FieldDelimiter><QuoteCharacter>"</QuoteCharacter></CSV></OutputSerialization>' +
  '<ScanRange><Start>1</Start><End>100</End></ScanRange></SelectObjectContentRequest>';
const BOTOCORE_PARQUET =
  `<SelectObjectContentRequest xmlns="${NS}"><Expression>SELECT * FROM S3Object</Expression><ExpressionType>SQL</ExpressionType>` +
  '<InputSerialization><Parquet /></InputSerialization><OutputSerialization><JSON /></OutputSerialization></SelectObjectContentRequest>';

/** The request body the AWS SDK for JavaScript v3 would send, captured without any network I/O. */
async function jsSdkBody(input: Omit<SelectObjectContentCommandInput, 'Bucket' | 'Key'>): Promise<string> {
  let body: unknown;
  const client = new S3Client({
    region: 'us-east-1',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    endpoint: 'http://127.0.0.1:1',
    forcePathStyle: true,
    requestHandler: {
      handle: async (req: { body: unknown }) => {
        body = req.body;
        throw new Error('captured');
      },
    },
  });
  await expect(client.send(new SelectObjectContentCommand({ Bucket: 'b', Key: 'k', ...input }))).rejects.toThrow('captured');
  return body as string;
}

/** A minimal valid request with the given pieces swapped in. */
function body(parts: { expr?: string; type?: string; input?: string; output?: string; extra?: string } = {}): string {
  return (
    `<SelectObjectContentRequest xmlns="${NS}">` +
    `<Expression>${parts.expr ?? 'SELECT * FROM S3Object'}</Expression>` +
    (parts.type ?? '<ExpressionType>SQL</ExpressionType>') +
    `<InputSerialization>${parts.input ?? '<CSV/>'}</InputSerialization>` +
    `<OutputSerialization>${parts.output ?? '<CSV/>'}</OutputSerialization>` +
    (parts.extra ?? '') +
    '</SelectObjectContentRequest>'
  );
}

function errorOf(xml: string | Uint8Array): { code: S3ErrorCode; status: number } {
  try {
    parseSelectRequest(xml);
  } catch (e) {
    if (e instanceof S3Error) return { code: e.code, status: e.status };
    throw e;
  }
  throw new Error('expected the request to be rejected');
}

describe('parseSelectRequest: real client bodies', () => {
  it('parses what botocore sends, keeping the literal CRLF delimiter', () => {
    expect(parseSelectRequest(BOTOCORE_CSV)).toEqual({
      expression: "SELECT * FROM S3Object s WHERE s._1 = 'x'",
      requestProgress: true,
      input: {
        compression: 'NONE',
        format: {
          kind: 'csv', fileHeaderInfo: 'USE', comments: '#', quoteEscapeCharacter: '"', recordDelimiter: '\r\n',
          fieldDelimiter: ',', quoteCharacter: '"', allowQuotedRecordDelimiter: false,
        },
      },
      output: { kind: 'csv', quoteFields: 'ASNEEDED', quoteEscapeCharacter: '"', recordDelimiter: '\n', fieldDelimiter: ',', quoteCharacter: '"' },
      scanRange: { start: 1, end: 100 },
    });
  });

  it('parses botocore Parquet/JSON bodies with self-closing format elements', () => {
    const req = parseSelectRequest(Buffer.from(BOTOCORE_PARQUET));
    expect(req.input).toEqual({ compression: 'NONE', format: { kind: 'parquet' } });
    expect(req.output).toEqual({ kind: 'json', recordDelimiter: '\n' });
    expect(req.requestProgress).toBe(false);
    expect(req.scanRange).toBeUndefined();
  });

  it('parses what the JS SDK v3 sends: escaped quotes, &#x0D;&#x0A; and a different element order', async () => {
    const xml = await jsSdkBody({
      Expression: `SELECT s."name" FROM S3Object s WHERE s.x = 'a&b'`,
      ExpressionType: 'SQL',
      InputSerialization: { CSV: { FileHeaderInfo: 'USE', RecordDelimiter: '\r\n', FieldDelimiter: '\t' }, CompressionType: 'NONE' },
      OutputSerialization: { JSON: { RecordDelimiter: '\r\n' } },
      RequestProgress: { Enabled: false },
    });
    expect(xml).toContain('&#x0D;&#x0A;');
    const req = parseSelectRequest(xml);
    expect(req.expression).toBe(`SELECT s."name" FROM S3Object s WHERE s.x = 'a&b'`);
    expect(req.input.format).toMatchObject({ kind: 'csv', recordDelimiter: '\r\n', fieldDelimiter: '\t', fileHeaderInfo: 'USE' });
    expect(req.output).toEqual({ kind: 'json', recordDelimiter: '\r\n' });
  });
});

describe('parseSelectRequest: raw delimiter text', () => {
  it.each([
    ['literal CRLF', '\r\n', '\r\n'],
    ['decimal references', '&#13;&#10;', '\r\n'],
    ['hex references', '&#xD;&#xA;', '\r\n'],
    ['lone CR', '\r', '\r'],
    ['CR inside CDATA', '<![CDATA[\r\n]]>', '\r\n'],
    ['multi-character', '|~|', '|~|'],
  ])('keeps a %s RecordDelimiter', (_name, raw, want) => {
    const req = parseSelectRequest(body({ input: `<CSV><RecordDelimiter>${raw}</RecordDelimiter></CSV>` }));
    expect(req.input.format).toMatchObject({ recordDelimiter: want });
  });

  it('keeps whitespace delimiters and tolerates CRLF-indented documents', () => {
    const xml =
      `<?xml version="1.0" encoding="UTF-8"?>\r\n<SelectObjectContentRequest\r\n  xmlns="${NS}">\r\n` +
      '  <OutputSerialization>\r\n    <CSV><FieldDelimiter> </FieldDelimiter></CSV>\r\n  </OutputSerialization>\r\n' +
      '  <InputSerialization>\r\n    <CSV>\r\n      <FieldDelimiter>\t</FieldDelimiter>\r\n    </CSV>\r\n  </InputSerialization>\r\n' +
      '  <ExpressionType>SQL</ExpressionType>\r\n  <Expression>SELECT _1\r\nFROM S3Object</Expression>\r\n</SelectObjectContentRequest>\r\n';
    const req = parseSelectRequest(xml);
    expect(req.input.format).toMatchObject({ fieldDelimiter: '\t', recordDelimiter: '\n' });
    expect(req.output).toMatchObject({ fieldDelimiter: ' ' });
    expect(req.expression).toBe('SELECT _1\r\nFROM S3Object');
  });
});

describe('parseSelectRequest: defaults and variants', () => {
  it('fills CSV defaults; an absent Comments means no comment character', () => {
    const req = parseSelectRequest(body());
    expect(req.input).toEqual({
      compression: 'NONE',
      format: {
        kind: 'csv', fileHeaderInfo: 'NONE', quoteEscapeCharacter: '"', recordDelimiter: '\n', fieldDelimiter: ',',
        quoteCharacter: '"', allowQuotedRecordDelimiter: false,
      },
    });
    expect(req.input.format).not.toHaveProperty('comments');
    expect(req.output).toEqual({ kind: 'csv', quoteFields: 'ASNEEDED', quoteEscapeCharacter: '"', recordDelimiter: '\n', fieldDelimiter: ',', quoteCharacter: '"' });
  });

  it('reads enumerations and booleans case-insensitively', () => {
    const req = parseSelectRequest(
      body({
        type: '<ExpressionType>sql</ExpressionType>',
        input: '<CompressionType>bzip2</CompressionType><CSV><FileHeaderInfo>ignore</FileHeaderInfo><AllowQuotedRecordDelimiter>TRUE</AllowQuotedRecordDelimiter></CSV>',
        output: '<CSV><QuoteFields>always</QuoteFields></CSV>',
        extra: '<RequestProgress><Enabled>True</Enabled></RequestProgress>',
      }),
    );
    expect(req.input.compression).toBe('BZIP2');
    expect(req.input.format).toMatchObject({ fileHeaderInfo: 'IGNORE', allowQuotedRecordDelimiter: true });
    expect(req.output).toMatchObject({ quoteFields: 'ALWAYS' });
    expect(req.requestProgress).toBe(true);
  });

  it('treats an empty QuoteCharacter as "no quoting" and empty Comments as none', () => {
    const req = parseSelectRequest(body({ input: '<CSV><QuoteCharacter></QuoteCharacter><Comments/></CSV>', output: '<CSV><QuoteCharacter/></CSV>' }));
    expect(req.input.format).toMatchObject({ quoteCharacter: '' });
    expect(req.input.format).not.toHaveProperty('comments');
    expect(req.output).toMatchObject({ quoteCharacter: '' });
  });

  it('parses JSON input types, ZSTD and the extension formats', () => {
    expect(parseSelectRequest(body({ input: '<JSON><Type>DOCUMENT</Type></JSON><CompressionType>ZSTD</CompressionType>' })).input)
      .toEqual({ compression: 'ZSTD', format: { kind: 'json', type: 'DOCUMENT' } });
    expect(parseSelectRequest(body({ input: '<JSON><Type>lines</Type></JSON>' })).input.format).toEqual({ kind: 'json', type: 'LINES' });
    expect(parseSelectRequest(body({ input: '<Avro/>' })).input.format).toEqual({ kind: 'avro' });
    expect(parseSelectRequest(body({ input: '<ORC></ORC>' })).input.format).toEqual({ kind: 'orc' });
    expect(parseSelectRequest(body({ input: '<MessagePack/><CompressionType>GZIP</CompressionType>' })).input)
      .toEqual({ compression: 'GZIP', format: { kind: 'msgpack' } });
    const proto = '<Protobuf><SchemaKey>schemas/x.proto</SchemaKey><MessageType>pkg.Msg</MessageType></Protobuf>';
    expect(parseSelectRequest(body({ input: proto })).input.format).toEqual({ kind: 'protobuf', messageType: 'pkg.Msg', schemaKey: 'schemas/x.proto' });
    expect(parseSelectRequest(body({ input: '<Protobuf/>' })).input.format).toEqual({ kind: 'protobuf' });
  });

  it('accepts the SelectRequest root, namespace prefixes and a byte-order mark', () => {
    const legacy = body().replace(/SelectObjectContentRequest/g, 'SelectRequest');
    expect(parseSelectRequest(legacy).expression).toBe('SELECT * FROM S3Object');
    const prefixed = `\uFEFF<s3:SelectObjectContentRequest xmlns:s3="${NS}"><s3:Expression>SELECT 1</s3:Expression>` +
      '<s3:ExpressionType>SQL</s3:ExpressionType><s3:InputSerialization><s3:JSON><s3:Type>LINES</s3:Type></s3:JSON></s3:InputSerialization>' +
      '<s3:OutputSerialization><s3:JSON/></s3:OutputSerialization></s3:SelectObjectContentRequest>';
    expect(parseSelectRequest(prefixed).input.format).toEqual({ kind: 'json', type: 'LINES' });
  });

  it('reads open-ended scan ranges', () => {
    const lines = '<JSON><Type>LINES</Type></JSON>';
    expect(parseSelectRequest(body({ input: lines, extra: '<ScanRange><Start>10</Start></ScanRange>' })).scanRange).toEqual({ start: 10 });
    expect(parseSelectRequest(body({ input: lines, extra: '<ScanRange><End>5</End></ScanRange>' })).scanRange).toEqual({ end: 5 });
    expect(parseSelectRequest(body({ input: '<Parquet/>', extra: '<ScanRange/>' })).scanRange).toBeUndefined();
  });

  it('accepts an expression of exactly the size limit', () => {
    const expr = 'SELECT * FROM S3Object WHERE _1 = ' + `'${'x'.repeat(MAX_EXPRESSION_BYTES - 36)}'`;
    expect(Buffer.byteLength(expr)).toBe(MAX_EXPRESSION_BYTES);
    expect(parseSelectRequest(body({ expr })).expression).toBe(expr);
  });
});

describe('parseSelectRequest: errors', () => {
  const longExpr = `SELECT * FROM S3Object WHERE _1 = '${'é'.repeat(MAX_EXPRESSION_BYTES / 2)}'`;
  const table: Array<[string, string | Uint8Array, S3ErrorCode]> = [
    ['empty body', '', 'EmptyRequestBody'],
    ['whitespace body', ' \r\n', 'EmptyRequestBody'],
    ['not XML', 'SELECT * FROM S3Object', 'MalformedXML'],
    ['unclosed element', body().slice(0, -10), 'MalformedXML'],
    ['wrong root', '<Delete><Object/></Delete>', 'MalformedXML'],
    ['two roots', body() + '<Other/>', 'MalformedXML'],
    ['DTD', `<!DOCTYPE x [<!ENTITY a "b">]>${body()}`, 'MalformedXML'],
    ['invalid UTF-8', Buffer.concat([Buffer.from(body().slice(0, 50)), Buffer.from([0xff, 0xfe]), Buffer.from(body().slice(50))]), 'MalformedXML'],
    ['unknown element', body({ extra: '<Foo>1</Foo>' }), 'MalformedXML'],
    ['duplicate Expression', body({ extra: '<Expression>SELECT 2</Expression>' }), 'MalformedXML'],
    ['element inside Expression', body({ expr: '<b>SELECT</b>' }), 'MalformedXML'],
    ['text inside a container', body({ input: 'oops<CSV/>' }), 'MalformedXML'],
    ['unknown CSV option', body({ input: '<CSV><Delimiter>;</Delimiter></CSV>' }), 'MalformedXML'],
    ['missing Expression', body().replace(/<Expression>.*<\/Expression>/, ''), 'MissingRequiredParameter'],
    ['blank Expression', body({ expr: '  ' }), 'MissingRequiredParameter'],
    ['missing ExpressionType', body({ type: '' }), 'MissingRequiredParameter'],
    ['missing InputSerialization', body().replace(/<InputSerialization>.*<\/InputSerialization>/, ''), 'MissingRequiredParameter'],
    ['missing OutputSerialization', body().replace(/<OutputSerialization>.*<\/OutputSerialization>/, ''), 'MissingRequiredParameter'],
    ['no output format', body({ output: '' }), 'MissingRequiredParameter'],
    ['JSON input without Type', body({ input: '<JSON/>' }), 'MissingRequiredParameter'],
    ['ExpressionType not SQL', body({ type: '<ExpressionType>XPATH</ExpressionType>' }), 'InvalidExpressionType'],
    ['expression too long', body({ expr: longExpr }), 'ExpressionTooLong'],
    ['two input formats', body({ input: '<CSV/><JSON><Type>LINES</Type></JSON>' }), 'ObjectSerializationConflict'],
    ['input format twice', body({ input: '<CSV/><CSV/>' }), 'ObjectSerializationConflict'],
    ['two output formats', body({ output: '<CSV/><JSON/>' }), 'ObjectSerializationConflict'],
    ['no input format', body({ input: '<CompressionType>NONE</CompressionType>' }), 'InvalidDataSource'],
    ['unknown input format', body({ input: '<XML/>' }), 'InvalidDataSource'],
    ['unknown output format', body({ output: '<Parquet/>' }), 'InvalidRequestParameter'],
    ['bad FileHeaderInfo', body({ input: '<CSV><FileHeaderInfo>MAYBE</FileHeaderInfo></CSV>' }), 'InvalidFileHeaderInfo'],
    ['bad JSON Type', body({ input: '<JSON><Type>ARRAY</Type></JSON>' }), 'InvalidJsonType'],
    ['bad QuoteFields', body({ output: '<CSV><QuoteFields>NEVER</QuoteFields></CSV>' }), 'InvalidQuoteFields'],
    ['bad CompressionType', body({ input: '<CSV/><CompressionType>LZMA</CompressionType>' }), 'InvalidCompressionFormat'],
    ['compressed Parquet', body({ input: '<Parquet/><CompressionType>GZIP</CompressionType>' }), 'InvalidRequestParameter'],
    ['compressed ORC', body({ input: '<ORC/><CompressionType>ZSTD</CompressionType>' }), 'InvalidRequestParameter'],
    ['bad RequestProgress', body({ extra: '<RequestProgress><Enabled>yes</Enabled></RequestProgress>' }), 'InvalidRequestParameter'],
    ['bad AllowQuotedRecordDelimiter', body({ input: '<CSV><AllowQuotedRecordDelimiter>1</AllowQuotedRecordDelimiter></CSV>' }), 'InvalidRequestParameter'],
    ['two-character Comments', body({ input: '<CSV><Comments>//</Comments></CSV>' }), 'InvalidRequestParameter'],
    ['two-character QuoteCharacter', body({ input: '<CSV><QuoteCharacter>""</QuoteCharacter></CSV>' }), 'InvalidRequestParameter'],
    ['two-character QuoteEscapeCharacter', body({ output: '<CSV><QuoteEscapeCharacter>\\\\</QuoteEscapeCharacter></CSV>' }), 'InvalidRequestParameter'],
    ['empty FieldDelimiter', body({ input: '<CSV><FieldDelimiter></FieldDelimiter></CSV>' }), 'InvalidRequestParameter'],
    ['empty RecordDelimiter', body({ output: '<CSV><RecordDelimiter/></CSV>' }), 'InvalidRequestParameter'],
    ['empty JSON RecordDelimiter', body({ output: '<JSON><RecordDelimiter/></JSON>' }), 'InvalidRequestParameter'],
    ['equal delimiters', body({ input: '<CSV><FieldDelimiter>\n</FieldDelimiter></CSV>' }), 'InvalidRequestParameter'],
    ['non-numeric ScanRange', body({ extra: '<ScanRange><Start>abc</Start></ScanRange>' }), 'InvalidScanRange'],
    ['negative ScanRange', body({ extra: '<ScanRange><Start>-1</Start></ScanRange>' }), 'InvalidScanRange'],
    ['fractional ScanRange', body({ extra: '<ScanRange><End>1.5</End></ScanRange>' }), 'InvalidScanRange'],
    ['ScanRange start after end', body({ extra: '<ScanRange><Start>10</Start><End>9</End></ScanRange>' }), 'InvalidScanRange'],
    ['ScanRange on compressed CSV', body({ input: '<CSV/><CompressionType>GZIP</CompressionType>', extra: '<ScanRange><Start>1</Start></ScanRange>' }), 'UnsupportedScanRangeInput'],
    ['ScanRange on JSON DOCUMENT', body({ input: '<JSON><Type>DOCUMENT</Type></JSON>', extra: '<ScanRange><Start>1</Start></ScanRange>' }), 'UnsupportedScanRangeInput'],
    ['ScanRange with quoted delimiters', body({ input: '<CSV><AllowQuotedRecordDelimiter>TRUE</AllowQuotedRecordDelimiter></CSV>', extra: '<ScanRange><End>1</End></ScanRange>' }), 'UnsupportedScanRangeInput'],
  ];

  const cases = table.map(([name, xml, code]) => ({ name, xml, code }));

  it.each(cases)('$name → $code', ({ xml, code }) => {
    const err = errorOf(xml);
    expect(err.code).toBe(code);
    expect(err.status).toBe(400);
  });
});
