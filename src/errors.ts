// The one registry of S3 error codes: every error the gateway returns is named here,
// with its HTTP status and a default message. Code elsewhere throws `s3Error(code, message?)`.

const registry = {
  // Gateway / object API
  AccessDenied: [403, 'Access Denied'],
  AuthorizationHeaderMalformed: [400, 'The authorization header is malformed.'],
  AuthorizationQueryParametersError: [400, 'Error parsing the X-Amz-Credential parameter.'],
  BadDigest: [400, 'The Content-MD5 or checksum you specified did not match what we received.'],
  BucketAlreadyExists: [409, 'The requested bucket name is not available.'],
  BucketAlreadyOwnedByYou: [409, 'Your previous request to create the named bucket succeeded and you already own it.'],
  BucketNotEmpty: [409, 'The bucket you tried to delete is not empty.'],
  EntityTooLarge: [400, 'Your proposed upload exceeds the maximum allowed size.'],
  EntityTooSmall: [400, 'Your proposed upload is smaller than the minimum allowed object size.'],
  ExpiredToken: [400, 'The provided token has expired.'],
  IncompleteBody: [400, 'You did not provide the number of bytes specified by the Content-Length HTTP header.'],
  InternalError: [500, 'We encountered an internal error. Please try again.'],
  InvalidAccessKeyId: [403, 'The AWS Access Key Id you provided does not exist in our records.'],
  InvalidArgument: [400, 'Invalid Argument'],
  InvalidBucketName: [400, 'The specified bucket is not valid.'],
  InvalidDigest: [400, 'The Content-MD5 or checksum you specified is not valid.'],
  InvalidLocationConstraint: [400, 'The specified location-constraint is not valid.'],
  InvalidObjectName: [400, 'The specified object name is not valid.'],
  InvalidPart: [400, 'One or more of the specified parts could not be found.'],
  InvalidPartOrder: [400, 'The list of parts was not in ascending order.'],
  InvalidRange: [416, 'The requested range is not satisfiable'],
  InvalidRequest: [400, 'Invalid Request'],
  InvalidURI: [400, "Couldn't parse the specified URI."],
  KeyTooLongError: [400, 'Your key is too long.'],
  MalformedTrailerError: [400, 'The request contained trailing data that was not well-formed or did not conform to our published schema.'],
  MalformedXML: [400, 'The XML you provided was not well-formed or did not validate against our published schema.'],
  MetadataTooLarge: [400, 'Your metadata headers exceed the maximum allowed metadata size.'],
  MethodNotAllowed: [405, 'The specified method is not allowed against this resource.'],
  MissingContentLength: [411, 'You must provide the Content-Length HTTP header.'],
  MissingSecurityHeader: [400, 'Your request is missing a required header.'],
  NoSuchBucket: [404, 'The specified bucket does not exist.'],
  NoSuchKey: [404, 'The specified key does not exist.'],
  NoSuchVersion: [404, 'The specified version does not exist.'],
  NoSuchUpload: [404, 'The specified multipart upload does not exist.'],
  NotImplemented: [501, 'A header you provided implies functionality that is not implemented.'],
  NotModified: [304, 'Not Modified'],
  PreconditionFailed: [412, 'At least one of the preconditions you specified did not hold.'],
  RequestTimeTooSkewed: [403, "The difference between the request time and the server's time is too large."],
  SignatureDoesNotMatch: [403, 'The request signature we calculated does not match the signature you provided. Check your key and signing method.'],
  SlowDown: [503, 'Please reduce your request rate.'],
  XAmzContentSHA256Mismatch: [400, "The provided 'x-amz-content-sha256' header does not match what was computed."],

  // SelectObjectContent (spec §4): all 400 unless stated.
  AmbiguousFieldName: [400, 'Field name matches to multiple fields in the file.'],
  AvroParsingError: [400, 'An error occurred while parsing the Avro file.'],
  Busy: [503, 'The service is unavailable. Please retry.'],
  CSVEscapingRecordDelimiter: [400, 'The CSV file contains escaped record delimiters; set AllowQuotedRecordDelimiter to TRUE.'],
  CSVParsingError: [400, 'Encountered an error parsing the CSV file.'],
  CSVUnescapedQuote: [400, 'The CSV file contains an unescaped quote.'],
  CastFailed: [400, 'Attempt to convert from one data type to another using CAST failed in the SQL expression.'],
  ColumnTooLong: [400, 'The length of a column in the result is greater than maxCharsPerColumn of 1 MB.'],
  EmptyRequestBody: [400, 'Request body cannot be empty.'],
  EvaluatorBindingDoesNotExist: [400, 'A column name or a path provided does not exist in the SQL expression.'],
  EvaluatorInvalidArguments: [400, 'Incorrect number of arguments in the function call in the SQL expression.'],
  EvaluatorInvalidTimestampFormatPattern: [400, 'Invalid time stamp format string in the SQL expression.'],
  EvaluatorInvalidTimestampFormatPatternSymbol: [400, 'Invalid time stamp format pattern symbol in the SQL expression.'],
  EvaluatorInvalidTimestampFormatPatternSymbolForParsing: [400, 'Time stamp format pattern contains a symbol that cannot be used for parsing.'],
  EvaluatorInvalidTimestampFormatPatternToken: [400, 'Time stamp format pattern contains an invalid token.'],
  EvaluatorLikePatternInvalidEscapeSequence: [400, 'An argument given to the LIKE expression was not valid.'],
  EvaluatorNegativeLimit: [400, 'The LIMIT clause value must not be negative.'],
  EvaluatorTimestampFormatPatternDuplicateFields: [400, 'Time stamp format pattern contains multiple format specifiers representing the time stamp field.'],
  EvaluatorTimestampFormatPatternHourClockAmPmMismatch: [400, 'Time stamp format pattern contains a 12-hour hour-of-day symbol with no AM/PM field, or a 24-hour one with an AM/PM field.'],
  EvaluatorUnterminatedTimestampFormatPatternToken: [400, 'Time stamp format pattern contains an unterminated token.'],
  ExpressionTooLong: [400, 'The SQL expression is too long: the maximum byte-length is 256 KB.'],
  ExternalEvalException: [400, 'The query cannot be evaluated.'],
  IllegalSqlFunctionArgument: [400, 'An illegal argument was used in the SQL function.'],
  IncorrectSqlFunctionArgumentType: [400, 'An incorrect argument type was specified in a function call.'],
  IntegerOverflow: [400, 'Integer overflow or underflow in the SQL expression.'],
  InvalidCast: [400, 'Attempt to convert from one data type to another using CAST failed in the SQL expression.'],
  InvalidColumnIndex: [400, 'The column index is invalid: it must be a positive integer within the record.'],
  InvalidCompressionFormat: [400, 'The file is not in a supported compression format.'],
  InvalidDataSource: [400, 'Invalid data source type.'],
  InvalidDataType: [400, 'The SQL expression contains an invalid data type.'],
  InvalidExpressionType: [400, 'The ExpressionType value is not valid: only SQL expressions are supported.'],
  InvalidFileHeaderInfo: [400, 'The FileHeaderInfo value is invalid: only NONE, USE and IGNORE are supported.'],
  InvalidJsonType: [400, 'The JsonType value is invalid: only DOCUMENT and LINES are supported.'],
  InvalidKeyPath: [400, 'The key path in the SQL expression is invalid.'],
  InvalidQuoteFields: [400, 'The QuoteFields value is invalid: only ALWAYS and ASNEEDED are supported.'],
  InvalidRequestParameter: [400, 'The value of a parameter in the SelectRequest element is invalid.'],
  InvalidScanRange: [400, 'The provided scan range is invalid.'],
  InvalidTableAlias: [400, 'The SQL expression contains an invalid table alias.'],
  InvalidTextEncoding: [400, 'Invalid encoding type: only UTF-8 encoding is supported.'],
  JSONParsingError: [400, 'Encountered an error parsing the JSON file.'],
  LexerInvalidChar: [400, 'The SQL expression contains an invalid character.'],
  LexerInvalidIONLiteral: [400, 'The SQL expression contains an invalid operator.'],
  LexerInvalidLiteral: [400, 'The SQL expression contains an invalid literal.'],
  LexerInvalidOperator: [400, 'The SQL expression contains an invalid operator.'],
  LikeInvalidInputs: [400, 'Invalid argument given to the LIKE clause in the SQL expression.'],
  MaxOperatorsExceeded: [400, 'Failed to parse SQL expression, exceeded the maximum number of operators.'],
  MessagePackParsingError: [400, 'An error occurred while parsing the MessagePack data.'],
  MissingHeaderName: [400, 'A quoted header name does not exist in the file header.'],
  MissingRequiredParameter: [400, 'The SelectRequest entity is missing a required parameter.'],
  MultipleDataSourcesUnsupported: [400, 'Multiple data sources are not supported.'],
  NumberFormatError: [400, 'A number could not be parsed.'],
  ObjectSerializationConflict: [400, 'InputSerialization specifies more than one format (CSV, JSON, or Parquet), or OutputSerialization specifies more than one format (CSV or JSON).'],
  OrcParsingError: [400, 'An error occurred while parsing the ORC file.'],
  OverMaxColumn: [400, 'The number of columns in the result is greater than the maximum allowable number of columns.'],
  OverMaxParquetBlockSize: [400, 'The Parquet file is above the max row group size.'],
  OverMaxRecordSize: [400, 'The length of a record in the input or result is greater than maxCharsPerRecord of 1 MB.'],
  ParquetParsingError: [400, 'An error occurred while parsing the Parquet file.'],
  ParquetUnsupportedCompressionCodec: [400, 'The specified Parquet compression codec is not supported.'],
  ProtobufParsingError: [400, 'An error occurred while parsing the Protobuf data or its schema.'],
  TruncatedInput: [400, 'Object decompression failed: the input may be truncated or corrupted.'],
  UnauthorizedAccess: [401, 'You are not authorized to perform this operation.'],
  UnrecognizedFormatException: [400, 'We encountered a record that is not valid.'],
  UnsupportedFunction: [400, 'Encountered an unsupported SQL function.'],
  UnsupportedParquetType: [400, 'The specified Parquet type is not supported.'],
  UnsupportedRangeHeader: [400, 'Range header is not supported for this operation.'],
  UnsupportedScanRangeInput: [400, 'Scan range queries are not supported on this type of object.'],
  UnsupportedSqlOperation: [400, 'Encountered an unsupported SQL operation.'],
  UnsupportedSqlStructure: [400, 'Encountered an unsupported SQL structure.'],
  UnsupportedStorageClass: [400, 'Encountered an invalid storage class.'],
  UnsupportedSyntax: [400, 'Encountered invalid syntax.'],
  UnsupportedTypeForQuerying: [400, 'Encountered an unsupported type for querying.'],
  ValueParseFailure: [400, 'The time stamp could not be parsed.'],

  // SQL endpoint (/_sql).
  SqlNotAllowed: [400, 'The SQL statement uses something this endpoint does not allow.'],
  SqlResultTooLarge: [400, 'The query result exceeds the row or byte limit of this endpoint; narrow it (LIMIT, WHERE).'],
  SqlQueryTimeout: [504, 'The query did not finish within the time limit of this endpoint.'],
} as const satisfies Record<string, readonly [number, string]>;

