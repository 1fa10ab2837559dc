// Name resolution: decides what each path in the query refers to, per input format.
//
// Table alias: a path whose first name matches the FROM alias (explicit, or the implicit one: S3Object
// for a plain FROM; for JSON `S3Object[*].a.b` the last path name `b`, or `_1` when the path ends in
// a wildcard or index) refers to the record; other first names are attributes of the record.
// - CSV: only `name`, `_N`, `alias.name` and `alias._N` exist. A qualified path whose qualifier is not
//   the alias is InvalidTableAlias (AWS answers `s._2` / `s."x"` without `FROM S3Object s` so), deeper
//   paths are InvalidKeyPath. Header names (FileHeaderInfo=USE) match case-insensitively unless quoted
//   (several matches: AmbiguousFieldName); then `_N` is positional (1-based; `_0` or, with a header, N
//   beyond its width: InvalidColumnIndex). A quoted name that matches nothing is MissingHeaderName; an
//   unquoted one is InvalidColumnIndex, which is what AWS returns for an unknown column name.
// - JSON: anything goes; absent attributes evaluate to MISSING at run time.
// - Columnar: with a known schema, the first name picks a column like a CSV header name; unknown
//   names are EvaluatorBindingDoesNotExist. Without a schema, paths resolve like JSON.
import type { S3ErrorCode } from '../../errors.js';
import type { FieldStep, FromClause, Identifier, PathExpr, PathStep } from './ast.js';
import { sqlError } from './error.js';

export type InputFormat = 'csv' | 'json' | 'columnar';

/** What the analyzer knows about the input before reading data. */
export interface InputDescription {
  format: InputFormat;
  /** CSV header names, when FileHeaderInfo=USE. */
  csvHeader?: readonly string[];
  /** Top-level column names of a columnar input, when known. */
  columns?: readonly string[];
}

/** The name the record is bound to in the query. */
export interface TableBinding { name: string; quoted: boolean }

export type ResolvedRef =
  /** The whole record (the table alias on its own). */
  | { kind: 'row' }
  /** CSV column by 0-based index; `header` is its header name when known; `matched` says how. */
  | { kind: 'column'; index: number; header?: string; matched: 'header' | 'position' }
  /** Columnar column by its exact schema name, then nested steps into it. */
  | { kind: 'field'; column: string; rest: PathStep[] }
  /** JSON (or schema-less columnar) value: steps from the record, first step never the alias. */
  | { kind: 'value'; steps: PathStep[] }
  /** ORDER BY key naming a select-list alias; `item` indexes the select list. */
  | { kind: 'outputAlias'; item: number };

/** Largest `_N` accepted without a header (a guard against absurd indexes). */
export const MAX_POSITIONAL_COLUMN = 100_000;

/** Validates the FROM clause for the input and returns the table binding. */
export function bindTable(from: FromClause, input: InputDescription): TableBinding {
  if (input.format !== 'json' && from.steps.length > 0) {
    throw sqlError('InvalidKeyPath', 'Paths in FROM are only supported for JSON input', from.steps[0].pos);
  }
  if (from.alias) return { name: from.alias.name, quoted: from.alias.quoted };
  if (input.format !== 'json' || !from.wildcard) return { name: from.name.name, quoted: false };
  const last = from.steps[from.steps.length - 1];
  return last?.kind === 'field' ? { name: last.name, quoted: last.quoted } : { name: '_1', quoted: false };
}

export function matchesBinding(id: Identifier, table: TableBinding): boolean {
  return id.quoted ? id.name === table.name : id.name.toLowerCase() === table.name.toLowerCase();
}

/** Resolves one path (not an ORDER BY alias; the analyzer checks those first). */
export function resolvePath(path: PathExpr, table: TableBinding, input: InputDescription): ResolvedRef {
  const qualified = matchesBinding(path.root, table);
  if (qualified && path.steps.length === 0) return { kind: 'row' };
  const rootStep: FieldStep = { kind: 'field', name: path.root.name, quoted: path.root.quoted, pos: path.root.pos };
  const steps = qualified ? path.steps : [rootStep, ...path.steps];
  if (input.format === 'json') return { kind: 'value', steps };
  if (input.format === 'columnar') {
    if (!input.columns) return { kind: 'value', steps };
    const first = steps[0];
    if (first.kind !== 'field') throw sqlError('InvalidKeyPath', 'A column must be named before indexing into it', first.pos);
    const hits = matchNames(first, input.columns);
    if (hits.length === 0) throw notFound('EvaluatorBindingDoesNotExist', first);
    if (hits.length > 1) throw ambiguous(first);
    return { kind: 'field', column: input.columns[hits[0]], rest: steps.slice(1) };
  }
  if (!qualified && path.steps.length > 0) {
    throw sqlError('InvalidTableAlias', `'${path.root.name}' is not the table alias (${table.name})`, path.root.pos);
  }
  const first = steps[0];
  if (first.kind !== 'field') throw sqlError('InvalidKeyPath', 'CSV columns are named or numbered (_N), not indexed', first.pos);
  if (steps.length > 1) throw sqlError('InvalidKeyPath', 'CSV values have no nested attributes', steps[1].pos);
  return resolveCsvColumn(first, input.csvHeader);
}

function resolveCsvColumn(step: FieldStep, header: readonly string[] | undefined): ResolvedRef {
  if (header) {
    const hits = matchNames(step, header);
    if (hits.length > 1) throw ambiguous(step);
    if (hits.length === 1) return { kind: 'column', index: hits[0], header: header[hits[0]], matched: 'header' };
  }
  const positional = /^_(\d+)$/.exec(step.name);
  if (positional) {
    const n = positional[1].length > 9 ? Infinity : Number(positional[1]);
    const limit = header ? header.length : MAX_POSITIONAL_COLUMN;
    if (n < 1 || n > limit) {
      throw sqlError('InvalidColumnIndex', `Column index ${step.name} is out of range (1..${limit})`, step.pos);
    }
    const ref: ResolvedRef = { kind: 'column', index: n - 1, matched: 'position' };
    if (header) ref.header = header[n - 1];
    return ref;
  }
  if (step.quoted) throw notFound('MissingHeaderName', step);
  throw sqlError('InvalidColumnIndex', `Unknown column '${step.name}'${header ? '' : ' (without a header row, use _N)'}`, step.pos);
}

function matchNames(step: FieldStep, names: readonly string[]): number[] {
  const hits: number[] = [];
  const lower = step.name.toLowerCase();
  names.forEach((n, i) => {
    if (step.quoted ? n === step.name : n.toLowerCase() === lower) hits.push(i);
  });
  return hits;
}

function ambiguous(step: FieldStep) {
  return sqlError('AmbiguousFieldName', `Name '${step.name}' matches several columns; double-quote it to match exactly`, step.pos);
}

function notFound(code: S3ErrorCode, step: FieldStep) {
  return sqlError(code, `No column is named "${step.name}"`, step.pos);
}
