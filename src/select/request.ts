// SelectObjectContentRequest body → typed, validated SelectRequest.
// Element order never matters. Enumerated values and booleans are matched case-insensitively (botocore
// sends `true`/`false`); an empty element counts as absent except where stated below.
import { s3Error, type S3ErrorCode } from '../errors.js';
import { parseRequestXml, type XmlElement } from './request-xml.js';

export type CompressionType = 'NONE' | 'GZIP' | 'BZIP2' | 'ZSTD';

export interface CsvInput {
  kind: 'csv';
  fileHeaderInfo: 'USE' | 'IGNORE' | 'NONE';
  /**
   * Rows starting with this character are skipped. Absent (or empty) Comments means no comment
   * character: the API reference names `#` as default, but silently dropping data rows that start
   * with `#` is worse than keeping a comment line the client did not declare.
   */
  comments?: string;
  quoteEscapeCharacter: string;
  recordDelimiter: string;
  fieldDelimiter: string;
  /** Empty string: quoting disabled. */
  quoteCharacter: string;
  allowQuotedRecordDelimiter: boolean;
}
export interface JsonInput { kind: 'json'; type: 'DOCUMENT' | 'LINES' }
export interface ParquetInput { kind: 'parquet' }
/** Our extensions; `<Protobuf>` names the message type and the object key of its .proto schema. */
export interface BinaryInput { kind: 'avro' | 'orc' | 'msgpack' }
export interface ProtobufInput { kind: 'protobuf'; messageType?: string; schemaKey?: string }
export type InputFormat = CsvInput | JsonInput | ParquetInput | BinaryInput | ProtobufInput;

export interface CsvOutput {
  kind: 'csv';
  quoteFields: 'ALWAYS' | 'ASNEEDED';
  quoteEscapeCharacter: string;
  recordDelimiter: string;
  fieldDelimiter: string;
  quoteCharacter: string;
}
export interface JsonOutput { kind: 'json'; recordDelimiter: string }
export type OutputFormat = CsvOutput | JsonOutput;

export interface SelectRequest {
  expression: string;
  requestProgress: boolean;
  input: { compression: CompressionType; format: InputFormat };
  output: OutputFormat;
  /** Inclusive byte offsets; at least one is set when present. Semantics are applied by the reader. */
  scanRange?: { start?: number; end?: number };
}

/** AWS limit on the SQL expression, in UTF-8 bytes. */
export const MAX_EXPRESSION_BYTES = 256 * 1024;

// SDKs send SelectObjectContentRequest; older AWS documentation showed SelectRequest.
const ROOTS = ['SelectObjectContentRequest', 'SelectRequest'];
const INPUT_FORMATS = ['CSV', 'JSON', 'Parquet', 'Avro', 'ORC', 'MessagePack', 'Protobuf'];
const OUTPUT_FORMATS = ['CSV', 'JSON'];

// ---- element access ----

function only(el: XmlElement, allowed: readonly string[], code: S3ErrorCode = 'MalformedXML'): void {
  for (const c of el.children) {
    if (!allowed.includes(c.name)) throw s3Error(code, `Unexpected element ${c.name} in ${el.name}.`);
  }
}

function child(el: XmlElement, name: string): XmlElement | undefined {
  const found = el.children.filter((c) => c.name === name);
  if (found.length > 1) throw s3Error('MalformedXML', `Element ${name} appears more than once in ${el.name}.`);
  return found[0];
}

/** Text of a child that must not contain elements; undefined when absent. */
function leaf(el: XmlElement, name: string): string | undefined {
  const c = child(el, name);
  if (!c) return undefined;
  if (c.children.length > 0) throw s3Error('MalformedXML', `Element ${name} must contain text only.`);
  return c.text;
}

/** Like leaf, but an empty element counts as absent. */
function value(el: XmlElement, name: string): string | undefined {
  const v = leaf(el, name);
  return v === '' ? undefined : v;
}

/** A child that holds elements only (whitespace between them is allowed). */
function container(el: XmlElement, name: string): XmlElement | undefined {
  const c = child(el, name);
  if (c && c.text.trim() !== '') throw s3Error('MalformedXML', `Element ${name} must not contain text.`);
  return c;
}

function oneOf<T extends string>(raw: string, allowed: readonly T[], code: S3ErrorCode, what: string): T {
  const upper = raw.trim().toUpperCase();
  const hit = allowed.find((a) => a === upper);
  if (!hit) throw s3Error(code, `Invalid ${what}: ${raw}. Allowed: ${allowed.join(', ')}.`);
  return hit;
}

function bool(raw: string | undefined, what: string): boolean {
  if (raw === undefined) return false;
  return oneOf(raw, ['TRUE', 'FALSE'], 'InvalidRequestParameter', what) === 'TRUE';
}

/** A single character (one code point), or the fallback when absent/empty. */
function char(el: XmlElement, name: string, fallback: string): string {
  const v = value(el, name);
  if (v === undefined) return fallback;
  if ([...v].length !== 1) throw s3Error('InvalidRequestParameter', `${name} must be a single character.`);
  return v;
}