/** Every Parse* code of the S3 Select grammar, all 400. Kept apart so the table above stays readable. */
const parseCodes = [
  'ParseAsteriskIsNotAloneInSelectList', 'ParseCannotMixSqbAndWildcardInSelectList', 'ParseCastArity',
  'ParseEmptySelect', 'ParseExpected2TokenTypes', 'ParseExpectedArgumentDelimiter', 'ParseExpectedDatePart',
  'ParseExpectedExpression', 'ParseExpectedIdentForAlias', 'ParseExpectedIdentForAt',
  'ParseExpectedIdentForGroupName', 'ParseExpectedKeyword', 'ParseExpectedLeftParenAfterCast',
  'ParseExpectedLeftParenBuiltinFunctionCall', 'ParseExpectedLeftParenValueConstructor', 'ParseExpectedMember',
  'ParseExpectedNumber', 'ParseExpectedRightParenBuiltinFunctionCall', 'ParseExpectedTokenType',
  'ParseExpectedTypeName', 'ParseExpectedWhenClause', 'ParseInvalidContextForWildcardInSelectList',
  'ParseInvalidPathComponent', 'ParseInvalidTypeParam', 'ParseMalformedJoin', 'ParseMissingIdentAfterAt',
  'ParseNonUnaryAgregateFunctionCall', 'ParseSelectMissingFrom', 'ParseUnExpectedKeyword',
  'ParseUnexpectedOperator', 'ParseUnexpectedTerm', 'ParseUnexpectedToken', 'ParseUnknownOperator',
  'ParseUnsupportedAlias', 'ParseUnsupportedCallWithStar', 'ParseUnsupportedCase', 'ParseUnsupportedCaseClause',
  'ParseUnsupportedLiteralsGroupBy', 'ParseUnsupportedSelect', 'ParseUnsupportedSyntax', 'ParseUnsupportedToken',
] as const;

