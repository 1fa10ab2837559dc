// Compiles S3 Select TO_STRING / TO_TIMESTAMP format patterns (the PartiQL symbol table, Java
// DateTimeFormatter semantics) into DuckDB SQL at plan time. Patterns are almost always literals, so the
// work of reading them is done once and DuckDB only evaluates plain expressions per row.
//
// The timestamp values are the S3 timestamp STRUCT of sql/s3select.sql (UTC instant, offset, precision).
// Pattern errors are thrown as the S3 Evaluator* codes, with PartiQL's rules:
//   unterminated quote                 EvaluatorUnterminatedTimestampFormatPatternToken
//   unknown letter or reserved char    EvaluatorInvalidTimestampFormatPatternToken
//   known letter, unsupported count    EvaluatorInvalidTimestampFormatPatternSymbol
// and, for parsing only: MMMMM (EvaluatorInvalidTimestampFormatPatternSymbolForParsing), a field twice
// (EvaluatorTimestampFormatPatternDuplicateFields), fields that do not make a timestamp
// (EvaluatorInvalidTimestampFormatPattern), 12-hour clock without `a` or 24-hour with it
// (EvaluatorTimestampFormatPatternHourClockAmPmMismatch). Unquoted text when parsing is limited to
// " /-,:." as in PartiQL; formatting accepts any non-letter (as Java does).
import { S3Error } from '../errors.js';

type Field = 'year' | 'month' | 'day' | 'hour' | 'ampm' | 'minute' | 'second' | 'fraction' | 'offset';

interface Sym {
  kind: 'symbol';
  letter: string;
  count: number;
  field: Field;
}
interface Text {
  kind: 'text';
  text: string;
  /** Appeared inside quotes (or as ''). */
  quoted: boolean;
}
type Item = Sym | Text;

/** Letter → [field, highest allowed count]. */
const SYMBOLS: Record<string, [Field, number]> = {
  y: ['year', 4], M: ['month', 5], d: ['day', 2], a: ['ampm', 1], h: ['hour', 2], H: ['hour', 2],
  m: ['minute', 2], s: ['second', 2], S: ['fraction', 9], n: ['fraction', 1], X: ['offset', 5], x: ['offset', 5],
};
const JAVA_RESERVED = new Set(['[', ']', '{', '}', '#']);
const PARSE_TEXT = new Set([' ', '/', '-', ',', ':', '.']);
const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
/** Precision code of the S3 timestamp struct for each field, when it is the least significant one. */
const PRECISION: Partial<Record<Field, number>> = { year: 1, month: 2, day: 3, hour: 4, minute: 4, second: 5 };
const RANK: Field[] = ['year', 'month', 'day', 'hour', 'minute', 'second', 'fraction'];

const fail = (code: ConstructorParameters<typeof S3Error>[0], pattern: string, what: string): never => {
  throw new S3Error(code, `${what} in the timestamp format pattern '${pattern}'.`);
};

/** Splits a pattern into symbols and literal text (Java quoting: '…' is literal, '' is a quote). */
export function tokenize(pattern: string): Item[] {
  const items: Item[] = [];
  const chars = [...pattern];
  let i = 0;
  while (i < chars.length) {
    const c = chars[i]!;
    if (c === "'") {
      if (chars[i + 1] === "'") {
        items.push({ kind: 'text', text: "'", quoted: true });
        i += 2;
        continue;
      }
      let text = '';
      let j = i + 1;
      for (;;) {
        if (j >= chars.length) fail('EvaluatorUnterminatedTimestampFormatPatternToken', pattern, 'An unterminated quote');
        if (chars[j] === "'") {
          if (chars[j + 1] !== "'") break;
          text += "'";
          j += 2;
        } else {
          text += chars[j++];
        }
      }
      items.push({ kind: 'text', text, quoted: true });
      i = j + 1;
    } else if (/[A-Za-z]/.test(c)) {
      let j = i;
      while (chars[j] === c) j++;
      const count = j - i;
      const def = SYMBOLS[c];
      if (!def) fail('EvaluatorInvalidTimestampFormatPatternToken', pattern, `The unknown symbol '${c}'`);
      if (count > def![1]) fail('EvaluatorInvalidTimestampFormatPatternSymbol', pattern, `The symbol '${c.repeat(count)}'`);
      items.push({ kind: 'symbol', letter: c, count, field: def![0] });
      i = j;
    } else {
      if (JAVA_RESERVED.has(c)) fail('EvaluatorInvalidTimestampFormatPatternToken', pattern, `The reserved character '${c}'`);
      items.push({ kind: 'text', text: c, quoted: false });
      i++;
    }
  }
  return items;
}

