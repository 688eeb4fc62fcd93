/**
 * Tokenizer for the GoogleSQL subset the local BigQuery translates. It knows GoogleSQL's
 * lexical rules that differ from SQLite's (backtick identifiers, `"..."` as a string, `@param`,
 * `#` comments) so the translator never hands BigQuery text to SQLite verbatim.
 */
import { invalidQuery } from '../errors';

/** Token kinds. `ident` covers keywords too; the parser compares them case-insensitively. */
export type TokenKind = 'ident' | 'qident' | 'string' | 'number' | 'param' | 'qmark' | 'op' | 'eof';

/** One token with its offset in the query, for `[line:column]` in messages. */
export interface Token {
  kind: TokenKind;
  /** Identifier or operator text, the decoded string, the number text, or the parameter name. */
  text: string;
  offset: number;
}

const OPERATORS = ['<=', '>=', '!=', '<>', '||', '(', ')', ',', '.', '*', '=', '<', '>', ';', '+', '-', '/', '[', ']'];
const ESCAPES: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  b: '\b',
  f: '\f',
  '\\': '\\',
  "'": "'",
  '"': '"',
  '`': '`',
  '?': '?',
  '0': '\0',
};

/** `[line:column]` of an offset, as BigQuery writes positions in error messages. */
export function position(query: string, offset: number): string {
  const before = query.slice(0, offset).split('\n');
  return `[${before.length}:${before[before.length - 1]!.length + 1}]`;
}

function readQuoted(query: string, start: number, quote: string): { text: string; end: number } {
  if (query.startsWith(quote.repeat(3), start)) {
    throw invalidQuery(`Triple-quoted strings are not supported by the local BigQuery at ${position(query, start)}`);
  }
  let text = '';
  let i = start + 1;
  while (i < query.length) {
    const c = query[i]!;
    if (c === quote) return { text, end: i + 1 };
    if (c === '\n') break;
    if (c === '\\') {
      const e = query[i + 1];
      if (e === undefined || !(e in ESCAPES)) {
        throw invalidQuery(`Illegal escape sequence \\${e ?? ''} at ${position(query, i)}`);
      }
      text += ESCAPES[e];
      i += 2;
      continue;
    }
    text += c;
    i++;
  }
  throw invalidQuery(`Syntax error: Unclosed ${quote === '`' ? 'identifier' : 'string'} literal at ${position(query, start)}`);
}

/**
 * Splits a query into tokens.
 * @throws 400 invalidQuery on characters GoogleSQL would not accept either.
 */
export function tokenize(query: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < query.length) {
    const c = query[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '#' || query.startsWith('--', i)) {
      const nl = query.indexOf('\n', i);
      i = nl < 0 ? query.length : nl + 1;
    } else if (query.startsWith('/*', i)) {
      const end = query.indexOf('*/', i + 2);
      if (end < 0) throw invalidQuery(`Syntax error: Unclosed comment at ${position(query, i)}`);
      i = end + 2;
    } else if (c === '`') {
      const { text, end } = readQuoted(query, i, '`');
      if (text === '') throw invalidQuery(`Syntax error: Invalid empty identifier at ${position(query, i)}`);
      tokens.push({ kind: 'qident', text, offset: i });
      i = end;
    } else if (c === "'" || c === '"') {
      const { text, end } = readQuoted(query, i, c);
      tokens.push({ kind: 'string', text, offset: i });
      i = end;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(query.slice(i))!;
      const next = query[i + m[0].length];
      if ((next === "'" || next === '"') && /^(r|b|rb|br)$/i.test(m[0])) {
        throw invalidQuery(`Raw and bytes literals are not supported by the local BigQuery at ${position(query, i)}`);
      }
      tokens.push({ kind: 'ident', text: m[0], offset: i });
      i += m[0].length;
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(query[i + 1] ?? ''))) {
      const m = /^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(query.slice(i))!;
      tokens.push({ kind: 'number', text: m[0], offset: i });
      i += m[0].length;
    } else if (c === '@') {
      if (query[i + 1] === '@')
        throw invalidQuery(`System variables (@@) are not supported by the local BigQuery at ${position(query, i)}`);
      const m = /^@([A-Za-z_][A-Za-z0-9_]*)/.exec(query.slice(i));
      if (!m) throw invalidQuery(`Syntax error: Unexpected "@" at ${position(query, i)}`);
      tokens.push({ kind: 'param', text: m[1]!, offset: i });
      i += m[0].length;
    } else if (c === '?') {
      tokens.push({ kind: 'qmark', text: '?', offset: i });
      i++;
    } else {
      const op = OPERATORS.find((o) => query.startsWith(o, i));
      if (!op) throw invalidQuery(`Syntax error: Illegal input character "${c}" at ${position(query, i)}`);
      tokens.push({ kind: 'op', text: op, offset: i });
      i += op.length;
    }
  }
  tokens.push({ kind: 'eof', text: '', offset: query.length });
  return tokens;
}
