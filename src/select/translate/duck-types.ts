// Parses the DuckDB type strings DESCRIBE prints for columnar inputs (e.g. `DECIMAL(18,3)`,
// `STRUCT(a INTEGER, "b c" VARCHAR[])`, `MAP(VARCHAR, INTEGER)`, `TIMESTAMP WITH TIME ZONE`), so paths
// into nested columns can be resolved and typed when the query is translated.
import { S3Error } from '../../errors.js';

export type DuckType =
  /** `name` is the upper-case base name, e.g. BIGINT, DECIMAL, TIMESTAMP WITH TIME ZONE, ENUM. */
  | { kind: 'scalar'; name: string; precision?: number; scale?: number }
  | { kind: 'struct'; fields: { name: string; type: DuckType }[] }
  | { kind: 'list'; element: DuckType }
  | { kind: 'map'; key: DuckType; value: DuckType }
  /** UNION and anything else with members we do not walk into. */
  | { kind: 'other'; name: string };

class TypeReader {
  private i = 0;
  constructor(private readonly s: string) {}

  private ws(): void {
    while (this.i < this.s.length && /\s/.test(this.s[this.i]!)) this.i++;
  }

  private peek(): string {
    this.ws();
    return this.s[this.i] ?? '';
  }

  private expect(c: string): void {
    if (this.peek() !== c) this.fail(`expected '${c}'`);
    this.i++;
  }

  fail(why: string): never {
    throw new S3Error('UnsupportedParquetType', `Cannot read the column type '${this.s}' (${why}).`);
  }

  word(): string {
    this.ws();
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.s.slice(this.i));
    if (!m) this.fail('expected a name');
    this.i += m[0].length;
    return m[0];
  }

  /** A struct field name: bare or double-quoted with "" doubling. */
  name(): string {
    if (this.peek() !== '"') return this.word();
    let out = '';
    this.i++;
    for (;;) {
      const c = this.s[this.i++];
      if (c === undefined) this.fail('unterminated quoted name');
      if (c === '"') {
        if (this.s[this.i] !== '"') return out;
        this.i++;
      }
      out += c;
    }
  }

  /** Skips a balanced parenthesised group (ENUM values, VARCHAR(n)…) and returns its text. */
  private skipGroup(): string {
    const start = this.i;
    let depth = 0;
    let quote = '';
    for (; this.i < this.s.length; this.i++) {
      const c = this.s[this.i]!;
      if (quote) {
        if (c === quote) quote = '';
      } else if (c === "'" || c === '"') quote = c;
      else if (c === '(') depth++;
      else if (c === ')' && --depth === 0) {
        this.i++;
        return this.s.slice(start, this.i);
      }
    }
    return this.fail('unbalanced parentheses');
  }

  type(): DuckType {
    let base = this.word().toUpperCase();
    const rest = /^\s+WITH\s+TIME\s+ZONE\b/i.exec(this.s.slice(this.i));
    if (rest) {
      base += ' WITH TIME ZONE';
      this.i += rest[0].length;
    }
    let t: DuckType;
    if ((base === 'STRUCT' || base === 'ROW') && this.peek() === '(') {
      this.i++;
      const fields: { name: string; type: DuckType }[] = [];
      while (this.peek() !== ')') {
        const name = this.name();
        fields.push({ name, type: this.type() });
        if (this.peek() === ',') this.i++;
      }
      this.i++;
      t = { kind: 'struct', fields };
    } else if (base === 'MAP' && this.peek() === '(') {
      this.i++;
      const key = this.type();
      this.expect(',');
      const value = this.type();
      this.expect(')');
      t = { kind: 'map', key, value };
    } else if ((base === 'DECIMAL' || base === 'NUMERIC') && this.peek() === '(') {
      const m = /^\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)/.exec(this.s.slice(this.i));
      if (!m) this.fail('malformed DECIMAL parameters');
      this.i += m[0].length;
      t = { kind: 'scalar', name: 'DECIMAL', precision: Number(m[1]), scale: Number(m[2] ?? 0) };
    } else if (this.peek() === '(') {
      const group = this.skipGroup();
      t = base === 'ENUM' || base === 'VARCHAR' ? { kind: 'scalar', name: base } : { kind: 'other', name: base + group };
    } else {
      t = { kind: 'scalar', name: base };
    }
    while (this.peek() === '[') {
      const m = /^\[\s*\d*\s*\]/.exec(this.s.slice(this.i));
      if (!m) this.fail('malformed list suffix');
      this.i += m[0].length;
      t = { kind: 'list', element: t };
    }
    return t;
  }

  end(): void {
    if (this.peek() !== '') this.fail('unexpected text after the type');
  }
}

/** Parses one DuckDB type string; throws UnsupportedParquetType when it cannot be read. */
export function parseDuckType(text: string): DuckType {
  const r = new TypeReader(text);
  const t = r.type();
  r.end();
  return t;
}

const NARROW_INTS = new Set(['TINYINT', 'SMALLINT', 'INTEGER', 'UTINYINT', 'USMALLINT', 'UINTEGER', 'INT1', 'INT2', 'INT4']);
const WIDE_INTS = new Set(['BIGINT', 'HUGEINT', 'UBIGINT', 'UHUGEINT', 'INT8', 'INT16', 'LONG']);
const FLOATS = new Set(['DOUBLE', 'FLOAT', 'REAL', 'FLOAT4', 'FLOAT8']);
const TIMESTAMPS = new Set([
  'DATE', 'TIMESTAMP', 'DATETIME', 'TIMESTAMP WITH TIME ZONE', 'TIMESTAMPTZ', 'TIMESTAMP_S', 'TIMESTAMP_MS', 'TIMESTAMP_NS', 'TIMESTAMP_US',
]);

/** How a scalar column enters the S3 type system. */
export type ScalarClass =
  | { family: 'int'; narrow: boolean }
  | { family: 'decimal'; precision: number; scale: number }
  | { family: 'float' | 'bool' | 'timestamp' | 'json' | 'blob' | 'string' }
  /** VARCHAR-castable odd types (UUID, TIME, INTERVAL…), presented as strings. */
  | { family: 'text-cast' };

export function classifyScalar(t: { name: string; precision?: number; scale?: number }): ScalarClass {
  const n = t.name;
  if (NARROW_INTS.has(n)) return { family: 'int', narrow: true };
  if (WIDE_INTS.has(n)) return { family: 'int', narrow: false };
  if (n === 'DECIMAL') return { family: 'decimal', precision: t.precision ?? 18, scale: t.scale ?? 3 };
  if (FLOATS.has(n)) return { family: 'float' };
  if (n === 'BOOLEAN' || n === 'BOOL') return { family: 'bool' };
  if (TIMESTAMPS.has(n)) return { family: 'timestamp' };
  if (n === 'JSON') return { family: 'json' };
  if (n === 'BLOB' || n === 'BYTEA' || n === 'VARBINARY') return { family: 'blob' };
  if (n === 'VARCHAR' || n === 'ENUM' || n === 'STRING' || n === 'TEXT') return { family: 'string' };
  return { family: 'text-cast' };
}
