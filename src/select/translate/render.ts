// Output rendering: one VARCHAR per output record, without the record delimiter (DuckDB's COPY adds it).
//
// CSV: NULL and MISSING are empty fields; strings as they are; ints and decimals in plain digits (a
// decimal at its scale: 1.50), FLOAT values as Java prints doubles (0.1, 1.0E7), booleans true/false,
// timestamps in Ion text at their precision; nested values as JSON text. Numbers read from JSON keep
// their JSON text (DuckDB's canonical form: 1.5, 100.0, 1e-7), since S3 reads them as decimals rather
// than floats, and so do numbers computed from them. QuoteFields=ALWAYS quotes every field, the
// empty ones too (`""`); ASNEEDED quotes a field containing the quote character, the field or record
// delimiter, CR or LF. Inside quotes the quote character is preceded by QuoteEscapeCharacter (which
// doubles it when both are the same character).
// JSON: `{"name":value,…}` with MISSING members left out and NULL written as null. Duplicate names are
// all written, in select-list order (what a streaming writer such as AWS's produces). `SELECT *` on JSON
// input prints each record as it is (a MISSING record, from a FROM path without a match, is `{}`).
import { nestedJson, textOf, tsText } from './coerce.js';
import type { StarMembers } from './paths.js';
import { jsonKeyText, sqlString } from './sqltext.js';
import { nullIsMissing, type TExpr } from './types.js';

export type OutputFormat =
  | { kind: 'csv'; quoteFields: 'ALWAYS' | 'ASNEEDED'; fieldDelimiter: string; quoteCharacter: string; quoteEscapeCharacter: string; recordDelimiter: string }
  | { kind: 'json'; recordDelimiter: string };

export type OutputItem = { kind: 'value'; name: string; expr: TExpr } | { kind: 'star'; members: StarMembers };

/** JSON text of a value, NULL when the member is to be left out (MISSING). */
export function jsonValue(e: TExpr): string {
  let sql: string;
  switch (e.ty) {
    case 'string': sql = `CAST(to_json(${e.sql}) AS VARCHAR)`; break;
    case 'int': case 'bool': sql = `CAST(${e.sql} AS VARCHAR)`; break;
    case 'decimal': sql = textOf(e); break;
    case 'float': sql = `s3t_float_json(CAST(${e.sql} AS VARCHAR))`; break;
    case 'timestamp': sql = `CAST(to_json(${tsText(e)}) AS VARCHAR)`; break;
    case 'json': return `CAST(${e.sql} AS VARCHAR)`;
    case 'nested': sql = `CAST(${nestedJson(e)} AS VARCHAR)`; break;
    case 'null': return `'null'`;
    case 'missing': return 'CAST(NULL AS VARCHAR)';
  }
  return nullIsMissing(e) ? sql : `coalesce(${sql}, 'null')`;
}

/**
 * Every character the CSV text of a value of this type can hold, for types with a fixed alphabet (Java's
 * float text, Ion timestamps…). A field whose alphabet has no quote, delimiter or line break needs no
 * quoting check.
 */
const ALPHABETS: Partial<Record<TExpr['ty'], string>> = {
  int: '0123456789-',
  decimal: '0123456789.-+EeInfinityaN',
  float: '0123456789.-+EInfinityaN',
  bool: 'truefals',
  timestamp: '0123456789-+:.TZ',
  null: '',
  missing: '',
};