const sqlLit = (s: string) => `'${s.replace(/'/g, "''")}'`;
const pad = (expr: string, width: number) => `lpad((${expr})::VARCHAR, ${width}, '0')`;
const num = (expr: string, count: number) => (count === 1 ? `(${expr})::VARCHAR` : pad(expr, count));

/** SQL rendering an offset in minutes (`O`) as Java's X / x styles. */
function offsetSql(letter: string, count: number, O: string): string {
  const sign = `CASE WHEN ${O} < 0 THEN '-' ELSE '+' END`;
  const hh = pad(`abs(${O}) // 60`, 2);
  const mm = pad(`abs(${O}) % 60`, 2);
  const body =
    count === 1
      ? `${sign} || ${hh} || CASE WHEN abs(${O}) % 60 = 0 THEN '' ELSE ${mm} END`
      : count === 3 || count === 5
        ? `${sign} || ${hh} || ':' || ${mm}`
        : `${sign} || ${hh} || ${mm}`;
  return letter === 'X' ? `CASE WHEN ${O} = 0 THEN 'Z' ELSE ${body} END` : body;
}

function formatSymbolSql(s: Sym, L: string, O: string): string {
  const { letter, count } = s;
  switch (letter) {
    case 'y':
      return count === 2 ? pad(`year(${L}) % 100`, 2) : num(`year(${L})`, count);
    case 'M':
      if (count <= 2) return num(`month(${L})`, count);
      if (count === 3) return `strftime(${L}, '%b')`;
      return count === 4 ? `strftime(${L}, '%B')` : `left(strftime(${L}, '%B'), 1)`;
    case 'd':
      return num(`day(${L})`, count);
    case 'a':
      return `CASE WHEN hour(${L}) < 12 THEN 'AM' ELSE 'PM' END`;
    case 'h':
      return num(`(hour(${L}) + 11) % 12 + 1`, count);
    case 'H':
      return num(`hour(${L})`, count);
    case 'm':
      return num(`minute(${L})`, count);
    case 's':
      return num(`second(${L})`, count);
    case 'S':
      return `left(strftime(${L}, '%f') || '000', ${count})`;
    case 'n':
      return `((microsecond(${L}) % 1000000) * 1000)::VARCHAR`;
    default:
      return offsetSql(letter, count, O);
  }
}

/**
 * TO_STRING(ts, pattern): returns a function from the SQL of an S3 timestamp expression to the SQL of
 * its formatted text (NULL for a NULL timestamp). The timestamp expression is evaluated once per row.
 */
export function compileToString(pattern: string): (tsExpr: string) => string {
  const items = tokenize(pattern);
  const L = 's3__local(t)';
  const O = 'coalesce(t.off, 0)';
  const parts = items.map((it) => (it.kind === 'text' ? sqlLit(it.text) : formatSymbolSql(it, L, O)));
  const body = parts.length > 0 ? parts.join(' || ') : "''";
  return (tsExpr) => `list_transform([s3__as_ts(${tsExpr})], lambda t: CASE WHEN t IS NULL THEN NULL ELSE ${body} END)[1]`;
}

