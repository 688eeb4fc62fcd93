/**
 * A recursive-descent parser for the SELECT subset:
 *
 *     SELECT [DISTINCT] item [, ...] [FROM table [[AS] alias]] [WHERE cond]
 *       [GROUP BY key [, ...]] [HAVING cond] [ORDER BY expr [ASC|DESC] [, ...]]
 *       [LIMIT n [OFFSET m]] [;]
 *
 * where a condition combines comparisons, [NOT] IN (...), [NOT] BETWEEN, [NOT] LIKE and
 * IS [NOT] NULL with AND, OR, NOT and parentheses.
 *
 * Anything outside it (JOIN, GROUP BY, subqueries, DML, ...) is refused with a 400
 * `invalidQuery` that names the construct, so a query the emulator cannot run never returns a
 * plausible but wrong answer.
 */
import { invalidQuery } from '../errors';
import type { Expr, FromTable, OrderKey, SelectItem, SelectStatement } from './ast';
import { position, tokenize, type Token } from './lexer';

const RESERVED = new Set([
  'ALL',
  'AND',
  'ANY',
  'ARRAY',
  'AS',
  'ASC',
  'ASSERT_ROWS_MODIFIED',
  'AT',
  'BETWEEN',
  'BY',
  'CASE',
  'CAST',
  'COLLATE',
  'CONTAINS',
  'CREATE',
  'CROSS',
  'CUBE',
  'CURRENT',
  'DEFAULT',
  'DEFINE',
  'DESC',
  'DISTINCT',
  'ELSE',
  'END',
  'ENUM',
  'ESCAPE',
  'EXCEPT',
  'EXCLUDE',
  'EXISTS',
  'EXTRACT',
  'FALSE',
  'FETCH',
  'FOLLOWING',
  'FOR',
  'FROM',
  'FULL',
  'GROUP',
  'GROUPING',
  'GROUPS',
  'HASH',
  'HAVING',
  'IF',
  'IGNORE',
  'IN',
  'INNER',
  'INTERSECT',
  'INTERVAL',
  'INTO',
  'IS',
  'JOIN',
  'LATERAL',
  'LEFT',
  'LIKE',
  'LIMIT',
  'LOOKUP',
  'MERGE',
  'NATURAL',
  'NEW',
  'NO',
  'NOT',
  'NULL',
  'NULLS',
  'OF',
  'ON',
  'OR',
  'ORDER',
  'OUTER',
  'OVER',
  'PARTITION',
  'PRECEDING',
  'PROTO',
  'QUALIFY',
  'RANGE',
  'RECURSIVE',
  'RESPECT',
  'RIGHT',
  'ROLLUP',
  'ROWS',
  'SELECT',
  'SET',
  'SOME',
  'STRUCT',
  'TABLESAMPLE',
  'THEN',
  'TO',
  'TREAT',
  'TRUE',
  'UNBOUNDED',
  'UNION',
  'UNNEST',
  'USING',
  'WHEN',
  'WHERE',
  'WINDOW',
  'WITH',
  'WITHIN',
]);

/** Constructs worth naming when refused, keyed by the keyword that starts them. */
const UNSUPPORTED: Record<string, string> = {
  JOIN: 'JOIN',
  INNER: 'JOIN',
  LEFT: 'JOIN',
  RIGHT: 'JOIN',
  FULL: 'JOIN',
  CROSS: 'JOIN',
  QUALIFY: 'QUALIFY',
  WINDOW: 'WINDOW',
  OVER: 'OVER (window functions)',
  ROLLUP: 'ROLLUP',
  CUBE: 'CUBE',
  GROUPING: 'GROUPING SETS',
  UNION: 'UNION',
  INTERSECT: 'INTERSECT',
  EXCEPT: 'EXCEPT',
  WITH: 'WITH',
  CASE: 'CASE',
  EXISTS: 'EXISTS',
  CAST: 'CAST',
  UNNEST: 'UNNEST',
  INTERVAL: 'INTERVAL',
  STRUCT: 'STRUCT',
  ARRAY: 'ARRAY',
  TABLESAMPLE: 'TABLESAMPLE',
  COLLATE: 'COLLATE',
  EXTRACT: 'EXTRACT',
  IF: 'IF',
  NULLS: 'NULLS FIRST/LAST',
  FOR: 'FOR SYSTEM_TIME AS OF',
};

