/** JSON nested deeper than this is refused before it is parsed; the kit's deepest body (a form) nests 4 levels. */
export const MAX_JSON_DEPTH = 32;

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Whether the JSON text in `bytes` opens more than `max` objects or arrays inside one another.
 * Why: `JSON.parse` and everything that walks its result afterwards (ajv, the decimal-literal
 * scan, `JSON.stringify`) recurse or allocate per level, so a few bytes of `[[[[...` cost far more
 * than their size. One pass over the bytes, strings skipped; text shorter than `max` cannot
 * nest that deep, so small bodies (the hot path) are not scanned at all.
 */
export function jsonNestsDeeperThan(bytes: Uint8Array, max = MAX_JSON_DEPTH): boolean {
  if (bytes.length <= max) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > max) return true;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
    }
  }
  return false;
}