export type ParseErrorCode = (typeof parseCodes)[number];
export type S3ErrorCode = keyof typeof registry | ParseErrorCode;

const parseSet: ReadonlySet<string> = new Set(parseCodes);

export function statusOf(code: S3ErrorCode): number {
  if (parseSet.has(code)) return 400;
  return registry[code as keyof typeof registry][0];
}

export function defaultMessage(code: S3ErrorCode): string {
  if (parseSet.has(code)) return 'The SQL expression could not be parsed.';
  return registry[code as keyof typeof registry][1];
}

export function isS3ErrorCode(code: string): code is S3ErrorCode {
  return parseSet.has(code) || Object.hasOwn(registry, code);
}

/** An error that the HTTP layer renders as S3 XML (before a response starts) or as an event-stream error. */
export class S3Error extends Error {
  readonly code: S3ErrorCode;
  readonly status: number;
  /** Extra elements for the XML body, e.g. { BucketName: 'x' }. */
  readonly details: Record<string, string>;
  /** Headers to send with the error response (e.g. x-amz-checksum, Retry-After). */
  readonly headers: Record<string, string>;

  constructor(code: S3ErrorCode, message?: string, details: Record<string, string> = {}, headers: Record<string, string> = {}) {
    super(message ?? defaultMessage(code));
    this.name = 'S3Error';
    this.code = code;
    this.status = statusOf(code);
    this.details = details;
    this.headers = headers;
  }
}

export function s3Error(code: S3ErrorCode, message?: string, details?: Record<string, string>): S3Error {
  return new S3Error(code, message, details);
}