const STATEMENTS: Record<string, string> = {
  INSERT: 'INSERT',
  UPDATE: 'UPDATE',
  DELETE: 'DELETE',
  MERGE: 'MERGE',
  CREATE: 'CREATE',
  DROP: 'DROP',
  ALTER: 'ALTER',
  TRUNCATE: 'TRUNCATE',
  DECLARE: 'DECLARE',
  SET: 'SET',
  BEGIN: 'scripts',
  CALL: 'CALL',
  EXPORT: 'EXPORT',
  LOAD: 'LOAD',
  GRANT: 'GRANT',
  REVOKE: 'REVOKE',
  WITH: 'WITH',
};

/** The supported shape, quoted in every refusal so the reader knows what does work. */
export const SUPPORTED_SUBSET =
  'The local BigQuery translates only SELECT [DISTINCT] <columns, *, literals, @params, CURRENT_TIMESTAMP(), COUNT/MIN/MAX/SUM/AVG> ' +
  'FROM one table [WHERE <comparisons, IN, BETWEEN, LIKE, IS NULL with AND/OR/NOT>] [GROUP BY columns] [HAVING ...] ' +
  '[ORDER BY ...] [LIMIT n [OFFSET m]].';

/** Parses one SELECT statement. @throws 400 invalidQuery. */
export function parseSelect(query: string): SelectStatement {
  return new Parser(query).statement();
}

class Parser {
  private readonly tokens: Token[];
  private pos = 0;
  private positional = 0;

  constructor(private readonly query: string) {
    this.tokens = tokenize(query);
  }

  private peek(ahead = 0): Token {
    return this.tokens[Math.min(this.pos + ahead, this.tokens.length - 1)]!;
  }

  private next(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') this.pos++;
    return t;
  }

  private isKeyword(word: string, ahead = 0): boolean {
    const t = this.peek(ahead);
    return t.kind === 'ident' && t.text.toUpperCase() === word;
  }

  private isOp(op: string): boolean {
    const t = this.peek();
    return t.kind === 'op' && t.text === op;
  }

  private acceptKeyword(word: string): boolean {
    if (!this.isKeyword(word)) return false;
    this.pos++;
    return true;
  }

  private acceptOp(op: string): boolean {
    if (!this.isOp(op)) return false;
    this.pos++;
    return true;
  }

  private expectKeyword(word: string): void {
    if (!this.acceptKeyword(word)) this.fail(`Expected keyword ${word}`);
  }

  private expectOp(op: string): void {
    if (!this.acceptOp(op)) this.fail(`Expected "${op}"`);
  }

  /** Fails at the current token, naming an unsupported construct when it is one. */
  private fail(expected: string): never {
    const t = this.peek();
    const where = position(this.query, t.offset);
    if (t.kind === 'ident' && UNSUPPORTED[t.text.toUpperCase()]) {
      throw invalidQuery(`${UNSUPPORTED[t.text.toUpperCase()]} is not supported by the local BigQuery at ${where}. ${SUPPORTED_SUBSET}`);
    }
    if (t.kind === 'op' && ['+', '-', '/', '||', '['].includes(t.text)) {
      throw invalidQuery(`Operator ${t.text} is not supported by the local BigQuery at ${where}. ${SUPPORTED_SUBSET}`);
    }
    const found = t.kind === 'eof' ? 'end of input' : t.kind === 'ident' ? `keyword or identifier ${t.text}` : `"${t.text}"`;
    throw invalidQuery(`Syntax error: ${expected} but got ${found} at ${where}`);
  }

