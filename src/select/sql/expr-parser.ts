// Expression parser: precedence climbing over the operator table of spec §3.5, plus terms, paths and
// CASE. Recursion and tree depth are capped so hostile input fails with MaxOperatorsExceeded instead
// of exhausting the stack (here or in later passes that walk the tree).
import type { BinaryOp, CaseExpr, Expr, Identifier, IntLiteral, LikeExpr, PathExpr, PathStep, Pos, WhenClause } from './ast.js';
import { childrenOf } from './ast.js';
import { parseCall } from './calls.js';
import { Cursor, describe } from './cursor.js';
import type { Token } from './lexer.js';

/** Deepest parser recursion (nested parentheses, operands, arguments) accepted. */
export const MAX_NESTING = 256;
/** Deepest expression tree accepted (AND/OR chains are flat and count once). */
export const MAX_TREE_DEPTH = 256;

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

// Binding powers, low to high. `=`, `<>` and `!=` associate to the right per the AWS table.
const BP = { OR: 10, AND: 20, NOT: 30, EQ: 40, CMP: 50, LIKE: 52, BETWEEN: 54, IN: 56, CONCAT: 60, ADD: 70, MUL: 80, UNARY: 90 };
const OP_BP: Record<string, number> = {
  '=': BP.EQ, '<>': BP.EQ, '!=': BP.EQ, '<': BP.CMP, '>': BP.CMP, '<=': BP.CMP, '>=': BP.CMP,
  '||': BP.CONCAT, '+': BP.ADD, '-': BP.ADD, '*': BP.MUL, '/': BP.MUL, '%': BP.MUL,
};
const KEYWORD_BP: Record<string, number> = { or: BP.OR, and: BP.AND, is: BP.EQ, like: BP.LIKE, between: BP.BETWEEN, in: BP.IN };
/** Keywords that only make sense between operands. */
const INFIX_KEYWORDS = new Set(['and', 'or', 'is', 'like', 'between', 'in', 'escape']);

/** Where a path is being parsed decides what `[*]` and `.*` mean. */
export type PathContext = 'from' | 'select' | 'other';

export class ExprParser extends Cursor {
  private nesting = 0;
  private readonly depths = new WeakMap<object, number>();
  protected pathContext: PathContext = 'other';
  /** In a select item: positions of wildcard (`[*]`, `.*`) and bracket steps seen so far. */
  protected selectPathMarks: { kind: 'star' | 'bracket'; pos: Pos }[] = [];

  parseExpr(minBp = 0): Expr {
    const start = this.peek();
    if (++this.nesting > MAX_NESTING) this.fail('MaxOperatorsExceeded', `Expression nests deeper than ${MAX_NESTING} levels`, start);
    let left = this.parsePrefix();
    for (;;) {
      const t = this.peek();
      const bp = this.infixPower(t);
      if (bp === undefined || bp <= minBp) break;
      left = this.parseInfix(left, bp);
    }
    this.nesting--;
    return left;
  }

  private infixPower(t: Token): number | undefined {
    if (t.kind === 'op') return OP_BP[t.text];
    if (t.kind !== 'keyword') return undefined;
    if (t.word === 'not') {
      const n = this.peek(1);
      return n.kind === 'keyword' && ['like', 'between', 'in'].includes(n.word) ? KEYWORD_BP[n.word] : undefined;
    }
    return KEYWORD_BP[t.word];
  }

  private parseInfix(left: Expr, bp: number): Expr {
    const opTok = this.next();
    const pos = opTok.pos;
    if (opTok.kind === 'op') {
      const rightBp = bp === BP.EQ ? bp - 1 : bp;
      const right = this.parseExpr(rightBp);
      return this.node({ kind: 'binary', op: opTok.text as BinaryOp, left, right, pos });
    }
    const word = opTok.kind === 'keyword' ? opTok.word : '';
    if (word === 'and' || word === 'or') {
      const op = word === 'and' ? 'AND' : 'OR';
      const right = this.parseExpr(bp);
      if (left.kind === 'logical' && left.op === op) {
        left.operands.push(right);
        this.depths.set(left, Math.max(this.depthOf(left), 1 + this.depthOf(right)));
        return left;
      }
      return this.node({ kind: 'logical', op, operands: [left, right], pos });
    }
    if (word === 'is') {
      const negated = this.acceptKeyword('not') !== undefined;
      const t = this.next();
      if (!this.isKeyword(t, 'null', 'missing')) this.fail('ParseExpectedTypeName', `Expected NULL or MISSING after IS but found ${describe(t)}`, t);
      return this.node({ kind: 'is', negated, operand: left, test: t.kind === 'keyword' && t.word === 'null' ? 'NULL' : 'MISSING', pos });
    }
    const negated = word === 'not';
    const kw = negated ? this.next() : opTok;
    const which = kw.kind === 'keyword' ? kw.word : '';
    if (which === 'between') {
      const low = this.parseExpr(bp);
      this.expectKeyword('and', ' in BETWEEN');
      const high = this.parseExpr(bp);
      return this.node({ kind: 'between', negated, operand: left, low, high, pos });
    }
    if (which === 'like') {
      const pattern = this.parseExpr(bp);
      const node: LikeExpr = { kind: 'like', negated, operand: left, pattern, pos };
      if (this.acceptKeyword('escape')) node.escape = this.parseExpr(bp);
      return this.node(node);
    }
    return this.node({ kind: 'in', negated, operand: left, list: this.parseInList(), pos });
  }