function csvQuoter(out: Extract<OutputFormat, { kind: 'csv' }>): (field: string, plain?: boolean, ty?: TExpr['ty']) => string {
  const q = out.quoteCharacter;
  if (q === '') return (f) => `coalesce(${f}, '')`;
  const special = [q, out.fieldDelimiter, out.recordDelimiter, '\n', '\r'].join('');
  const cannotNeedQuotes = (ty: TExpr['ty'] | undefined): boolean => {
    const alphabet = ty === undefined ? undefined : ALPHABETS[ty];
    return alphabet !== undefined && ![...special].some((c) => alphabet.includes(c));
  };
  const args = `${sqlString(q)}, ${sqlString(out.quoteEscapeCharacter || q)}`;
  if (out.quoteFields === 'ALWAYS') return (f) => `s3t_csv_always(${f}, ${args})`;
  const rest = `${args}, ${sqlString(out.fieldDelimiter || q)}, ${sqlString(out.recordDelimiter || q)}`;
  // s3t_csv_quoted's test, inline and without checks another implies ('\n' twice, '\r\n' beside '\r').
  const marks = [...new Set([q, out.fieldDelimiter || q, out.recordDelimiter || q, '\n', '\r'])];
  const needed = marks.filter((m) => !marks.some((o) => o !== m && m.includes(o)));
  const escaped = (f: string) => `${sqlString(q)} || replace(${f}, ${sqlString(q)}, ${sqlString((out.quoteEscapeCharacter || q) + q)}) || ${sqlString(q)}`;
  const quoted = (f: string) =>
    `CASE WHEN ${needed.map((m) => `contains(${f}, ${sqlString(m)})`).join(' OR ')} THEN ${escaped(f)} ELSE coalesce(${f}, '') END`;
  // A plain column is cheap to read several times; other expressions are bound once.
  return (f, plain = false, ty) => {
    if (cannotNeedQuotes(ty)) return `coalesce(${f}, '')`;
    return plain || /^("[^"]+"\.)*"[^"]+"$/.test(f) ? quoted(f) : `s3t_csv_asneeded(${f}, ${rest})`;
  };
}

/** CSV text of a value; `plain` when it is cheap to compute several times (a view of a per-row JSON column). */
function csvText(e: TExpr): { sql: string; plain: boolean; ty: TExpr['ty'] } {
  return { sql: textOf(e), plain: e.ty === 'json' && e.row !== undefined, ty: e.ty };
}

function renderCsv(items: readonly OutputItem[], out: Extract<OutputFormat, { kind: 'csv' }>): string {
  const quote = csvQuoter(out);
  const delim = sqlString(out.fieldDelimiter);
  const fields: string[] = [];
  for (const it of items) {
    if (it.kind === 'value') {
      const t = csvText(it.expr);
      fields.push(quote(t.sql, t.plain, t.ty));
    } else if (it.members.kind === 'static') {
      for (const m of it.members.members) {
        const t = csvText(m.expr);
        fields.push(quote(t.sql, t.plain, t.ty));
      }
    }
    else fields.push(`array_to_string(list_transform(s3t_jtexts(${it.members.sql}), lambda v: ${quote('v', true)}), ${delim})`);
  }
  if (fields.length === 0) return `''`;
  return fields.length === 1 ? fields[0]! : `concat(${fields.join(`, ${delim}, `)})`;
}

function member(name: string, e: TExpr): string {
  return `(${sqlString(jsonKeyText(name) + ':')} || ${jsonValue(e)})`;
}

function renderJson(items: readonly OutputItem[]): string {
  const only = items.length === 1 ? items[0] : undefined;
  if (only?.kind === 'star' && only.members.kind === 'dynamic' && only.members.whole) {
    const r = only.members.sql;
    return `CASE WHEN ascii(CAST(${r} AS VARCHAR)) = 123 THEN CAST(${r} AS VARCHAR) WHEN ${r} IS NULL THEN '{}' ` +
      `ELSE '{"_1":' || CAST(${r} AS VARCHAR) || '}' END`;
  }
  const parts: string[] = [];
  for (const it of items) {
    if (it.kind === 'value') parts.push(member(it.name, it.expr));
    else if (it.members.kind === 'static') for (const m of it.members.members) parts.push(member(m.name, m.expr));
    else parts.push(`s3t_jmembers(${it.members.sql})`);
  }
  if (parts.length === 0) return `'{}'`;
  return `'{' || concat_ws(',', ${parts.join(', ')}) || '}'`;
}

/** SQL of the rendered record (never NULL). */
export function renderLine(items: readonly OutputItem[], out: OutputFormat): string {
  return out.kind === 'csv' ? renderCsv(items, out) : renderJson(items);
}
