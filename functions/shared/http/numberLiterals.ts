/**
 * Why: `JSON.parse('{"value": 4.0}')` gives `4`, so a schema can no longer tell `4.0` from `4`,
 * yet an integer field must refuse `4.0`. This scans the raw JSON text once and returns the JSON
 * Pointers of every number written with a fraction or an exponent (`4.0`, `1e1`); the validator
 * refuses those wherever the schema asks for an integer. The text has already been parsed by the
 * framework, so it is well-formed; this only tracks where each literal sits.
 */
export function nonIntegerLiteralPointers(text: string): Set<string> {
  const found = new Set<string>();
  // One frame per open container: its path, the next array index, or the last object key read.
  const stack: { path: string; index: number; key?: string; isArray: boolean }[] = [];
  let expectKey = false;
  let i = 0;
  const here = (): string => {
    const top = stack[stack.length - 1];
    if (!top) return '';
    return top.isArray ? `${top.path}/${top.index}` : `${top.path}/${escape(top.key ?? '')}`;
  };
  while (i < text.length) {
    const c = text[i];
    if (c === '{' || c === '[') {
      stack.push({ path: here(), index: 0, isArray: c === '[' });
      expectKey = c === '{';
      i++;
    } else if (c === '}' || c === ']') {
      stack.pop();
      i++;
    } else if (c === ',') {
      const top = stack[stack.length - 1];
      if (top?.isArray) top.index++;
      else expectKey = true;
      i++;
    } else if (c === '"') {
      const end = stringEnd(text, i);
      if (expectKey) {
        stack[stack.length - 1].key = JSON.parse(text.slice(i, end)) as string;
        expectKey = false;
      }
      i = end;
    } else if (c === '-' || (c >= '0' && c <= '9')) {
      let end = i + 1;
      while (end < text.length && /[\d.eE+-]/.test(text[end])) end++;
      if (/[.eE]/.test(text.slice(i, end))) found.add(here());
      i = end;
    } else {
      i++;
    }
  }
  return found;
}

/** Index just past the closing quote of the string starting at `start`. */
function stringEnd(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
  return i + 1;
}

function escape(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}