  private parseInList(): Expr[] {
    this.expectPunct('(', 'ParseExpectedTokenType', ' after IN');
    if (this.isKeyword(this.peek(), 'select')) this.fail('ParseUnsupportedSyntax', 'Subqueries are not supported', this.peek());
    const list = [this.parseExpr()];
    while (this.acceptPunct(',')) list.push(this.parseExpr());
    this.expectPunct(')', 'ParseExpectedTokenType', ' to close the IN list');
    return list;
  }

  private parsePrefix(): Expr {
    const t = this.peek();
    if (this.isOp(t, '-') || this.isOp(t, '+')) {
      this.next();
      const operand = this.parseExpr(BP.UNARY);
      const folded = foldSign(t.text === '-', operand, t.pos);
      return folded ?? this.node({ kind: 'unary', op: t.text === '-' ? '-' : '+', operand, pos: t.pos });
    }
    if (this.isKeyword(t, 'not')) {
      this.next();
      const operand = this.parseExpr(BP.NOT);
      return this.node({ kind: 'unary', op: 'NOT', operand, pos: t.pos });
    }
    return this.parseTerm();
  }

  private parseTerm(): Expr {
    const t = this.next();
    switch (t.kind) {
      case 'number': {
        if (t.numeric !== 'int') return { kind: t.numeric, text: t.text, pos: t.pos };
        return intLiteral(t.text, t.pos);
      }
      case 'string': return { kind: 'string', value: t.text, pos: t.pos };
      case 'ion': return { ...t.literal, pos: t.pos };
      case 'qident': return this.parsePath(t);
      case 'ident':
        if (this.isPunct(this.peek(), '(')) return this.callOrFail(t);
        return this.parsePath(t);
      case 'keyword': return this.parseKeywordTerm(t);
      case 'op': return this.fail('ParseUnexpectedOperator', `Unexpected operator '${t.text}' where an expression was expected`, t);
      case 'eof': return this.fail('ParseExpectedExpression', 'Expected an expression but the query ended', t);
      case 'punct':
        if (t.text === '(') {
          if (this.isKeyword(this.peek(), 'select')) this.fail('ParseUnsupportedSyntax', 'Subqueries are not supported', this.peek());
          const inner = this.parseExpr();
          this.expectPunct(')', 'ParseExpectedTokenType', ' to close the parenthesis');
          return inner;
        }
        if (t.text === ';') return this.fail('ParseExpectedExpression', "Expected an expression but found ';'", t);
        return this.fail('ParseUnexpectedTerm', `Unexpected ${describe(t)} where an expression was expected`, t);
    }
  }

  private parseKeywordTerm(t: Extract<Token, { kind: 'keyword' }>): Expr {
    switch (t.word) {
      case 'true': case 'false': return { kind: 'bool', value: t.word === 'true', pos: t.pos };
      case 'null': return { kind: 'null', pos: t.pos };
      case 'missing': return { kind: 'missing', pos: t.pos };
      case 'case': return this.parseCase(t.pos);
      case 'select': return this.fail('ParseUnsupportedSyntax', 'Subqueries are not supported', t);
    }
    if (INFIX_KEYWORDS.has(t.word)) this.fail('ParseUnexpectedOperator', `Unexpected ${describe(t)} where an expression was expected`, t);
    const call = parseCall(this, t);
    if (call) return call;
    if (this.isPunct(this.peek(), '(')) this.fail('UnsupportedFunction', `Unsupported function ${t.text.toUpperCase()}`, t);
    return this.fail('ParseUnExpectedKeyword', `Unexpected ${describe(t)}; double-quote reserved words used as names`, t);
  }

  private callOrFail(t: Extract<Token, { kind: 'ident' }>): Expr {
    return parseCall(this, t) ?? this.fail('UnsupportedFunction', `Unsupported function ${t.text}`, t);
  }

