/**
 * The value model of the Workflows language.
 *
 * Why bigint for integers: Workflows keeps `int` (64-bit) and `double` apart (`type(1)` is
 * "int", `type(1.0)` is "double", `int + int` stays an int, `5 / 2` is 2.5) and raises on integer
 * overflow. A JS `number` cannot carry that distinction, a `bigint` can, so every int in the
 * engine is a bigint and every double a number.
 */
export type Value = null | boolean | bigint | number | string | Bytes | Value[] | ValueMap;

/** A map value; insertion order is kept, as Workflows keeps it. */
export interface ValueMap {
  [key: string]: Value;
}

/** The `bytes` type (results of `text.encode`, `base64.decode`, non-text HTTP bodies). */
export class Bytes {
  constructor(readonly data: Buffer) {}
}

export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;

/**
 * Sets a map key as an own property. Why: `obj["__proto__"] = v` would change the object's
 * prototype instead of storing a key, and JSON from an HTTP body may well carry that key.
 */
export function setKey(m: ValueMap, key: string, v: Value): void {
  if (key === '__proto__') Object.defineProperty(m, key, { value: v, enumerable: true, writable: true, configurable: true });
  else m[key] = v;
}

/** True for a map value (not a list, not bytes, not null). */
export function isMap(v: Value | undefined): v is ValueMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Bytes);
}

/** The name `type()` gives a value. */
export function typeName(v: Value | undefined): string {
  if (v === null || v === undefined) return 'null';
  switch (typeof v) {
    case 'boolean':
      return 'boolean';
    case 'bigint':
      return 'integer';
    case 'number':
      return 'double';
    case 'string':
      return 'string';
  }
  if (Array.isArray(v)) return 'list';
  if (v instanceof Bytes) return 'bytes';
  return 'map';
}

/** Deep copy, so that assigning a map or list gives the new variable its own value (Workflows has value semantics). */
export function deepCopy(v: Value): Value {
  if (typeof v !== 'object' || v === null || v instanceof Bytes) return v;
  if (Array.isArray(v)) return v.map(deepCopy);
  const out: ValueMap = {};
  for (const k of Object.keys(v)) setKey(out, k, deepCopy(v[k]));
  return out;
}

/** Structural equality with Workflows rules: 1 == 1.0, maps compare by keys and values. */
export function valuesEqual(a: Value, b: Value): boolean {
  if ((typeof a === 'bigint' || typeof a === 'number') && (typeof b === 'bigint' || typeof b === 'number')) {
    if (typeof a === 'bigint' && typeof b === 'bigint') return a === b;
    return Number(a) === Number(b);
  }
  if (a === null || b === null) return a === b;
  if (typeof a !== typeof b) return false;
  if (typeof a !== 'object') return a === b;
  if (a instanceof Bytes || b instanceof Bytes) {
    return a instanceof Bytes && b instanceof Bytes && a.data.equals(b.data);
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => valuesEqual(x, b[i]));
  }
  const bm = b as ValueMap;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(bm).length) return false;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(bm, k) && valuesEqual(a[k], bm[k]));
}

/** Formats a double the way Workflows prints one: always with a fraction or exponent, so it reads back as a double. */
export function formatDouble(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? 'Infinity' : '-Infinity';
  const s = String(n);
  return /[.eE]/.test(s) ? s : `${s}.0`;
}

/**
 * JSON text of a value. Doubles keep a fraction (`2.0`) so a reader that distinguishes ints
 * from doubles (this engine, Python, Go) reads back the same type. Bytes cannot be JSON.
 */
export function toJson(v: Value, indent?: number): string {
  const parts: string[] = [];
  const write = (x: Value, depth: number): void => {
    const nl = indent ? '\n' + ' '.repeat(indent * (depth + 1)) : '';
    const close = indent ? '\n' + ' '.repeat(indent * depth) : '';
    if (x === null) parts.push('null');
    else if (typeof x === 'boolean') parts.push(x ? 'true' : 'false');
    else if (typeof x === 'bigint') parts.push(x.toString());
    else if (typeof x === 'number') parts.push(Number.isFinite(x) ? formatDouble(x) : 'null');
    else if (typeof x === 'string') parts.push(JSON.stringify(x));
    else if (x instanceof Bytes) throw new TypeError('bytes are not JSON-serialisable');
    else if (Array.isArray(x)) {
      if (x.length === 0) return void parts.push('[]');
      parts.push('[');
      x.forEach((e, i) => {
        if (i) parts.push(',');
        parts.push(nl);
        write(e, depth + 1);
      });
      parts.push(close + ']');
    } else {
      const keys = Object.keys(x);
      if (keys.length === 0) return void parts.push('{}');
      parts.push('{');
      keys.forEach((k, i) => {
        if (i) parts.push(',');
        parts.push(nl + JSON.stringify(k) + (indent ? ': ' : ':'));
        write(x[k], depth + 1);
      });
      parts.push(close + '}');
    }
  };
  write(v, 0);
  return parts.join('');
}

/**
 * Parses JSON keeping integers (no fraction, no exponent) as bigint and everything else as
 * double. Why not JSON.parse: it turns `1.0` into the int-looking 1 and loses ints above 2^53.
 * Throws a SyntaxError with the offset on malformed input.
 */
export function fromJson(text: string): Value {
  let i = 0;
  const ws = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  };
  const fail = (msg: string): never => {
    throw new SyntaxError(`${msg} at offset ${i}`);
  };
  const value = (): Value => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const out: ValueMap = {};
      ws();
      if (text[i] === '}') return (i++, out);
      for (;;) {
        ws();
        if (text[i] !== '"') fail('expected a string key');
        const k = str();
        ws();
        if (text[i++] !== ':') fail("expected ':'");
        setKey(out, k, value());
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') return (i++, out);
        else fail("expected ',' or '}'");
      }
    }
    if (c === '[') {
      i++;
      const out: Value[] = [];
      ws();
      if (text[i] === ']') return (i++, out);
      for (;;) {
        out.push(value());
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') return (i++, out);
        else fail("expected ',' or ']'");
      }
    }
    if (c === '"') return str();
    if (text.startsWith('true', i)) return ((i += 4), true);
    if (text.startsWith('false', i)) return ((i += 5), false);
    if (text.startsWith('null', i)) return ((i += 4), null);
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m) return fail('unexpected character');
    i += m[0].length;
    return m[2] === undefined && m[3] === undefined ? BigInt(m[0]) : Number(m[0]);
  };
  const str = (): string => {
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    if (i >= text.length) fail('unterminated string');
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const v = value();
  ws();
  if (i !== text.length) fail('unexpected trailing characters');
  return v;
}
