// Rendering of user-controlled text into DuckDB SQL. Every literal and identifier the translator emits
// goes through these helpers, so no user text reaches DuckDB unescaped.

/**
 * A VARCHAR literal. Single quotes are doubled; NUL (which DuckDB's parser cannot carry inside a
 * literal) is spliced in with chr(0).
 */
export function sqlString(s: string): string {
  if (!s.includes('\0')) return `'${s.replace(/'/g, "''")}'`;
  return `(${s.split('\0').map((part) => `'${part.replace(/'/g, "''")}'`).join(' || chr(0) || ')})`;
}

/** A double-quoted identifier with embedded quotes doubled. */
export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** One `."key"` step of a DuckDB JSONPath: inside the quotes only `\` and `"` need escaping. */
export function jsonPathKey(key: string): string {
  return `."${key.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** A JSON string literal of `s` (the key of an output member), as DuckDB SQL text. */
export function jsonKeyText(s: string): string {
  return JSON.stringify(s);
}

/** Wraps `sql` in parentheses unless it already is one atom. */
export function paren(sql: string): string {
  return /^[\w."]+$/.test(sql) ? sql : `(${sql})`;
}