function validateForParsing(pattern: string, items: Item[]): Sym[] {
  const symbols = items.filter((i): i is Sym => i.kind === 'symbol');
  for (const it of items) {
    if (it.kind === 'text' && !it.quoted && !PARSE_TEXT.has(it.text)) {
      fail('EvaluatorInvalidTimestampFormatPatternToken', pattern, `The unquoted character '${it.text}'`);
    }
  }
  if (symbols.some((s) => s.letter === 'M' && s.count === 5)) {
    fail('EvaluatorInvalidTimestampFormatPatternSymbolForParsing', pattern, "The format-only symbol 'MMMMM'");
  }
  const seen = new Set<Field>();
  for (const s of symbols) {
    if (seen.has(s.field)) fail('EvaluatorTimestampFormatPatternDuplicateFields', pattern, `The ${s.field} field appears twice`);
    seen.add(s.field);
  }
  const has = (f: Field) => seen.has(f);
  const need = (fields: Field[]) => {
    const missing = fields.filter((f) => !has(f));
    if (missing.length) fail('EvaluatorInvalidTimestampFormatPattern', pattern, `Missing ${missing.join(', ')} fields`);
  };
  if (has('offset') || has('ampm')) need(['year', 'month', 'day', 'hour']);
  const least = [...RANK].reverse().find(has);
  if (!least) fail('EvaluatorInvalidTimestampFormatPattern', pattern, 'A missing year field');
  need(RANK.slice(0, RANK.indexOf(least!)));
  const hour = symbols.find((s) => s.field === 'hour');
  if (hour && (hour.letter === 'h') !== has('ampm')) {
    fail('EvaluatorTimestampFormatPatternHourClockAmPmMismatch', pattern, 'A mismatch of the hour clock and the AM/PM field');
  }
  return symbols;
}

const escapeRegex = (s: string) => s.replace(/[\\.^$|?*+()[\]{}]/g, '\\$&');

function symbolRegex(s: Sym): string {
  switch (s.letter) {
    case 'y':
      return s.count === 2 ? '([0-9]{2})' : s.count === 1 ? '([0-9]{1,9})' : `([0-9]{${s.count},9})`;
    case 'M':
      if (s.count === 3) return `(${MONTHS.map((m) => m.slice(0, 3)).join('|')})`;
      if (s.count === 4) return `(${MONTHS.join('|')})`;
      return s.count === 1 ? '([0-9]{1,2})' : '([0-9]{2})';
    case 'a':
      return '(am|pm)';
    case 'S':
      return `([0-9]{${s.count}})`;
    case 'n':
      return '([0-9]{1,9})';
    case 'X':
    case 'x': {
      const zero = s.letter === 'X' ? 'z|' : '';
      const body = s.count === 1 ? '[+-][0-9]{2}(?:[0-9]{2})?' : s.count === 3 || s.count === 5 ? '[+-][0-9]{2}:[0-9]{2}' : '[+-][0-9]{4}';
      return `(${zero}${body})`;
    }
    default:
      return s.count === 1 ? '([0-9]{1,2})' : '([0-9]{2})';
  }
}

/**
 * TO_TIMESTAMP(text, pattern): returns a function from the SQL of a string expression to the SQL of an
 * S3 timestamp (NULL for NULL). Text that does not match, or names an impossible time, raises
 * ValueParseFailure. A day past the month's end is clamped to its last day, as Java's default resolver does.
 */
