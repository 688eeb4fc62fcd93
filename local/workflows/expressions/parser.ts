import { ExpressionSyntaxError, Token, tokenize } from './lexer';

/** Expression syntax tree. `pos` is the offset in the expression text, for error messages. */
export type Expr =
  | { k: 'lit'; v: null | boolean | bigint | number | string }
  | { k: 'var'; name: string; pos: number }
  | { k: 'member'; obj: Expr; name: string; pos: number }
  | { k: 'index'; obj: Expr; index: Expr; pos: number }
  | { k: 'call'; name: string; args: Expr[]; pos: number }
  | { k: 'unary'; op: '-' | 'not'; e: Expr; pos: number }
  | { k: 'bin'; op: string; l: Expr; r: Expr; pos: number }
  | { k: 'and' | 'or'; l: Expr; r: Expr; pos: number }
  | { k: 'list'; items: Expr[] }
  | { k: 'map'; entries: [Expr, Expr][] };

// Documented: logical operators and boolean literals are lower-case or upper-case (booleans also
// capitalised), never mixed. https://cloud.google.com/workflows/docs/reference/syntax/datatypes
const KEYWORDS: Record<string, string> = {
  and: 'and',
  AND: 'and',
  or: 'or',
  OR: 'or',
  not: 'not',
  NOT: 'not',
  in: 'in',
  IN: 'in',
};
const LITERALS: Record<string, null | boolean> = {
  true: true,
  True: true,
  TRUE: true,
  false: false,
  False: false,
  FALSE: false,
  null: null,
};

/**
 * Parses the text inside `${...}` with the documented precedence (high to low): `()`, `.`, `[]`,
 * `not`, unary `-`, `* / // %`, `+ -`, comparisons/equality/`in`, `and`, `or`.
 */
