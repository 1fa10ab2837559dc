// Token cursor shared by the expression and statement parsers: lookahead, expectations and errors.
import type { S3ErrorCode } from '../../errors.js';
import type { Pos } from './ast.js';
import { sqlError } from './error.js';
import type { Operator, Punct, Token } from './lexer.js';

export class Cursor {
  protected i = 0;

  constructor(protected readonly tokens: Token[]) {}

  peek(k = 0): Token {
    return this.tokens[Math.min(this.i + k, this.tokens.length - 1)];
  }

  next(): Token {
    const t = this.peek();
    if (this.i < this.tokens.length - 1) this.i++;
    return t;
  }

  isKeyword(t: Token, ...words: string[]): boolean {
    return t.kind === 'keyword' && words.includes(t.word);
  }

  isPunct(t: Token, p: Punct): boolean {
    return t.kind === 'punct' && t.text === p;
  }

  isOp(t: Token, op: Operator): boolean {
    return t.kind === 'op' && t.text === op;
  }

  acceptKeyword(word: string): Token | undefined {
    return this.isKeyword(this.peek(), word) ? this.next() : undefined;
  }

  acceptPunct(p: Punct): Token | undefined {
    return this.isPunct(this.peek(), p) ? this.next() : undefined;
  }

  /** Consumes `p` or fails with `code` (ParseExpectedTokenType unless the context has a better code). */
  expectPunct(p: Punct, code: S3ErrorCode = 'ParseExpectedTokenType', context = ''): Token {
    const t = this.peek();
    if (!this.isPunct(t, p)) this.fail(code, `Expected '${p}'${context} but found ${describe(t)}`, t);
    return this.next();
  }

  expectKeyword(word: string, context = ''): Token {
    const t = this.peek();
    if (!this.isKeyword(t, word)) {
      this.fail('ParseExpectedKeyword', `Expected keyword ${word.toUpperCase()}${context} but found ${describe(t)}`, t);
    }
    return this.next();
  }

  fail(code: S3ErrorCode, what: string, at: Token | Pos): never {
    throw sqlError(code, what, 'kind' in at ? at.pos : at);
  }
}

/** Human-readable description of a token for error messages. */
export function describe(t: Token): string {
  switch (t.kind) {
    case 'eof': return 'end of expression';
    case 'keyword': return `keyword ${t.text.toUpperCase()}`;
    case 'ident': return `identifier '${clip(t.text)}'`;
    case 'qident': return `quoted identifier "${clip(t.text)}"`;
    case 'number': return `number ${clip(t.text)}`;
    case 'string': return `string '${clip(t.text)}'`;
    case 'ion': return `literal \`${clip(t.text)}\``;
    case 'op': return `operator '${t.text}'`;
    case 'punct': return `'${t.text}'`;
  }
}

function clip(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}