/** A delimiter: any non-empty string, kept byte for byte. */
function delimiter(el: XmlElement, name: string, fallback: string): string {
  const v = leaf(el, name);
  if (v === undefined) return fallback;
  if (v === '') throw s3Error('InvalidRequestParameter', `${name} must not be empty.`);
  return v;
}

function distinctDelimiters(record: string, field: string, where: string): void {
  if (record === field) throw s3Error('InvalidRequestParameter', `${where} RecordDelimiter and FieldDelimiter must differ.`);
}

// ---- sections ----

function csvInput(el: XmlElement): CsvInput {
  only(el, ['FileHeaderInfo', 'Comments', 'QuoteEscapeCharacter', 'RecordDelimiter', 'FieldDelimiter', 'QuoteCharacter', 'AllowQuotedRecordDelimiter']);
  const header = value(el, 'FileHeaderInfo');
  const comments = char(el, 'Comments', '');
  const quote = leaf(el, 'QuoteCharacter');
  const fmt: CsvInput = {
    kind: 'csv',
    fileHeaderInfo: header === undefined ? 'NONE' : oneOf(header, ['USE', 'IGNORE', 'NONE'] as const, 'InvalidFileHeaderInfo', 'FileHeaderInfo'),
    quoteEscapeCharacter: char(el, 'QuoteEscapeCharacter', '"'),
    recordDelimiter: delimiter(el, 'RecordDelimiter', '\n'),
    fieldDelimiter: delimiter(el, 'FieldDelimiter', ','),
    // Unlike the other characters, an explicitly empty QuoteCharacter switches quoting off.
    quoteCharacter: quote === '' ? '' : char(el, 'QuoteCharacter', '"'),
    allowQuotedRecordDelimiter: bool(value(el, 'AllowQuotedRecordDelimiter'), 'AllowQuotedRecordDelimiter'),
  };
  if (comments !== '') fmt.comments = comments;
  distinctDelimiters(fmt.recordDelimiter, fmt.fieldDelimiter, 'InputSerialization CSV');
  return fmt;
}

function jsonInput(el: XmlElement): JsonInput {
  only(el, ['Type']);
  const type = value(el, 'Type');
  if (type === undefined) throw s3Error('MissingRequiredParameter', 'InputSerialization JSON requires Type (DOCUMENT or LINES).');
  return { kind: 'json', type: oneOf(type, ['DOCUMENT', 'LINES'] as const, 'InvalidJsonType', 'JSON Type') };
}

function protobufInput(el: XmlElement): ProtobufInput {
  only(el, ['MessageType', 'SchemaKey']);
  const fmt: ProtobufInput = { kind: 'protobuf' };
  const messageType = value(el, 'MessageType')?.trim();
  const schemaKey = value(el, 'SchemaKey');
  if (messageType) fmt.messageType = messageType;
  if (schemaKey !== undefined) fmt.schemaKey = schemaKey;
  return fmt;
}

function emptyFormat(el: XmlElement): void {
  only(el, []);
}

function inputFormat(el: XmlElement): InputFormat {
  switch (el.name) {
    case 'CSV': return csvInput(el);
    case 'JSON': return jsonInput(el);
    case 'Parquet': emptyFormat(el); return { kind: 'parquet' };
    case 'Avro': emptyFormat(el); return { kind: 'avro' };
    case 'ORC': emptyFormat(el); return { kind: 'orc' };
    case 'MessagePack': emptyFormat(el); return { kind: 'msgpack' };
    default: return protobufInput(el);
  }
}

function inputSerialization(el: XmlElement): SelectRequest['input'] {
  // An unknown element here is most likely an unsupported format.
  only(el, [...INPUT_FORMATS, 'CompressionType'], 'InvalidDataSource');
  const formats = el.children.filter((c) => INPUT_FORMATS.includes(c.name));
  if (formats.length > 1) throw s3Error('ObjectSerializationConflict', 'InputSerialization must specify exactly one format.');
  if (formats.length === 0) throw s3Error('InvalidDataSource', 'InputSerialization must specify one of CSV, JSON or Parquet.');
  const formatEl = container(el, formats[0]!.name)!;
  const format = inputFormat(formatEl);
  const raw = value(el, 'CompressionType');
  const compression = raw === undefined ? 'NONE' : oneOf(raw, ['NONE', 'GZIP', 'BZIP2', 'ZSTD'] as const, 'InvalidCompressionFormat', 'CompressionType');
  // Parquet and ORC carry their own codecs and are read by offset, so whole-object compression cannot apply.
  if (compression !== 'NONE' && (format.kind === 'parquet' || format.kind === 'orc')) {
    throw s3Error('InvalidRequestParameter', `CompressionType must be NONE for ${formatEl.name} input.`);
  }
  return { compression, format };
}

