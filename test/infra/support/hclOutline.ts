/**
 * The outline of an HCL file in Terraform's native syntax: each body's items in order, each an
 * attribute (`name = expression`, with the expression's source text) or a block (`type "label"
 * { body }`), with its line. `@cdktf/hcl2json` parses the same files but renders `x { ... }` and
 * `x = [{ ... }]` alike (both become an array of objects) and keeps no positions; a schema check
 * needs both the distinction and the line. Expressions are not parsed here: their text goes to
 * hcl2json's expression parser (`getExpressionAst`). This only finds where each one ends, which
 * takes knowing strings, templates, heredocs, comments and brackets.
 */

export interface HclAttribute {
  kind: 'attribute';
  name: string;
  line: number;
  /** The expression's source text. */
  expression: string;
}

export interface HclBlock {
  kind: 'block';
  type: string;
  labels: string[];
  line: number;
  body: HclItem[];
}

export type HclItem = HclAttribute | HclBlock;

const IDENTIFIER = /[A-Za-z_][A-Za-z0-9_-]*/y;

class Scanner {
  private i = 0;

  constructor(
    private readonly text: string,
    private readonly file: string,
  ) {}

  /** The body of the whole file. */
  items(): HclItem[] {
    return this.body(false);
  }

  private fail(message: string): never {
    throw new Error(`${this.file}:${this.line()}: ${message}`);
  }

  private line(at = this.i): number {
    let line = 1;
    for (let k = 0; k < at; k++) if (this.text.charCodeAt(k) === 10) line++;
    return line;
  }

  private peek(offset = 0): string {
    return this.text[this.i + offset] ?? '';
  }

  /** Skips a comment starting here, if any; true when one was skipped. Line comments stop before the newline. */
  private comment(): boolean {
    if (this.peek() === '#' || (this.peek() === '/' && this.peek(1) === '/')) {
      const end = this.text.indexOf('\n', this.i);
      this.i = end < 0 ? this.text.length : end;
      return true;
    }
    if (this.peek() === '/' && this.peek(1) === '*') {
      const end = this.text.indexOf('*/', this.i + 2);
      if (end < 0) this.fail('unterminated /* comment');
      this.i = end + 2;
      return true;
    }
    return false;
  }

  private blank(newlines: boolean): void {
    for (;;) {
      const c = this.peek();
      if (c === ' ' || c === '\t' || c === '\r' || (newlines && c === '\n')) this.i++;
      else if (!this.comment()) return;
    }
  }

  private identifier(): string | undefined {
    IDENTIFIER.lastIndex = this.i;
    const match = IDENTIFIER.exec(this.text);
    if (!match) return undefined;
    this.i += match[0].length;
    return match[0];
  }

  private body(nested: boolean): HclItem[] {
    const items: HclItem[] = [];
    for (;;) {
      this.blank(true);
      if (this.i >= this.text.length) {
        if (nested) this.fail('unterminated block');
        return items;
      }
      if (this.peek() === '}') {
        if (!nested) this.fail('unexpected }');
        this.i++;
        return items;
      }
      const line = this.line();
      const name = this.identifier() ?? this.fail(`expected an attribute or block name, found ${JSON.stringify(this.peek())}`);
      this.blank(false);
      if (this.peek() === '=' && this.peek(1) !== '=') {
        this.i++;
        const start = this.i;
        this.expression();
        items.push({ kind: 'attribute', name, line, expression: this.text.slice(start, this.i).trim() });
        continue;
      }
      const labels: string[] = [];
      for (;;) {
        this.blank(false);
        if (this.peek() === '"') {
          const start = this.i;
          this.quoted();
          labels.push(JSON.parse(this.text.slice(start, this.i)) as string);
        } else if (this.peek() === '{') {
          this.i++;
          break;
        } else {
          labels.push(this.identifier() ?? this.fail(`expected "=", a label or "{" after ${name}`));
        }
      }
      items.push({ kind: 'block', type: name, labels, line, body: this.body(true) });
    }
  }

  /** Moves past an attribute's expression: to the end of its line, or to the `}` closing a one-line block. */
  private expression(): void {
    this.nested(undefined);
  }

  /**
   * Scans until `close` at bracket depth 0 (consumed), or with no `close`, until a newline or an
   * unmatched `}` at depth 0 (not consumed).
   */
  private nested(close: string | undefined): void {
    const stack: string[] = [];
    const pairs: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
    while (this.i < this.text.length) {
      const c = this.peek();
      if (stack.length === 0) {
        if (close !== undefined && c === close) {
          this.i++;
          return;
        }
        if (close === undefined && (c === '\n' || c === '}')) return;
      }
      if (this.comment()) continue;
      if (c === '"') this.quoted();
      else if (c === '<' && this.peek(1) === '<' && /^<<-?[A-Za-z_]/.test(this.text.slice(this.i, this.i + 4))) this.heredoc();
      else if (pairs[c]) {
        stack.push(pairs[c]);
        this.i++;
      } else if (c === ')' || c === ']' || c === '}') {
        if (stack.pop() !== c) this.fail(`unbalanced ${c}`);
        this.i++;
      } else this.i++;
    }
    if (close !== undefined || stack.length > 0) this.fail('unterminated expression');
  }

  /** A quoted template: escapes, `$${` and `%%{` literals, and `${ }` / `%{ }` interpolations (which may hold strings). */
  private quoted(): void {
    this.i++;
    while (this.i < this.text.length) {
      const c = this.peek();
      if (c === '\\') this.i += 2;
      else if (c === '"') {
        this.i++;
        return;
      } else if ((c === '$' || c === '%') && this.peek(1) === c && this.peek(2) === '{') this.i += 3;
      else if ((c === '$' || c === '%') && this.peek(1) === '{') {
        this.i += 2;
        this.nested('}');
      } else if (c === '\n') this.fail('newline in a quoted string');
      else this.i++;
    }
    this.fail('unterminated string');
  }

  /** `<<EOT` / `<<-EOT` up to the line holding only the marker (left before that line's newline). */
  private heredoc(): void {
    const header = /<<-?([A-Za-z_][A-Za-z0-9_-]*)[ \t]*\r?\n/y;
    header.lastIndex = this.i;
    const match = header.exec(this.text) ?? this.fail('malformed heredoc');
    this.i += match[0].length;
    for (;;) {
      const end = this.text.indexOf('\n', this.i);
      const lineText = this.text.slice(this.i, end < 0 ? this.text.length : end);
      if (lineText.trim() === match[1]) {
        this.i += lineText.length;
        return;
      }
      if (end < 0) this.fail(`heredoc ${match[1]} never ends`);
      this.i = end + 1;
    }
  }
}

/** The items of a file's top-level body. Throws, naming the line, on text it cannot outline. */
export function outlineHcl(text: string, file: string): HclItem[] {
  return new Scanner(text, file).items();
}
