// Attribute access per input format: CSV fields, JSON paths (exact keys first, then a case-insensitive
// fallback for unquoted names) and typed walks through columnar STRUCT / LIST / MAP columns.
import { S3Error } from '../../errors.js';
import type { PathStep, ResolvedRef } from '../sql/index.js';
import { classifyScalar, type DuckType } from './duck-types.js';
import type { JsonPaths } from './json-views.js';
import { ident, jsonPathKey, sqlString } from './sqltext.js';
import { MISSING_EXPR, type TExpr } from './types.js';

/** The source as the translator sees it: column names/types and the SQL of the current JSON record. */
export interface Source {
  format: 'csv' | 'json' | 'columnar';
  /** CSV: output names of c1..cN (header names, else _N). */
  csvNames: string[];
  /** CSV: 0-based fields with a BIGINT column beside them (SourceShape.csvIntColumns). */
  csvInts?: ReadonlySet<number>;
  /** Columnar: columns in schema order. */
  columns: { name: string; type: DuckType }[];
  /** JSON: the record value (the FROM path's value when there is one). */
  record: string;
  /** JSON: path values read once per row. */
  json?: JsonPaths;
}

/**
 * The FROM source's alias. Columns are always qualified with it: DuckDB resolves a bare name in ORDER BY
 * to a select-list alias first, so a column called `line` would otherwise mean the rendered output.
 */
export const SOURCE_ALIAS = '"s3_src"';
export const column = (name: string) => `${SOURCE_ALIAS}.${ident(name)}`;

/** Column of CSV field `index` (0-based) in the relation. */
export const csvColumn = (index: number) => column(`c${index + 1}`);
/** Column of the BIGINT beside CSV field `index` (0-based), where the source has one. */
export const csvIntColumn = (index: number) => column(`i${index + 1}`);

/** A name needs the case-insensitive fallback when some letter of it has another case. */
const caseMatters = (name: string) => name.toLowerCase() !== name.toUpperCase();

export type ValueStep = Extract<PathStep, { kind: 'field' | 'index' }>;

export function valueSteps(steps: readonly PathStep[]): ValueStep[] {
  return steps.map((s) => {
    if (s.kind === 'wildcard' || s.kind === 'unpivot') {
      throw new S3Error('InvalidKeyPath', `A ${s.kind === 'wildcard' ? '[*]' : '.*'} step is only allowed in the FROM clause`);
    }
    return s;
  });
}

/** DuckDB JSONPath of `steps` with exact key matching; undefined when a key is empty (JSONPath cannot name it). */
export function exactJsonPath(steps: readonly ValueStep[]): string | undefined {
  if (!steps.every((s) => s.kind === 'index' || s.name !== '')) return undefined;
  return '$' + steps.map((s) => (s.kind === 'field' ? jsonPathKey(s.name) : `[${s.index}]`)).join('');
}

/** Whether some step is an unquoted name that may match a key in another case. */
export function needsCaseFallback(steps: readonly ValueStep[]): boolean {
  return steps.some((s) => s.kind === 'field' && !s.quoted && caseMatters(s.name));
}

/**
 * Step by step below `base`, each unquoted name trying its exact spelling before any other case; with
 * `quiet`, a name several keys match gives NULL instead of failing with AmbiguousFieldName.
 */
export function caseInsensitiveWalk(base: string, steps: readonly ValueStep[], quiet = false): string {
  let cur = base;
  for (const s of steps) {
    if (s.kind === 'index') cur = `json_extract(${cur}, '$[${s.index}]')`;
    else if (!s.quoted && caseMatters(s.name)) cur = `${quiet ? 's3t_jfind_ci' : 's3t_jget_ci'}(${cur}, ${sqlString(s.name)})`;
    else if (s.name === '') cur = `json_extract(${cur}, '/')`;
    else cur = `json_extract(${cur}, ${sqlString('$' + jsonPathKey(s.name))})`;
  }
  return cur;
}