  statement(): SelectStatement {
    const first = this.peek();
    if (first.kind === 'op' && first.text === '(') {
      throw invalidQuery(`Parenthesised queries are not supported by the local BigQuery. ${SUPPORTED_SUBSET}`);
    }
    if (first.kind === 'ident' && !this.isKeyword('SELECT')) {
      const name = STATEMENTS[first.text.toUpperCase()];
      if (name) throw invalidQuery(`${name} statements are not supported by the local BigQuery; only SELECT is. ${SUPPORTED_SUBSET}`);
    }
    this.expectKeyword('SELECT');
    if (this.isKeyword('AS') && (this.isKeyword('STRUCT', 1) || this.isKeyword('VALUE', 1))) this.fail('Expected a select list');
    const distinct = this.acceptKeyword('DISTINCT');
    if (!distinct) this.acceptKeyword('ALL');
    const items = [this.selectItem()];
    while (this.acceptOp(',')) items.push(this.selectItem());
    const stmt: SelectStatement = { distinct, items, groupBy: [], orderBy: [] };
    if (this.acceptKeyword('FROM')) stmt.from = this.fromTable();
    if (this.acceptKeyword('WHERE')) stmt.where = this.expr();
    if (this.acceptKeyword('GROUP')) {
      this.expectKeyword('BY');
      if (this.isKeyword('ROLLUP') || this.isKeyword('CUBE') || this.isKeyword('GROUPING') || this.isKeyword('ALL'))
        this.fail('Expected a grouping key');
      stmt.groupBy.push(this.expr());
      while (this.acceptOp(',')) stmt.groupBy.push(this.expr());
    }
    if (this.acceptKeyword('HAVING')) stmt.having = this.expr();
    if (this.acceptKeyword('ORDER')) {
      this.expectKeyword('BY');
      stmt.orderBy.push(this.orderKey());
      while (this.acceptOp(',')) stmt.orderBy.push(this.orderKey());
    }
    if (this.acceptKeyword('LIMIT')) {
      stmt.limit = this.primary();
      if (this.acceptKeyword('OFFSET')) stmt.offset = this.primary();
    }
    this.acceptOp(';');
    if (this.peek().kind !== 'eof') this.fail('Expected end of input');
    return stmt;
  }

  private selectItem(): SelectItem {
    const t = this.peek();
    if (this.acceptOp('*')) {
      if (this.isKeyword('EXCEPT') || this.isKeyword('REPLACE')) this.fail('Expected end of select item');
      return { kind: 'star', offset: t.offset };
    }
    if (
      (t.kind === 'ident' || t.kind === 'qident') &&
      this.peek(1).kind === 'op' &&
      this.peek(1).text === '.' &&
      this.peek(2).kind === 'op' &&
      this.peek(2).text === '*'
    ) {
      this.pos += 3;
      return { kind: 'star', qualifier: t.text, offset: t.offset };
    }
    const expr = this.expr();
    const alias = this.alias();
    return alias === undefined ? { kind: 'expr', expr } : { kind: 'expr', expr, alias };
  }

  /** `[AS] alias`, where a bare alias must not be a reserved keyword. */
  private alias(): string | undefined {
    if (this.acceptKeyword('AS')) {
      const t = this.next();
      if (t.kind === 'qident' || (t.kind === 'ident' && !RESERVED.has(t.text.toUpperCase()))) return t.text;
      this.pos--;
      this.fail('Expected an alias');
    }
    const t = this.peek();
    if (t.kind === 'qident' || (t.kind === 'ident' && !RESERVED.has(t.text.toUpperCase()))) {
      this.pos++;
      return t.text;
    }
    return undefined;
  }

  private fromTable(): FromTable {
    const start = this.peek();
    if (start.kind === 'op' && start.text === '(') {
      throw invalidQuery(
        `Subqueries are not supported by the local BigQuery at ${position(this.query, start.offset)}. ${SUPPORTED_SUBSET}`,
      );
    }
    const path: string[] = [];
    do {
      const t = this.next();
      if (t.kind === 'qident') path.push(...t.text.split('.'));
      else if (t.kind === 'ident' && (path.length > 0 || !RESERVED.has(t.text.toUpperCase()))) path.push(t.text + this.dashedRest(t));
      else {
        this.pos--;
        this.fail('Expected a table name');
      }
    } while (this.acceptOp('.'));
    if (path.some((p) => p === ''))
      throw invalidQuery(`Syntax error: Invalid table name ${path.join('.')} at ${position(this.query, start.offset)}`);
    if (this.isOp('(')) {
      throw invalidQuery(`Table-valued functions are not supported by the local BigQuery at ${position(this.query, start.offset)}`);
    }
    const alias = this.alias();
    if (this.isOp(',')) {
      throw invalidQuery(
        `Comma joins are not supported by the local BigQuery at ${position(this.query, this.peek().offset)}. ${SUPPORTED_SUBSET}`,
      );
    }
    return alias === undefined ? { path, offset: start.offset } : { path, alias, offset: start.offset };
  }

