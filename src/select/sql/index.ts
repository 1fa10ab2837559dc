// Public entry points of the S3 Select SQL front end.
export type * from './ast.js';
export { childrenOf } from './ast.js';
export { parseSql } from './parser.js';
export { analyze } from './analyze.js';
export type { Analysis, FieldKey, OutputColumn, OutputShape, Referenced } from './analyze.js';
export type { InputDescription, InputFormat, ResolvedRef, TableBinding } from './resolve.js';
export { pathText } from './aggregates.js';
