// Tokenizer for the S3 Select dialect. Positions are tracked incrementally (line, column in code
// points) so error messages can name the offending token without rescanning the text.
import type { Literal, Pos } from './ast.js';
import { sqlError } from './error.js';
import { parseIonLiteral } from './ion.js';
import { RESERVED } from './keywords.js';

/** Maximum expression size in UTF-8 bytes (same limit as the request parser applies). */
export const MAX_EXPRESSION_BYTES = 256 * 1024;

export type Operator = '+' | '-' | '*' | '/' | '%' | '||' | '=' | '<>' | '!=' | '<' | '>' | '<=' | '>=';
export type Punct = '(' | ')' | '[' | ']' | ',' | '.' | ';';

export type Token =
  /** Unquoted name that is not reserved; `text` keeps the original spelling. */
  | { kind: 'ident'; text: string; pos: Pos }
  /** "Double quoted" name with `""` unescaped. */
  | { kind: 'qident'; text: string; pos: Pos }
  /** Reserved word; `word` is lower-case, `text` the original spelling. */
  | { kind: 'keyword'; word: string; text: string; pos: Pos }
  /** Unsigned numeric literal; `text` verbatim. */
  | { kind: 'number'; numeric: 'int' | 'decimal' | 'float'; text: string; pos: Pos }
  /** 'single quoted' string with `''` unescaped. */
  | { kind: 'string'; text: string; pos: Pos }
  /** Backtick Ion literal, already validated and converted. */
  | { kind: 'ion'; text: string; literal: Literal; pos: Pos }
  | { kind: 'op'; text: Operator; pos: Pos }
  | { kind: 'punct'; text: Punct; pos: Pos }
  | { kind: 'eof'; text: ''; pos: Pos };

const IDENT_START = /[A-Za-z_$]/;
const IDENT_PART = /[A-Za-z0-9_$]/;
const DIGIT = /[0-9]/;
const SPACE = /[ \t\n\r\f\v]/;
const PUNCT = new Set<string>(['(', ')', '[', ']', ',', '.', ';']);
const SINGLE_OPS = new Set<string>(['+', '-', '*', '/', '%', '=', '<', '>']);
/** Operator characters with no meaning in the dialect (rather than characters that are not SQL at all). */
const STRAY_OPERATOR_CHARS = new Set<string>(['!', '|', '^', '&', '~']);

/** Splits `sql` into tokens ending with an `eof` token; throws S3Error on lexical errors. */
export function tokenize(sql: string): Token[] {
  return new Lexer(sql).run();
}

class Lexer {
  private i = 0;
  private line = 1;
  private col = 1;
  private readonly tokens: Token[] = [];

  constructor(private readonly src: string) {}

  run(): Token[] {
    const src = this.src;
    // NUL is refused everywhere, even inside literals: C APIs downstream would cut the text there.
    const nul = src.indexOf('\0');
    if (nul >= 0) {
      while (this.i < nul) this.bump();
      throw sqlError('LexerInvalidChar', 'Invalid character U+0000', this.pos());
    }
    while (true) {
      this.skipSpaceAndComments();
      const pos = this.pos();
      if (this.i >= src.length) {
        this.tokens.push({ kind: 'eof', text: '', pos });
        return this.tokens;
      }
      const c = src[this.i];
      const next = src[this.i + 1];
      if (IDENT_START.test(c)) this.word(pos);
      else if (DIGIT.test(c) || (c === '.' && next !== undefined && DIGIT.test(next))) this.number(pos);
      else if (c === "'") this.tokens.push({ kind: 'string', text: this.quoted("'", 'string literal', pos), pos });
      else if (c === '"') this.tokens.push({ kind: 'qident', text: this.quoted('"', 'quoted identifier', pos), pos });
      else if (c === '`') this.ion(pos);
      else if (PUNCT.has(c)) {
        this.bump();
        this.tokens.push({ kind: 'punct', text: c as Punct, pos });
      } else this.operator(c, next, pos);
    }
  }

  private pos(): Pos {
    return { line: this.line, col: this.col, offset: this.i };
  }

  /** Consumes one character (a surrogate pair counts as one column; CRLF as one line break). */
  private bump(): void {
    const c = this.src.charCodeAt(this.i);
    this.i++;
    if (c === 0x0a || (c === 0x0d && this.src.charCodeAt(this.i) !== 0x0a)) {
      this.line++;
      this.col = 1;
      return;
    }
    if (c >= 0xd800 && c <= 0xdbff) {
      const lo = this.src.charCodeAt(this.i);
      if (lo >= 0xdc00 && lo <= 0xdfff) this.i++;
    }
    if (c !== 0x0d) this.col++;
  }