function outputSerialization(el: XmlElement): OutputFormat {
  only(el, OUTPUT_FORMATS, 'InvalidRequestParameter');
  if (el.children.length > 1) throw s3Error('ObjectSerializationConflict', 'OutputSerialization must specify exactly one format.');
  if (el.children.length === 0) throw s3Error('MissingRequiredParameter', 'OutputSerialization must specify CSV or JSON.');
  const f = container(el, el.children[0]!.name)!;
  if (f.name === 'JSON') {
    only(f, ['RecordDelimiter']);
    return { kind: 'json', recordDelimiter: delimiter(f, 'RecordDelimiter', '\n') };
  }
  only(f, ['QuoteFields', 'QuoteEscapeCharacter', 'RecordDelimiter', 'FieldDelimiter', 'QuoteCharacter']);
  const quoteFields = value(f, 'QuoteFields');
  const quote = leaf(f, 'QuoteCharacter');
  const out: CsvOutput = {
    kind: 'csv',
    quoteFields: quoteFields === undefined ? 'ASNEEDED' : oneOf(quoteFields, ['ALWAYS', 'ASNEEDED'] as const, 'InvalidQuoteFields', 'QuoteFields'),
    quoteEscapeCharacter: char(f, 'QuoteEscapeCharacter', '"'),
    recordDelimiter: delimiter(f, 'RecordDelimiter', '\n'),
    fieldDelimiter: delimiter(f, 'FieldDelimiter', ','),
    quoteCharacter: quote === '' ? '' : char(f, 'QuoteCharacter', '"'),
  };
  distinctDelimiters(out.recordDelimiter, out.fieldDelimiter, 'OutputSerialization CSV');
  return out;
}

function offset(raw: string | undefined, name: string): number | undefined {
  if (raw === undefined) return undefined;
  const t = raw.trim();
  const n = Number(t);
  if (!/^\d+$/.test(t) || !Number.isSafeInteger(n)) throw s3Error('InvalidScanRange', `ScanRange ${name} must be a non-negative integer.`);
  return n;
}

function scanRange(el: XmlElement): SelectRequest['scanRange'] {
  only(el, ['Start', 'End']);
  const start = offset(value(el, 'Start'), 'Start');
  const end = offset(value(el, 'End'), 'End');
  if (start !== undefined && end !== undefined && start > end) throw s3Error('InvalidScanRange', 'ScanRange Start must not exceed End.');
  if (start === undefined && end === undefined) return undefined;
  const range: { start?: number; end?: number } = {};
  if (start !== undefined) range.start = start;
  if (end !== undefined) range.end = end;
  return range;
}

/** Scan ranges need records that can be found from any offset: AWS allows them for these inputs only. */
function checkScanRangeInput(input: SelectRequest['input']): void {
  const f = input.format;
  const ok =
    f.kind === 'parquet' ||
    (input.compression === 'NONE' && ((f.kind === 'csv' && !f.allowQuotedRecordDelimiter) || (f.kind === 'json' && f.type === 'LINES')));
  if (!ok) {
    throw s3Error('UnsupportedScanRangeInput', 'ScanRange requires Parquet, uncompressed CSV without quoted record delimiters, or uncompressed JSON LINES input.');
  }
}

export function parseSelectRequest(body: string | Uint8Array): SelectRequest {
  const root = parseRequestXml(body);
  if (!ROOTS.includes(root.name)) throw s3Error('MalformedXML', `Unexpected root element ${root.name}.`);
  if (root.text.trim() !== '') throw s3Error('MalformedXML', `Element ${root.name} must not contain text.`);
  only(root, ['Expression', 'ExpressionType', 'RequestProgress', 'InputSerialization', 'OutputSerialization', 'ScanRange']);

  const expression = leaf(root, 'Expression');
  if (expression === undefined || expression.trim() === '') throw s3Error('MissingRequiredParameter', 'Expression is required.');
  if (Buffer.byteLength(expression, 'utf8') > MAX_EXPRESSION_BYTES) throw s3Error('ExpressionTooLong');
  const expressionType = value(root, 'ExpressionType');
  if (expressionType === undefined) throw s3Error('MissingRequiredParameter', 'ExpressionType is required.');
  oneOf(expressionType, ['SQL'], 'InvalidExpressionType', 'ExpressionType');

  const inputEl = container(root, 'InputSerialization');
  if (!inputEl) throw s3Error('MissingRequiredParameter', 'InputSerialization is required.');
  const outputEl = container(root, 'OutputSerialization');
  if (!outputEl) throw s3Error('MissingRequiredParameter', 'OutputSerialization is required.');
  const input = inputSerialization(inputEl);
  const output = outputSerialization(outputEl);

  const progressEl = container(root, 'RequestProgress');
  if (progressEl) only(progressEl, ['Enabled']);
  const requestProgress = progressEl ? bool(value(progressEl, 'Enabled'), 'RequestProgress Enabled') : false;

  const req: SelectRequest = { expression, requestProgress, input, output };
  const rangeEl = container(root, 'ScanRange');
  const range = rangeEl && scanRange(rangeEl);
  if (range) {
    checkScanRangeInput(input);
    req.scanRange = range;
  }
  return req;
}
