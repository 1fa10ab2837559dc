// Errors raised while reading a SQL expression: an S3 error code plus where it went wrong.
import { S3Error, type S3ErrorCode } from '../../errors.js';
import type { Pos } from './ast.js';

/** Builds an S3Error whose message ends with the 1-based line and column of `pos`. */
export function sqlError(code: S3ErrorCode, what: string, pos: Pos): S3Error {
  return new S3Error(code, `${what} at line ${pos.line}, column ${pos.col}`);
}