  /**
   * GoogleSQL lets a FROM path use a dashed project name unquoted (`my-project.ds.table`): the
   * lexer splits it into `my`, `-`, `project`; glue back the parts written without spaces.
   */
  private dashedRest(first: Token): string {
    let text = '';
    let end = first.offset + first.text.length;
    while (this.isOp('-') && this.peek().offset === end) {
      const part = this.peek(1);
      if ((part.kind !== 'ident' && part.kind !== 'number') || part.offset !== end + 1 || !/^[A-Za-z0-9_]+$/.test(part.text)) break;
      this.pos += 2;
      text += `-${part.text}`;
      end = part.offset + part.text.length;
    }
    return text;
  }

  private orderKey(): OrderKey {
    const expr = this.expr();
    const desc = this.acceptKeyword('DESC');
    if (!desc) this.acceptKeyword('ASC');
    return { expr, desc };
  }

  private expr(): Expr {
    let left = this.andExpr();
    while (this.isKeyword('OR')) {
      const offset = this.next().offset;
      left = { kind: 'logic', op: 'OR', left, right: this.andExpr(), offset };
    }
    return left;
  }

  private andExpr(): Expr {
    let left = this.notExpr();
    while (this.isKeyword('AND')) {
      const offset = this.next().offset;
      left = { kind: 'logic', op: 'AND', left, right: this.notExpr(), offset };
    }
    return left;
  }

  private notExpr(): Expr {
    if (this.isKeyword('NOT')) {
      const offset = this.next().offset;
      return { kind: 'not', expr: this.notExpr(), offset };
    }
    return this.comparison();
  }

  private comparison(): Expr {
    const left = this.primary();
    const t = this.peek();
    if (t.kind === 'op' && ['=', '!=', '<>', '<', '<=', '>', '>='].includes(t.text)) {
      this.pos++;
      const op = t.text === '<>' ? '!=' : (t.text as '=' | '!=' | '<' | '<=' | '>' | '>=');
      const right = this.primary();
      const after = this.peek();
      if (after.kind === 'op' && ['=', '!=', '<>', '<', '<=', '>', '>='].includes(after.text)) this.fail('Expected end of comparison');
      return { kind: 'compare', op, left, right, offset: t.offset };
    }
    if (this.isKeyword('IS')) {
      this.pos++;
      const negated = this.acceptKeyword('NOT');
      if (!this.acceptKeyword('NULL')) this.fail('IS supports only [NOT] NULL here; expected NULL');
      return { kind: 'isNull', expr: left, negated, offset: t.offset };
    }
    const negated = this.isKeyword('NOT') && (this.isKeyword('IN', 1) || this.isKeyword('LIKE', 1) || this.isKeyword('BETWEEN', 1));
    if (negated) this.pos++;
    if (this.acceptKeyword('IN')) {
      const open = this.peek();
      if (this.isKeyword('UNNEST')) this.fail('Expected "("');
      this.expectOp('(');
      if (this.isKeyword('SELECT'))
        throw invalidQuery(
          `Subqueries are not supported by the local BigQuery at ${position(this.query, open.offset)}. ${SUPPORTED_SUBSET}`,
        );
      const list = [this.primary()];
      while (this.acceptOp(',')) list.push(this.primary());
      this.expectOp(')');
      return { kind: 'in', expr: left, list, negated, offset: t.offset };
    }
    if (this.acceptKeyword('BETWEEN')) {
      const low = this.primary();
      this.expectKeyword('AND');
      const high = this.primary();
      return { kind: 'between', expr: left, low, high, negated, offset: t.offset };
    }
    if (this.acceptKeyword('LIKE')) {
      if (this.isKeyword('ANY') || this.isKeyword('SOME') || this.isKeyword('ALL')) this.fail('Expected a pattern');
      return { kind: 'like', expr: left, pattern: this.primary(), negated, offset: t.offset };
    }
    if (negated) this.fail('Expected IN, LIKE or BETWEEN');
    return left;
  }