export function parseExpression(src: string): Expr {
  const toks = tokenize(src);
  let p = 0;
  const peek = (): Token => toks[p];
  const kw = (t: Token): string | undefined => (t.t === 'id' ? KEYWORDS[t.v] : undefined);
  const isOp = (v: string): boolean => {
    const t = toks[p];
    return t.t === 'op' && t.v === v;
  };
  const expect = (v: string): void => {
    if (!isOp(v)) throw new ExpressionSyntaxError(`expected '${v}'`, toks[p].pos);
    p++;
  };

  const orExpr = (): Expr => {
    let l = andExpr();
    while (kw(peek()) === 'or') {
      const pos = toks[p++].pos;
      l = { k: 'or', l, r: andExpr(), pos };
    }
    return l;
  };
  const andExpr = (): Expr => {
    let l = cmpExpr();
    while (kw(peek()) === 'and') {
      const pos = toks[p++].pos;
      l = { k: 'and', l, r: cmpExpr(), pos };
    }
    return l;
  };
  const cmpExpr = (): Expr => {
    let l = addExpr();
    for (;;) {
      const t = peek();
      if (t.t === 'op' && ['==', '!=', '<', '<=', '>', '>='].includes(t.v)) {
        p++;
        l = { k: 'bin', op: t.v, l, r: addExpr(), pos: t.pos };
      } else if (kw(t) === 'in') {
        p++;
        l = { k: 'bin', op: 'in', l, r: addExpr(), pos: t.pos };
      } else return l;
    }
  };
  const addExpr = (): Expr => {
    let l = mulExpr();
    for (;;) {
      const t = peek();
      if (t.t === 'op' && (t.v === '+' || t.v === '-')) {
        p++;
        l = { k: 'bin', op: t.v, l, r: mulExpr(), pos: t.pos };
      } else return l;
    }
  };
  const mulExpr = (): Expr => {
    let l = unary();
    for (;;) {
      const t = peek();
      if (t.t === 'op' && ['*', '/', '//', '%'].includes(t.v)) {
        p++;
        l = { k: 'bin', op: t.v, l, r: unary(), pos: t.pos };
      } else return l;
    }
  };
  const unary = (): Expr => {
    const t = peek();
    if (t.t === 'op' && t.v === '-') {
      p++;
      const e = unary();
      // Fold negative literals so `-9223372036854775808` and `-1` stay literals.
      if (e.k === 'lit' && (typeof e.v === 'bigint' || typeof e.v === 'number')) return { k: 'lit', v: -e.v };
      return { k: 'unary', op: '-', e, pos: t.pos };
    }
    if (kw(t) === 'not') {
      p++;
      return { k: 'unary', op: 'not', e: unary(), pos: t.pos };
    }
    return postfix();
  };
  const dottedName = (e: Expr): string | undefined => {
    if (e.k === 'var') return e.name;
    if (e.k === 'member') {
      const base = dottedName(e.obj);
      return base === undefined ? undefined : `${base}.${e.name}`;
    }
    return undefined;
  };
  const postfix = (): Expr => {
    let e = primary();
    for (;;) {
      const t = peek();
      if (t.t !== 'op') return e;
      if (t.v === '.') {
        p++;
        const n = toks[p++];
        if (n.t !== 'id') throw new ExpressionSyntaxError('expected a property name after "."', n.pos);
        e = { k: 'member', obj: e, name: n.v, pos: n.pos };
      } else if (t.v === '[') {
        p++;
        const index = orExpr();
        expect(']');
        e = { k: 'index', obj: e, index, pos: t.pos };
      } else if (t.v === '(') {
        const name = dottedName(e);
        if (name === undefined) throw new ExpressionSyntaxError('only named functions can be called', t.pos);
        p++;
        const args: Expr[] = [];
        if (!isOp(')')) {
          for (;;) {
            args.push(orExpr());
            if (isOp(',')) p++;
            else break;
          }
        }
        expect(')');
        e = { k: 'call', name, args, pos: t.pos };
      } else return e;
    }
  };
  const primary = (): Expr => {
    const t = toks[p++];
    switch (t.t) {
      case 'num':
      case 'str':
        return { k: 'lit', v: t.v };
      case 'id':
        if (t.v in LITERALS) return { k: 'lit', v: LITERALS[t.v] };
        if (KEYWORDS[t.v]) throw new ExpressionSyntaxError(`unexpected keyword '${t.v}'`, t.pos);
        return { k: 'var', name: t.v, pos: t.pos };
      case 'op':
        if (t.v === '(') {
          const e = orExpr();
          expect(')');
          return e;
        }
        if (t.v === '[') {
          const items: Expr[] = [];
          if (!isOp(']')) {
            for (;;) {
              items.push(orExpr());
              if (isOp(',')) p++;
              else break;
            }
          }
          expect(']');
          return { k: 'list', items };
        }
        if (t.v === '{') {
          const entries: [Expr, Expr][] = [];
          if (!isOp('}')) {
            for (;;) {
              const key = orExpr();
              expect(':');
              entries.push([key, orExpr()]);
              if (isOp(',')) p++;
              else break;
            }
          }
          expect('}');
          return { k: 'map', entries };
        }
        throw new ExpressionSyntaxError(`unexpected '${t.v}'`, t.pos);
      case 'eof':
        throw new ExpressionSyntaxError('unexpected end of expression', t.pos);
    }
  };

  const e = orExpr();
  if (peek().t !== 'eof') throw new ExpressionSyntaxError(`unexpected '${src.slice(peek().pos)}'`, peek().pos);
  return e;
}

/** A function call in an expression. */
export type CallExpr = Extract<Expr, { k: 'call' }>;

/**
 * Every function call in an expression, in evaluation order (a call's arguments before the call):
 * the names for deploy-time checks, and the order the executor runs subworkflow calls in.
 */
export function calledFunctions(e: Expr, out: CallExpr[] = []): CallExpr[] {
  switch (e.k) {
    case 'call':
      e.args.forEach((a) => calledFunctions(a, out));
      out.push(e);
      break;
    case 'member':
      calledFunctions(e.obj, out);
      break;
    case 'index':
      calledFunctions(e.obj, out);
      calledFunctions(e.index, out);
      break;
    case 'unary':
      calledFunctions(e.e, out);
      break;
    case 'bin':
    case 'and':
    case 'or':
      calledFunctions(e.l, out);
      calledFunctions(e.r, out);
      break;
    case 'list':
      e.items.forEach((a) => calledFunctions(a, out));
      break;
    case 'map':
      e.entries.forEach(([a, b]) => (calledFunctions(a, out), calledFunctions(b, out)));
      break;
  }
  return out;
}