  private skipSpaceAndComments(): void {
    const src = this.src;
    while (this.i < src.length) {
      const c = src[this.i];
      if (SPACE.test(c)) this.bump();
      else if (c === '-' && src[this.i + 1] === '-') {
        while (this.i < src.length && src[this.i] !== '\n' && src[this.i] !== '\r') this.bump();
      } else if (c === '/' && src[this.i + 1] === '*') {
        const start = this.pos();
        const end = src.indexOf('*/', this.i + 2);
        if (end < 0) throw sqlError('LexerInvalidChar', 'Unterminated /* comment', start);
        while (this.i < end + 2) this.bump();
      } else return;
    }
  }

  private word(pos: Pos): void {
    const start = this.i;
    while (this.i < this.src.length && IDENT_PART.test(this.src[this.i])) this.bump();
    const text = this.src.slice(start, this.i);
    const word = text.toLowerCase();
    this.tokens.push(RESERVED.has(word) ? { kind: 'keyword', word, text, pos } : { kind: 'ident', text, pos });
  }

  private number(pos: Pos): void {
    const src = this.src;
    const start = this.i;
    let numeric: 'int' | 'decimal' | 'float' = 'int';
    const digits = () => {
      while (this.i < src.length && DIGIT.test(src[this.i])) this.bump();
    };
    digits();
    if (src[this.i] === '.') {
      numeric = 'decimal';
      this.bump();
      digits();
    }
    if (src[this.i] === 'e' || src[this.i] === 'E') {
      numeric = 'float';
      this.bump();
      if (src[this.i] === '+' || src[this.i] === '-') this.bump();
      const expStart = this.i;
      digits();
      if (this.i === expStart) throw sqlError('LexerInvalidLiteral', `Invalid number '${src.slice(start, this.i)}': missing exponent digits`, pos);
    }
    if (this.i < src.length && IDENT_PART.test(src[this.i])) {
      while (this.i < src.length && IDENT_PART.test(src[this.i])) this.bump();
      throw sqlError('LexerInvalidLiteral', `Invalid number '${clip(src.slice(start, this.i))}'`, pos);
    }
    this.tokens.push({ kind: 'number', numeric, text: src.slice(start, this.i), pos });
  }

  /** Reads a string or quoted identifier; a doubled quote stands for one quote character. */
  private quoted(q: string, what: string, pos: Pos): string {
    const src = this.src;
    this.bump();
    let out = '';
    while (true) {
      const end = src.indexOf(q, this.i);
      if (end < 0) throw sqlError('LexerInvalidLiteral', `Unterminated ${what}`, pos);
      out += src.slice(this.i, end);
      while (this.i <= end) this.bump();
      if (src[this.i] !== q) return out;
      out += q;
      this.bump();
    }
  }

  private ion(pos: Pos): void {
    const end = this.src.indexOf('`', this.i + 1);
    if (end < 0) throw sqlError('LexerInvalidIONLiteral', 'Unterminated backtick (Ion) literal', pos);
    const text = this.src.slice(this.i + 1, end);
    while (this.i <= end) this.bump();
    this.tokens.push({ kind: 'ion', text, literal: parseIonLiteral(text, pos), pos });
  }

  private operator(c: string, next: string | undefined, pos: Pos): void {
    const two = c + (next ?? '');
    if (two === '||' || two === '<>' || two === '!=' || two === '<=' || two === '>=') {
      this.bump();
      this.bump();
      this.tokens.push({ kind: 'op', text: two, pos });
      return;
    }
    if (SINGLE_OPS.has(c)) {
      this.bump();
      this.tokens.push({ kind: 'op', text: c as Operator, pos });
      return;
    }
    if (STRAY_OPERATOR_CHARS.has(c)) throw sqlError('LexerInvalidOperator', `Invalid operator '${c}'`, pos);
    throw sqlError('LexerInvalidChar', `Invalid character ${describeChar(this.src, this.i)}`, pos);
  }
}

function describeChar(src: string, i: number): string {
  const cp = src.codePointAt(i) ?? 0;
  const hex = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  return cp < 0x20 || cp === 0x7f ? hex : `'${String.fromCodePoint(cp)}' (${hex})`;
}

function clip(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}
