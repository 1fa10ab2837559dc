// Turns DuckDB errors into S3 errors. DuckDB reports failures as plain Errors whose message starts with
// "<Kind> Error: ...". Our SQL macros raise `error('<S3Code>: message')`, which DuckDB wraps as
// "Invalid Input Error: <S3Code>: message"; that prefix is recognised first so the macros decide the code.
import { S3Error, isS3ErrorCode, type S3ErrorCode } from '../errors.js';

// Not anchored: some messages carry a prefix ("Failed to extract statements: Parser Error: …").
const kindPattern = /([A-Za-z][A-Za-z ]*?) Error: ([\s\S]*)$/;
const s3CodePattern = /^([A-Z][A-Za-z0-9]+): ([\s\S]*)$/;

/** The DuckDB error kind ("Conversion", "Invalid Input", "INTERRUPT", …) and the text after it. */
export function splitDuckDbMessage(message: string): { kind: string; text: string } {
  const m = kindPattern.exec(message);
  return m ? { kind: m[1]!, text: m[2]! } : { kind: '', text: message };
}

/** True for the error a query rejects with after `connection.interrupt()`. */
export function isInterruptError(err: unknown): boolean {
  return err instanceof Error && /^\s*INTERRUPT Error/i.test(err.message);
}

/** First line only, without DuckDB's "LINE 1: …" context, with absolute paths hidden from clients. */
function clientDetail(text: string): string {
  const firstLine = text.split('\n', 1)[0]!.trim();
  return firstLine.replace(/(['"]?)\/[^\s'"]+\1/g, '<object>');
}

function withDetail(code: S3ErrorCode, text: string): S3Error {
  const detail = clientDetail(text);
  const base = new S3Error(code).message;
  return new S3Error(code, detail ? `${base} ${detail}` : base);
}

/** Maps any error thrown by a DuckDB query to an S3Error (an S3Error passes through unchanged). */
export function mapDuckDbError(err: unknown): S3Error {
  if (err instanceof S3Error) return err;
  const message = err instanceof Error ? err.message : String(err);
  const { kind, text } = splitDuckDbMessage(message);

  // The macros' convention wins over DuckDB's own classification.
  const own = s3CodePattern.exec(text);
  if (own && isS3ErrorCode(own[1]!)) return new S3Error(own[1], clientDetail(own[2]!) || undefined);

  const k = kind.toLowerCase();
  if (/maximum (line|object) size|maximum_object_size|exceeds the maximum/i.test(text)) return withDetail('OverMaxRecordSize', text);
  // DuckDB's parallel CSV scanner refuses quoted newlines with null padding: that is exactly a quoted record
  // delimiter, which S3 Select refuses unless AllowQuotedRecordDelimiter is TRUE.
  if (/quoted new ?lines/i.test(text)) {
    return new S3Error('CSVEscapingRecordDelimiter', 'The CSV object has a record delimiter inside a quoted field; set AllowQuotedRecordDelimiter to TRUE to read it.');
  }
  if (/CSV Error|sniff/i.test(text)) return withDetail('CSVParsingError', text);
  if (/\bjson\b/i.test(text) && (k === 'invalid input' || k === 'conversion')) return withDetail('JSONParsingError', text);
  if (/parquet|magic bytes|thrift/i.test(text)) return withDetail('ParquetParsingError', text);
  if (/gzip|zstd|decompress|compression/i.test(text) && (k === 'io' || k === 'invalid input')) return withDetail('TruncatedInput', text);
  switch (k) {
    case 'conversion':
      return withDetail('CastFailed', text);
    case 'out of range':
      return withDetail('IntegerOverflow', text);
    case 'permission':
      return new S3Error('AccessDenied');
    case 'binder':
      return /not found|does not have a column|referenced column/i.test(text)
        ? withDetail('EvaluatorBindingDoesNotExist', text)
        : withDetail('UnsupportedSqlOperation', text);
    case 'catalog':
      return /function/i.test(text) ? withDetail('UnsupportedFunction', text) : withDetail('EvaluatorBindingDoesNotExist', text);
    case 'parser':
      return withDetail('UnsupportedSyntax', text);
    case 'not implemented':
      return withDetail('UnsupportedSqlOperation', text);
    default:
      // Out of Memory, IO, Internal, Fatal, Interrupt (callers that interrupt handle it before mapping) …
      return Object.assign(new S3Error('InternalError'), { cause: err });
  }
}

/** A query stopped because it ran past its time limit (an InternalError to clients; `timeout` lets callers tell). */
export class QueryTimeoutError extends S3Error {
  readonly timeout = true;

  constructor(ms: number) {
    super('InternalError', `The query did not finish within ${ms} ms.`);
    this.name = 'QueryTimeoutError';
  }
}
