// Just enough of DuckDB's lexical rules to find things in a client's SQL text: comments, string literals
// (plain, E'…', $tag$…$tag$), quoted identifiers, keywords and the extent of a function call. The guard
// locates what DuckDB's parse tree points at (byte offsets) and checks that the text there decodes to
// the same value, so a disagreement between this scanner and DuckDB can only cause a refusal.

export interface Literal {
  /** Character offsets of the token in the text: [start, end). */
  start: number;
  end: number;
  value: string;
  kind: 'string' | 'identifier';
}

const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v';
const isIdentStart = (c: string) => /[A-Za-z_\u0080-\uffff]/.test(c);
const isIdentPart = (c: string) => /[A-Za-z0-9_$\u0080-\uffff]/.test(c);

/** Index after whitespace and comments (`--` to end of line, nested block comments) from `i`. */
export function skipTrivia(text: string, i: number): number {
  for (;;) {
    while (i < text.length && isSpace(text[i]!)) i++;
    if (text.startsWith('--', i)) {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? text.length : nl + 1;
    } else if (text.startsWith('/*', i)) {
      let depth = 1;
      i += 2;
      while (i < text.length && depth > 0) {
        if (text.startsWith('/*', i)) { depth++; i += 2; } else if (text.startsWith('*/', i)) { depth--; i += 2; } else i++;
      }
    } else {
      return i;
    }
  }
}

/** Offset into `text` (UTF-16 units) of a UTF-8 byte offset as DuckDB reports it; undefined when out of range. */
export function charOffset(text: string, byteOffset: number): number | undefined {
  if (!Number.isSafeInteger(byteOffset) || byteOffset < 0) return undefined;
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    if (bytes === byteOffset) return i;
    const code = text.codePointAt(i)!;
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
    if (code >= 0x10000) i++;
  }
  return bytes === byteOffset ? text.length : undefined;
}

function quoted(text: string, i: number, quote: string): { end: number; value: string } | undefined {
  let value = '';
  for (let j = i + 1; j < text.length; j++) {
    if (text[j] !== quote) { value += text[j]; continue; }
    if (text[j + 1] === quote) { value += quote; j++; continue; }
    return { end: j + 1, value };
  }
  return undefined;
}

const simpleEscapes: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/** An E'…' string body with backslash escapes (PostgreSQL rules). */
function escaped(text: string, i: number): { end: number; value: string } | undefined {
  let value = '';
  for (let j = i + 1; j < text.length; j++) {
    const c = text[j]!;
    if (c === "'") {
      if (text[j + 1] === "'") { value += "'"; j++; continue; }
      return { end: j + 1, value };
    }
    if (c !== '\\') { value += c; continue; }
    const n = text[++j];
    if (n === undefined) return undefined;
    const hex = (len: number, re: RegExp) => {
      const m = re.exec(text.slice(j + 1, j + 1 + len));
      if (!m) return false;
      value += String.fromCodePoint(parseInt(m[0], 16));
      j += m[0].length;
      return true;
    };
    if (simpleEscapes[n] !== undefined) value += simpleEscapes[n];
    else if (n === 'x') { if (!hex(2, /^[0-9A-Fa-f]{1,2}/)) value += 'x'; }
    else if (n === 'u') { if (!hex(4, /^[0-9A-Fa-f]{4}/)) return undefined; }
    else if (n === 'U') { if (!hex(8, /^[0-9A-Fa-f]{8}/)) return undefined; }
    else if (/[0-7]/.test(n)) {
      const m = /^[0-7]{1,3}/.exec(text.slice(j, j + 3))!;
      value += String.fromCharCode(parseInt(m[0], 8));
      j += m[0].length - 1;
    } else value += n;
  }
  return undefined;
}

/** The string literal or quoted identifier starting exactly at `i`, decoded. */
export function literalAt(text: string, i: number): Literal | undefined {
  const c = text[i];
  if (c === "'") {
    const q = quoted(text, i, "'");
    return q && { start: i, end: q.end, value: q.value, kind: 'string' };
  }
  if (c === '"') {
    const q = quoted(text, i, '"');
    return q && { start: i, end: q.end, value: q.value, kind: 'identifier' };
  }
  if ((c === 'E' || c === 'e') && text[i + 1] === "'") {
    const q = escaped(text, i + 1);
    return q && { start: i, end: q.end, value: q.value, kind: 'string' };
  }
  if (c === '$') {
    const m = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(text.slice(i));
    if (!m) return undefined;
    const close = text.indexOf(m[0], i + m[0].length);
    if (close < 0) return undefined;
    return { start: i, end: close + m[0].length, value: text.slice(i + m[0].length, close), kind: 'string' };
  }
  return undefined;
}

/** Index just past the token at `i` (a literal, an identifier, or one other character). */
function tokenEnd(text: string, i: number): number {
  const lit = literalAt(text, i);
  if (lit) return lit.end;
  if (isIdentStart(text[i]!)) {
    let j = i + 1;
    while (j < text.length && isIdentPart(text[j]!)) j++;
    return j;
  }
  return i + 1;
}

/**
 * The extent of the call starting at `i` (`name(…)`, `schema.name(…)`, quoted names allowed) through
 * its matching parenthesis; undefined if the text there is not a call.
 */
export function callSpanAt(text: string, i: number): { start: number; end: number } | undefined {
  let j = i;
  for (;;) {
    const end = tokenEnd(text, j);
    if (end === j + 1 && !isIdentStart(text[j]!)) return undefined;
    j = skipTrivia(text, end);
    if (text[j] === '.') { j = skipTrivia(text, j + 1); continue; }
    if (text[j] !== '(') return undefined;
    break;
  }
  let depth = 0;
  while (j < text.length) {
    j = skipTrivia(text, j);
    const c = text[j];
    if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return { start: i, end: j + 1 };
    // An unterminated quote cannot occur in text DuckDB parsed; if this scanner sees one, give up.
    if ((c === "'" || c === '"') && literalAt(text, j) === undefined) return undefined;
    j = tokenEnd(text, j);
  }
  return undefined;
}

/** The next word (identifier or keyword) at or after `i`, upper-cased, with where it ends. */
export function wordAt(text: string, i: number): { word: string; start: number; end: number } | undefined {
  const start = skipTrivia(text, i);
  if (start >= text.length || !isIdentStart(text[start]!)) return undefined;
  let end = start + 1;
  while (end < text.length && isIdentPart(text[end]!)) end++;
  return { word: text.slice(start, end).toUpperCase(), start, end };
}

/** The text without trailing whitespace, comments and semicolons (what one statement needs to be embedded). */
export function trimStatement(text: string): string {
  let lastEnd = 0;
  let i = skipTrivia(text, 0);
  while (i < text.length) {
    const end = tokenEnd(text, i);
    if (text[i] !== ';') lastEnd = end;
    i = skipTrivia(text, end);
  }
  return text.slice(skipTrivia(text, 0), lastEnd);
}

/** True when a `;` separates statements in the text (outside literals and comments). */
export function hasStatementSeparator(text: string): boolean {
  for (let i = skipTrivia(text, 0); i < text.length; i = skipTrivia(text, tokenEnd(text, i))) {
    if (text[i] === ';') return true;
  }
  return false;
}

/** A SQL string literal for a value we generate (paths, URLs). */
export function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}
