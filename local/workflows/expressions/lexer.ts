/** Tokens of the `${...}` expression language. */
export type Token =
  | { t: 'num'; v: bigint | number; pos: number }
  | { t: 'str'; v: string; pos: number }
  | { t: 'id'; v: string; pos: number }
  | { t: 'op'; v: string; pos: number }
  | { t: 'eof'; pos: number };

/** A malformed expression; `pos` is the character offset inside the expression. */
export class ExpressionSyntaxError extends Error {
  constructor(
    message: string,
    readonly pos: number,
  ) {
    super(message);
    this.name = 'ExpressionSyntaxError';
  }
}

const OPS = ['//', '==', '!=', '<=', '>=', '+', '-', '*', '/', '%', '<', '>', '(', ')', '[', ']', '{', '}', ',', ':', '.'];

/** Splits an expression into tokens. Numbers: `12` is an int (bigint), `1.5`/`1e3` a double. */
export function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    const start = i;
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(src[i + 1] ?? ''))) {
      const m = /^(\d*)(\.\d*)?([eE][+-]?\d+)?/.exec(src.slice(i))!;
      i += m[0].length;
      if (m[2] === undefined && m[3] === undefined) {
        out.push({ t: 'num', v: BigInt(m[1]), pos: start });
      } else {
        out.push({ t: 'num', v: Number(m[0]), pos: start });
      }
      continue;
    }
    if (c === '"' || c === "'") {
      i++;
      let s = '';
      for (;;) {
        if (i >= src.length) throw new ExpressionSyntaxError('unterminated string literal', start);
        const d = src[i];
        if (d === c) {
          i++;
          break;
        }
        if (d === '\\') {
          const e = src[i + 1];
          i += 2;
          if (e === 'n') s += '\n';
          else if (e === 't') s += '\t';
          else if (e === 'r') s += '\r';
          else if (e === 'u') {
            s += String.fromCharCode(parseInt(src.slice(i, i + 4), 16));
            i += 4;
          } else s += e ?? '';
          continue;
        }
        s += d;
        i++;
      }
      out.push({ t: 'str', v: s, pos: start });
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      while (i < src.length && /[A-Za-z0-9_]/.test(src[i])) i++;
      out.push({ t: 'id', v: src.slice(start, i), pos: start });
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (!op) throw new ExpressionSyntaxError(`unexpected character '${c}'`, i);
    i += op.length;
    out.push({ t: 'op', v: op, pos: start });
  }
  out.push({ t: 'eof', pos: src.length });
  return out;
}