export function compileParse(pattern: string): (strExpr: string) => string {
  const items = tokenize(pattern);
  const symbols = validateForParsing(pattern, items);
  const regex = '(?i)^' + items.map((it) => (it.kind === 'text' ? escapeRegex(it.text) : symbolRegex(it))).join('') + '$';
  const group = new Map<Field, string>();
  const letterOf = new Map<Field, Sym>();
  symbols.forEach((s, i) => {
    group.set(s.field, `g.g${i}`);
    letterOf.set(s.field, s);
  });
  const int = (f: Field, dflt: string) => (group.has(f) ? `CAST(${group.get(f)} AS INTEGER)` : dflt);

  // Two-digit years pivot at 70: 69 is 2069, 70 is 1970.
  const year = letterOf.get('year')!.count === 2
    ? `(1900 + ${int('year', '0')} + CASE WHEN ${int('year', '0')} < 70 THEN 100 ELSE 0 END)`
    : int('year', '1');
  const monthSym = letterOf.get('month');
  const month = !monthSym
    ? '1'
    : monthSym.count === 3 || monthSym.count === 4
      ? `list_position(${'[' + MONTHS.map((m) => sqlLit(monthSym.count === 3 ? m.slice(0, 3) : m)).join(', ') + ']'}, lower(${group.get('month')}))`
      : int('month', '1');
  const hourSym = letterOf.get('hour');
  const hour = !hourSym ? '0' : hourSym.letter === 'h' ? `${int('hour', '0')} % 12 + CASE WHEN lower(${group.get('ampm')}) = 'pm' THEN 12 ELSE 0 END` : int('hour', '0');
  // Java's default (smart) resolver accepts 0-12 for the 12-hour clock.
  const hourOk = !hourSym ? 'true' : hourSym.letter === 'h' ? `${int('hour', '0')} <= 12` : `${int('hour', '0')} <= 23`;
  const frac = letterOf.get('fraction');
  const fg = group.get('fraction');
  // Nine-digit nanosecond text, from S…S (left-aligned digits) or n (a number of nanoseconds).
  const nanos = !frac ? "'000000000'" : frac.letter === 'S' ? `rpad(${fg}, 9, '0')` : `lpad(${fg}, 9, '0')`;
  const offG = group.get('offset');
  const offset = !offG
    ? 'NULL'
    : `CASE WHEN upper(${offG}) = 'Z' THEN 0 ELSE CASE WHEN left(${offG}, 1) = '-' THEN -1 ELSE 1 END * ` +
      `(CAST(substr(${offG}, 2, 2) AS INTEGER) * 60 + CAST(coalesce(nullif(replace(substr(${offG}, 4), ':', ''), ''), '0') AS INTEGER)) END`;
  const least = [...RANK].reverse().find((f) => group.has(f))!;
  const prec = least === 'fraction' ? `5 + length(rtrim(p.ns, '0'))` : String(PRECISION[least]);

  const parts =
    `struct_pack(y := ${year}, mo := ${month}, d := ${int('day', '1')}, h := ${hour}, hok := ${hourOk}, ` +
    `mi := ${int('minute', '0')}, s := ${int('second', '0')}, ns := ${nanos}, off := ${offset})`;
  const valid =
    'p.y BETWEEN 1 AND 9999 AND p.mo BETWEEN 1 AND 12 AND p.d BETWEEN 1 AND 31 AND p.hok AND p.mi <= 59 AND p.s <= 59 ' +
    'AND coalesce(abs(p.off), 0) <= 1080';
  const local =
    'make_timestamp(p.y, p.mo, least(p.d, day(last_day(make_date(p.y, p.mo, 1)))), p.h, p.mi, p.s) ' +
    '+ to_microseconds(CAST(left(p.ns, 6) AS BIGINT))';
  const bad = `error(${sqlLit(`ValueParseFailure: the text does not match the timestamp format pattern '${pattern}'`)})`;
  const names = symbols.map((_, i) => `'g${i}'`).join(', ');

  return (strExpr) =>
    `list_transform([regexp_extract(${strExpr}, ${sqlLit(regex)}, [${names}])], lambda g: CASE ` +
    `WHEN g IS NULL THEN NULL WHEN g.g0 = '' THEN ${bad} ELSE ` +
    `list_transform([${parts}], lambda p: CASE WHEN NOT (${valid}) THEN ${bad} ` +
    `ELSE s3__ts(${local} - to_minutes(coalesce(p.off, 0)::BIGINT), p.off, ${prec}) END)[1] END)[1]`;
}