/** SQL of the JSON value at `steps` below `base` (SQL NULL when absent, i.e. MISSING). */
export function jsonAccess(base: string, path: readonly PathStep[]): string {
  const steps = valueSteps(path);
  if (steps.length === 0) return base;
  const exactPath = exactJsonPath(steps);
  const exact = exactPath === undefined ? undefined : `json_extract(${base}, ${sqlString(exactPath)})`;
  if (exact && !needsCaseFallback(steps)) return exact;
  const walk = caseInsensitiveWalk(base, steps);
  return exact ? `coalesce(${exact}, ${walk})` : walk;
}

/** Typed expression of a columnar value of DuckDB type `t` held in `sql`. */
export function columnarValue(sql: string, t: DuckType): TExpr {
  if (t.kind !== 'scalar') return { sql, ty: 'nested', duck: t };
  const c = classifyScalar(t);
  switch (c.family) {
    case 'int': return c.narrow ? { sql, ty: 'int', narrow: true } : { sql, ty: 'int' };
    case 'decimal': return { sql, ty: 'decimal', dec: { kind: 'exact', precision: c.precision, scale: c.scale, trim: false } };
    case 'float': return { sql, ty: 'float' };
    case 'bool': return { sql, ty: 'bool' };
    case 'timestamp': return { sql: `s3_ts_of(${sql})`, ty: 'timestamp', instant: sql };
    // json() re-serializes minified: the dynamic-value macros read kinds from the text's first character.
    case 'json': return { sql: `json(${sql})`, ty: 'json' };
    case 'blob': return { sql: `s3t_blob_text(${sql})`, ty: 'string' };
    case 'string': return { sql: t.name === 'VARCHAR' ? sql : `CAST(${sql} AS VARCHAR)`, ty: 'string' };
    case 'text-cast': return { sql: `CAST(${sql} AS VARCHAR)`, ty: 'string' };
  }
}

function findField(fields: readonly { name: string }[], step: { name: string; quoted: boolean }): number {
  const exact = fields.findIndex((f) => f.name === step.name);
  if (exact >= 0 || step.quoted) return exact;
  const lower = step.name.toLowerCase();
  const hits = fields.flatMap((f, i) => (f.name.toLowerCase() === lower ? [i] : []));
  if (hits.length > 1) throw new S3Error('AmbiguousFieldName', `Name '${step.name}' matches several fields; double-quote it to match exactly`);
  return hits.length === 1 ? hits[0]! : -1;
}

/** Walks `steps` into a columnar value; a step the schema cannot have is MISSING. */
export function columnarAccess(sql: string, t: DuckType, steps: readonly PathStep[]): TExpr {
  let cur = sql;
  let type = t;
  // An index past the end or an absent map key is MISSING (DuckDB gives NULL for both).
  let missing = false;
  const walk = valueSteps(steps);
  for (let i = 0; i < walk.length; i++) {
    const s = walk[i]!;
    if (type.kind === 'scalar' && classifyScalar(type).family === 'json') {
      return { sql: jsonAccess(cur, steps.slice(i)), ty: 'json' };
    }
    if (s.kind === 'index' && type.kind === 'list') {
      cur = `(${cur})[${s.index + 1}]`;
      type = type.element;
      missing = true;
    } else if (s.kind === 'field' && type.kind === 'struct') {
      const at = findField(type.fields, s);
      if (at < 0) return MISSING_EXPR;
      cur = `struct_extract(${cur}, ${sqlString(type.fields[at]!.name)})`;
      type = type.fields[at]!.type;
    } else if (s.kind === 'field' && type.kind === 'map' && type.key.kind === 'scalar' && classifyScalar(type.key).family === 'string') {
      cur = `(${cur})[${sqlString(s.name)}]`;
      type = type.value;
      missing = true;
    } else {
      return MISSING_EXPR;
    }
  }
  const value = columnarValue(cur, type);
  if (missing && value.ty !== 'json') value.missing = true;
  return value;
}

