// Reads the text between backticks as one Ion scalar. AWS documents backticks for timestamps
// (`2010-01-01T`), and real clients also send other Ion scalars such as `TRUE` (an Ion symbol, which
// S3 Select treats as a string). Containers, blobs, annotations and special floats are rejected.
import type { IonTimestamp, Literal, Pos } from './ast.js';
import { sqlError } from './error.js';

// year [-month [-day]] with a mandatory T below day precision; time needs minutes and an offset.
const TIMESTAMP =
  /^(\d{4})(?:T|-(\d{2})(?:T|-(\d{2})(?:T?|T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}:\d{2}))))$/;
const INT = /^-?(?:0|[1-9](?:_?\d)*)$/;
const RADIX_INT = /^-?0(?:[xX][0-9a-fA-F](?:_?[0-9a-fA-F])*|[bB][01](?:_?[01])*)$/;
const DECIMAL = /^-?(?:0|[1-9]\d*)(?:\.\d*)?(?:[dD][+-]?\d+)?$/;
const FLOAT = /^-?(?:0|[1-9]\d*)(?:\.\d*)?[eE][+-]?\d+$/;
const SYMBOL = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const TYPED_NULL = /^null(?:\.(?:null|bool|int|float|decimal|timestamp|string|symbol|blob|clob|struct|list|sexp))?$/;
const INT64_MAX = 9223372036854775807n;

/** Parses backtick contents (without the backticks) found at `pos`; throws LexerInvalidIONLiteral. */
export function parseIonLiteral(raw: string, pos: Pos): Literal {
  const text = raw.trim();
  const bad = (why: string) => sqlError('LexerInvalidIONLiteral', `Invalid Ion literal \`${clip(raw)}\` (${why})`, pos);
  if (/^\d{4}[-T]/.test(text)) {
    const value = parseIonTimestamp(text);
    if (!value) throw bad('not a valid Ion timestamp');
    return { kind: 'timestamp', text, value, pos };
  }
  if (text === 'true' || text === 'false') return { kind: 'bool', value: text === 'true', pos };
  if (TYPED_NULL.test(text)) return { kind: 'null', pos };
  if (INT.test(text) || RADIX_INT.test(text)) {
    const negative = text.startsWith('-');
    const body = text.replace(/^-/, '').replace(/_/g, '');
    const magnitude = BigInt(body);
    const signed = negative ? -magnitude : magnitude;
    return { kind: 'int', text: signed.toString(), fitsInt64: signed <= INT64_MAX && signed >= -INT64_MAX - 1n, pos };
  }
  if (FLOAT.test(text)) return { kind: 'float', text, pos };
  if (DECIMAL.test(text) && /[.dD]/.test(text)) return { kind: 'decimal', text: text.replace(/[dD]/, 'e'), pos };
  if (text.startsWith('"') || text.startsWith("'")) {
    const value = unquoteIon(text);
    if (value === undefined) throw bad('malformed quoted text');
    return { kind: 'string', value, pos };
  }
  if (SYMBOL.test(text) && text !== 'nan') return { kind: 'string', value: text, pos };
  throw bad('only Ion scalars (timestamp, bool, null, number, string, symbol) are supported');
}

/** Validates an Ion timestamp and returns its components, or undefined when it is malformed. */
export function parseIonTimestamp(text: string): IonTimestamp | undefined {
  const m = TIMESTAMP.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, off] = m;
  const year = Number(y);
  if (year < 1) return undefined;
  const ts: IonTimestamp = { year, offsetMinutes: null, precision: 'year' };
  if (mo === undefined) return ts;
  ts.month = Number(mo);
  ts.precision = 'month';
  if (ts.month < 1 || ts.month > 12) return undefined;
  if (d === undefined) return ts;
  ts.day = Number(d);
  ts.precision = 'day';
  if (ts.day < 1 || ts.day > daysInMonth(year, ts.month)) return undefined;
  if (h === undefined) return ts;
  ts.hour = Number(h);
  ts.minute = Number(mi);
  ts.precision = 'minute';
  if (ts.hour > 23 || ts.minute > 59) return undefined;
  if (s !== undefined) {
    ts.second = Number(s);
    ts.precision = 'second';
    if (ts.second > 59) return undefined;
    if (frac !== undefined) {
      ts.fraction = frac;
      ts.precision = 'fraction';
    }
  }
  const offset = parseOffset(off);
  if (offset === undefined) return undefined;
  ts.offsetMinutes = offset;
  return ts;
}

function parseOffset(off: string): number | null | undefined {
  if (off === 'Z') return 0;
  if (off === '-00:00') return null; // Ion's "unknown local offset"
  const hh = Number(off.slice(1, 3));
  const mm = Number(off.slice(4, 6));
  if (hh > 23 || mm > 59) return undefined;
  return (off[0] === '-' ? -1 : 1) * (hh * 60 + mm);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

const SIMPLE_ESCAPES: Record<string, string> = {
  a: '\x07', b: '\b', t: '\t', n: '\n', f: '\f', r: '\r', v: '\v', '?': '?', '0': '\0',
  "'": "'", '"': '"', '/': '/', '\\': '\\',
};

/** Decodes an Ion "string" or 'symbol' with its escapes; undefined when malformed. */
function unquoteIon(text: string): string | undefined {
  const quote = text[0];
  if (text.length < 2 || text[text.length - 1] !== quote) return undefined;
  const body = text.slice(1, -1);
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === quote) return undefined;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = body[++i];
    if (e === undefined) return undefined;
    if (e === '\n') continue; // line continuation
    if (e in SIMPLE_ESCAPES) {
      out += SIMPLE_ESCAPES[e];
      continue;
    }
    const width = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
    const hex = body.slice(i + 1, i + 1 + width);
    if (width === 0 || !/^[0-9a-fA-F]+$/.test(hex) || hex.length !== width) return undefined;
    const cp = parseInt(hex, 16);
    if (cp > 0x10ffff) return undefined;
    out += String.fromCodePoint(cp);
    i += width;
  }
  return out;
}

function clip(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}