  private parseCase(pos: Pos): Expr {
    let operand: Expr | undefined;
    if (!this.isKeyword(this.peek(), 'when')) {
      if (this.isKeyword(this.peek(), 'else', 'end')) this.fail('ParseExpectedWhenClause', 'CASE needs at least one WHEN clause', this.peek());
      operand = this.parseExpr();
    }
    const whens: WhenClause[] = [];
    for (let w = this.acceptKeyword('when'); w; w = this.acceptKeyword('when')) {
      const when = this.parseExpr();
      this.expectKeyword('then', ' in CASE');
      whens.push({ when, then: this.parseExpr(), pos: w.pos });
    }
    if (whens.length === 0) this.fail('ParseExpectedWhenClause', `Expected WHEN in CASE but found ${describe(this.peek())}`, this.peek());
    const node: CaseExpr = { kind: 'case', whens, pos };
    if (operand) node.operand = operand;
    if (this.acceptKeyword('else')) node.else = this.parseExpr();
    if (this.isKeyword(this.peek(), 'when', 'else')) {
      this.fail('ParseUnsupportedCaseClause', `${this.peek().text.toUpperCase()} cannot follow ELSE in CASE`, this.peek());
    }
    this.expectKeyword('end', ' to close CASE');
    if (this.isPunct(this.peek(), '.') || this.isPunct(this.peek(), '[')) {
      this.fail('ParseUnsupportedCase', 'A CASE expression cannot be followed by a path', this.peek());
    }
    return this.node(node);
  }

  /** Parses a path starting at an identifier token (already consumed). */
  protected parsePath(rootTok: Extract<Token, { kind: 'ident' | 'qident' }>): PathExpr {
    const root: Identifier = { name: rootTok.text, quoted: rootTok.kind === 'qident', pos: rootTok.pos };
    return { kind: 'path', root, steps: this.parseSteps(), pos: rootTok.pos };
  }

  /** Path steps after a root: `.name`, `."Name"`, `.*`, `[n]`, `['name']`, `[*]`. */
  protected parseSteps(): PathStep[] {
    const steps: PathStep[] = [];
    for (;;) {
      const t = this.peek();
      if (this.isPunct(t, '.')) {
        this.next();
        const n = this.next();
        if (n.kind === 'ident' || n.kind === 'qident') steps.push({ kind: 'field', name: n.text, quoted: n.kind === 'qident', pos: n.pos });
        else if (this.isOp(n, '*')) steps.push(this.wildcard('unpivot', n.pos));
        else if (n.kind === 'keyword') {
          this.fail('ParseInvalidPathComponent', `Reserved word ${n.text.toUpperCase()} cannot be an attribute name unless double-quoted ("${n.text}")`, n);
        } else this.fail('ParseInvalidPathComponent', `Invalid path component ${describe(n)} after '.'`, n);
      } else if (this.isPunct(t, '[')) {
        this.next();
        steps.push(this.bracketStep());
        this.expectPunct(']', 'ParseExpectedTokenType', ' to close the path bracket');
      } else return steps;
    }
  }

  private bracketStep(): PathStep {
    const n = this.next();
    if (this.isOp(n, '*')) return this.wildcard('wildcard', n.pos);
    if (this.pathContext === 'select') this.selectPathMarks.push({ kind: 'bracket', pos: n.pos });
    if (n.kind === 'string') return { kind: 'field', name: n.text, quoted: true, pos: n.pos };
    if (n.kind === 'number' && n.numeric === 'int' && n.text.length <= 15) return { kind: 'index', index: Number(n.text), pos: n.pos };
    return this.fail('ParseInvalidPathComponent', `Invalid path index ${describe(n)}: expected a non-negative integer, a string or *`, n);
  }

  private wildcard(kind: 'wildcard' | 'unpivot', pos: Pos): PathStep {
    if (this.pathContext === 'other') {
      this.fail('ParseInvalidPathComponent', `Wildcard path step ${kind === 'wildcard' ? '[*]' : '.*'} is only allowed in FROM or at the end of a select item`, pos);
    }
    if (this.pathContext === 'select') this.selectPathMarks.push({ kind: 'star', pos });
    return { kind, pos };
  }

  /** Records the tree depth of a new node and enforces MAX_TREE_DEPTH. */
  node<T extends Expr>(n: T): T {
    let depth = 1;
    for (const c of childrenOf(n)) depth = Math.max(depth, 1 + this.depthOf(c));
    if (depth > MAX_TREE_DEPTH) this.fail('MaxOperatorsExceeded', `Expression is more than ${MAX_TREE_DEPTH} operators deep`, n.pos);
    this.depths.set(n, depth);
    return n;
  }

  private depthOf(e: Expr): number {
    return this.depths.get(e) ?? 1;
  }
}

/** Integer literal node; int64 fit is checked on the length first so huge literals stay cheap. */
export function intLiteral(text: string, pos: Pos): IntLiteral {
  const digits = text.replace(/^-/, '').replace(/^0+(?=\d)/, '');
  const fitsInt64 = digits.length < 19 || (digits.length === 19 && BigInt(text) <= INT64_MAX && BigInt(text) >= INT64_MIN);
  return { kind: 'int', text, fitsInt64, pos };
}

/** Folds a sign into a numeric literal (so `-9223372036854775808` fits int64); undefined otherwise. */
function foldSign(negate: boolean, e: Expr, pos: Pos): Expr | undefined {
  if (e.kind !== 'int' && e.kind !== 'decimal' && e.kind !== 'float') return undefined;
  if (!negate) return { ...e, pos };
  const text = e.text.startsWith('-') ? e.text.slice(1) : `-${e.text}`;
  return e.kind === 'int' ? intLiteral(text, pos) : { kind: e.kind, text, pos };
}