  private primary(): Expr {
    const t = this.next();
    const offset = t.offset;
    switch (t.kind) {
      case 'string':
        return { kind: 'literal', type: 'STRING', value: t.text, offset };
      case 'number':
        return this.number(t.text, false, offset);
      case 'param':
        return { kind: 'param', name: t.text, offset };
      case 'qmark':
        return { kind: 'positional', index: this.positional++, offset };
      case 'op':
        if (t.text === '(') {
          if (this.isKeyword('SELECT'))
            throw invalidQuery(
              `Subqueries are not supported by the local BigQuery at ${position(this.query, offset)}. ${SUPPORTED_SUBSET}`,
            );
          const inner = this.expr();
          this.expectOp(')');
          return inner;
        }
        if (t.text === '-' && this.peek().kind === 'number') return this.number(this.next().text, true, offset);
        break;
      case 'ident':
      case 'qident':
        return this.identifierExpr(t);
      default:
        break;
    }
    this.pos--;
    return this.fail('Expected an expression');
  }

  private number(text: string, negative: boolean, offset: number): Expr {
    if (/^\d+$/.test(text)) {
      const value = BigInt(text) * (negative ? -1n : 1n);
      if (value < -(2n ** 63n) || value > 2n ** 63n - 1n)
        throw invalidQuery(`Invalid integer literal: ${text} at ${position(this.query, offset)}`);
      return { kind: 'literal', type: 'INT64', value, offset };
    }
    return { kind: 'literal', type: 'FLOAT64', value: Number(text) * (negative ? -1 : 1), offset };
  }

  private identifierExpr(t: Token): Expr {
    const offset = t.offset;
    const upper = t.text.toUpperCase();
    if (t.kind === 'ident') {
      if (upper === 'NULL') return { kind: 'literal', type: 'NULL', offset };
      if (upper === 'TRUE' || upper === 'FALSE') return { kind: 'literal', type: 'BOOL', value: upper === 'TRUE', offset };
      if (['TIMESTAMP', 'DATE', 'NUMERIC', 'JSON'].includes(upper) && this.peek().kind === 'string') {
        return { kind: 'literal', type: upper as 'TIMESTAMP' | 'DATE' | 'NUMERIC' | 'JSON', value: this.next().text, offset };
      }
      if (RESERVED.has(upper) && !this.isOp('(')) {
        this.pos--;
        this.fail('Expected an expression');
      }
      if (this.acceptOp('(')) return this.call(t.text, offset);
      // CURRENT_TIMESTAMP may be written without parentheses.
      if (upper === 'CURRENT_TIMESTAMP' || upper === 'CURRENT_DATE') {
        return { kind: 'call', name: upper, args: [], star: false, distinct: false, offset };
      }
    }
    const path = t.kind === 'qident' ? t.text.split('.') : [t.text];
    while (this.isOp('.')) {
      this.pos++;
      const part = this.next();
      if (part.kind !== 'ident' && part.kind !== 'qident') {
        this.pos--;
        this.fail('Expected a field name');
      }
      path.push(...(part.kind === 'qident' ? part.text.split('.') : [part.text]));
    }
    return { kind: 'column', path, offset };
  }

  private call(name: string, offset: number): Expr {
    const upper = name.toUpperCase();
    if (this.acceptOp('*')) {
      this.expectOp(')');
      return { kind: 'call', name: upper, args: [], star: true, distinct: false, offset };
    }
    const distinct = this.acceptKeyword('DISTINCT');
    const args: Expr[] = [];
    if (!this.isOp(')')) {
      args.push(this.expr());
      while (this.acceptOp(',')) args.push(this.expr());
    }
    this.expectOp(')');
    if (this.isKeyword('OVER')) this.fail('Expected end of function call');
    return { kind: 'call', name: upper, args, star: false, distinct, offset };
  }
}