/** The whole record as one value (`SELECT s FROM S3Object s`). */
export function rowValue(src: Source): TExpr {
  if (src.format === 'json') return src.json ? src.json.value([]) : { sql: src.record, ty: 'json' };
  if (src.format === 'csv') {
    const pairs = src.csvNames.map((n, i) => `${sqlString(n)}, ${csvColumn(i)}`);
    return { sql: `json_object(${pairs.join(', ')})`, ty: 'json' };
  }
  const fields = src.columns.map((c) => `${ident(c.name)} := ${column(c.name)}`);
  return { sql: `struct_pack(${fields.join(', ')})`, ty: 'nested', duck: { kind: 'struct', fields: src.columns } };
}

/** Typed expression of a resolved path (not an ORDER BY alias, which the translator handles). */
export function refValue(src: Source, ref: Exclude<ResolvedRef, { kind: 'outputAlias' }>): TExpr {
  switch (ref.kind) {
    case 'row': return rowValue(src);
    case 'column': {
      const field: TExpr = { sql: csvColumn(ref.index), ty: 'string', text: true, missing: true };
      if (src.csvInts?.has(ref.index)) field.intValue = csvIntColumn(ref.index);
      return field;
    }
    case 'field': {
      const col = src.columns.find((c) => c.name === ref.column);
      if (!col) throw new S3Error('EvaluatorBindingDoesNotExist', `No column is named "${ref.column}"`);
      return columnarAccess(column(col.name), col.type, ref.rest);
    }
    case 'value':
      if (src.format === 'columnar') return columnarByName(src, ref.steps);
      return src.json ? src.json.value(ref.steps) : { sql: jsonAccess(src.record, ref.steps), ty: 'json' };
  }
}

/** A schema-less columnar path (the analyzer had no column list): match the first step by name. */
function columnarByName(src: Source, steps: readonly PathStep[]): TExpr {
  const first = steps[0];
  if (!first || first.kind !== 'field') return MISSING_EXPR;
  const at = findField(src.columns, first);
  if (at < 0) return MISSING_EXPR;
  const col = src.columns[at]!;
  return columnarAccess(column(col.name), col.type, steps.slice(1));
}

/** Members of a `*` / `alias.*` / `path.*` expansion. */
export type StarMembers =
  | { kind: 'static'; members: { name: string; expr: TExpr }[] }
  /** A dynamic value whose members are only known per row; `whole` for the record itself. */
  | { kind: 'dynamic'; sql: string; whole: boolean };

/**
 * `valuesOnly`: the members are output as values alone (CSV), not as name-value pairs; a JSON record's
 * members may then come from its key columns, when every record has the same keys in the same order.
 */
export function starOf(src: Source, value: TExpr | 'record', valuesOnly = false): StarMembers {
  if (value === 'record') {
    const uniform = valuesOnly ? src.json?.uniformMembers() : undefined;
    if (uniform) return { kind: 'static', members: uniform };
    if (src.format === 'csv') return { kind: 'static', members: src.csvNames.map((name, i) => ({ name, expr: refValue(src, { kind: 'column', index: i, matched: 'position' }) })) };
    if (src.format === 'columnar') return { kind: 'static', members: src.columns.map((c) => ({ name: c.name, expr: columnarValue(column(c.name), c.type) })) };
    return { kind: 'dynamic', sql: src.record, whole: true };
  }
  if (value.ty === 'nested' && value.duck?.kind === 'struct') {
    const base = value.sql;
    return {
      kind: 'static',
      members: value.duck.fields.map((f) => ({ name: f.name, expr: columnarValue(`struct_extract(${base}, ${sqlString(f.name)})`, f.type) })),
    };
  }
  if (value.ty === 'json') return { kind: 'dynamic', sql: value.sql, whole: false };
  if (value.ty === 'nested') return { kind: 'dynamic', sql: `to_json(${value.sql})`, whole: false };
  return { kind: 'static', members: [] };
}
