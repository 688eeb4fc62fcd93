import { wfError } from '../errors';
import { formatDouble, INT64_MAX, INT64_MIN, isMap, setKey, typeName, Value, ValueMap, valuesEqual } from '../values';
import { Expr } from './parser';

/** What an expression can see: variables, and functions (standard library or subworkflows). */
export interface EvalEnv {
  /** The variable's value; throws a KeyError map when it does not exist. */
  lookup(name: string): Value;
  /** Calls a function with positional arguments (synchronously; subworkflow results are precomputed). */
  callFunction(name: string, args: Value[], node: Expr): Value;
}

/** Checks a bigint result fits the 64-bit int range. */
export function checkInt(v: bigint): bigint {
  if (v < INT64_MIN || v > INT64_MAX) throw wfError('ValueError', 'integer overflow');
  return v;
}

/** The text `string()` and `+` give a value. */
export function stringify(v: Value): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return formatDouble(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  throw wfError('TypeError', `cannot convert ${typeName(v)} to string`);
}

const isNum = (v: Value): v is bigint | number => typeof v === 'bigint' || typeof v === 'number';

/** Evaluates an expression tree. Errors are workflow errors (TypeError, KeyError, ...), catchable by `except`. */
export function evaluate(e: Expr, env: EvalEnv): Value {
  switch (e.k) {
    case 'lit':
      return e.v;
    case 'var':
      return env.lookup(e.name);
    case 'member': {
      const obj = evaluate(e.obj, env);
      return getKey(obj, e.name);
    }
    case 'index': {
      const obj = evaluate(e.obj, env);
      return getIndex(obj, evaluate(e.index, env));
    }
    case 'call':
      return env.callFunction(
        e.name,
        e.args.map((a) => evaluate(a, env)),
        e,
      );
    case 'unary': {
      const v = evaluate(e.e, env);
      if (e.op === 'not') {
        if (typeof v !== 'boolean') throw wfError('TypeError', `unsupported operand type for not: ${typeName(v)}`);
        return !v;
      }
      if (typeof v === 'bigint') return checkInt(-v);
      if (typeof v === 'number') return -v;
      throw wfError('TypeError', `unsupported operand type for unary -: ${typeName(v)}`);
    }
    case 'and':
    case 'or': {
      const l = evaluate(e.l, env);
      if (typeof l !== 'boolean') throw wfError('TypeError', `unsupported operand type for ${e.k}: ${typeName(l)}`);
      if (e.k === 'and' ? !l : l) return l;
      const r = evaluate(e.r, env);
      if (typeof r !== 'boolean') throw wfError('TypeError', `unsupported operand type for ${e.k}: ${typeName(r)}`);
      return r;
    }
    case 'bin':
      return binary(e.op, evaluate(e.l, env), evaluate(e.r, env));
    case 'list':
      return e.items.map((x) => evaluate(x, env));
    case 'map': {
      const out: ValueMap = {};
      for (const [k, v] of e.entries) {
        const key = evaluate(k, env);
        if (typeof key !== 'string') throw wfError('TypeError', `map keys must be strings, got ${typeName(key)}`);
        setKey(out, key, evaluate(v, env));
      }
      return out;
    }
  }
}

/** `obj.key` / `obj["key"]` on a map. */
export function getKey(obj: Value, key: string): Value {
  if (!isMap(obj)) throw wfError('TypeError', `cannot access key '${key}' of ${typeName(obj)}`);
  if (!Object.prototype.hasOwnProperty.call(obj, key)) throw wfError('KeyError', `key not found: ${key}`);
  return obj[key];
}

/** `obj[i]`: a string key on a map, an int index on a list. */
export function getIndex(obj: Value, idx: Value): Value {
  if (Array.isArray(obj)) {
    if (typeof idx !== 'bigint') throw wfError('TypeError', `list indices must be integers, not ${typeName(idx)}`);
    if (idx < 0n || idx >= BigInt(obj.length)) throw wfError('IndexError', `list index out of range: ${idx}`);
    return obj[Number(idx)];
  }
  if (isMap(obj)) {
    if (typeof idx !== 'string') throw wfError('TypeError', `map keys must be strings, not ${typeName(idx)}`);
    return getKey(obj, idx);
  }
  throw wfError('TypeError', `${typeName(obj)} is not subscriptable`);
}

function floorDivBig(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

/** A binary operator with the documented implicit conversions (int op int → int, any double → double, + with a string → string). */
export function binary(op: string, l: Value, r: Value): Value {
  switch (op) {
    case '+':
      if (typeof l === 'bigint' && typeof r === 'bigint') return checkInt(l + r);
      if (isNum(l) && isNum(r)) return Number(l) + Number(r);
      if (typeof l === 'string' || typeof r === 'string') {
        // Documented table: string + int/double/bool (either side) is a string.
        if (
          (typeof l === 'string' || isNum(l) || typeof l === 'boolean') &&
          (typeof r === 'string' || isNum(r) || typeof r === 'boolean')
        ) {
          return stringify(l) + stringify(r);
        }
      }
      break;
    case '-':
      if (typeof l === 'bigint' && typeof r === 'bigint') return checkInt(l - r);
      if (isNum(l) && isNum(r)) return Number(l) - Number(r);
      break;
    case '*':
      if (typeof l === 'bigint' && typeof r === 'bigint') return checkInt(l * r);
      if (isNum(l) && isNum(r)) return Number(l) * Number(r);
      break;
    case '/':
      if (isNum(l) && isNum(r)) {
        if (Number(r) === 0) throw wfError('ZeroDivisionError', 'division by zero');
        return Number(l) / Number(r);
      }
      break;
    case '//':
      if (isNum(l) && isNum(r)) {
        if (Number(r) === 0) throw wfError('ZeroDivisionError', 'integer division or modulo by zero');
        if (typeof l === 'bigint' && typeof r === 'bigint') return floorDivBig(l, r);
        return Math.floor(Number(l) / Number(r));
      }
      break;
    case '%':
      if (isNum(l) && isNum(r)) {
        if (Number(r) === 0) throw wfError('ZeroDivisionError', 'integer division or modulo by zero');
        if (typeof l === 'bigint' && typeof r === 'bigint') return l - floorDivBig(l, r) * r;
        const a = Number(l);
        const b = Number(r);
        return a - Math.floor(a / b) * b;
      }
      break;
    case '==':
      return valuesEqual(l, r);
    case '!=':
      return !valuesEqual(l, r);
    case '<':
    case '<=':
    case '>':
    case '>=': {
      let c: number;
      if (isNum(l) && isNum(r)) {
        c = typeof l === 'bigint' && typeof r === 'bigint' ? (l < r ? -1 : l > r ? 1 : 0) : Number(l) - Number(r);
      } else if (typeof l === 'string' && typeof r === 'string') {
        c = l < r ? -1 : l > r ? 1 : 0;
      } else break;
      return op === '<' ? c < 0 : op === '<=' ? c <= 0 : op === '>' ? c > 0 : c >= 0;
    }
    case 'in':
      if (Array.isArray(r)) return r.some((x) => valuesEqual(x, l));
      if (isMap(r)) {
        if (typeof l !== 'string') throw wfError('TypeError', `map keys must be strings, not ${typeName(l)}`);
        return Object.prototype.hasOwnProperty.call(r, l);
      }
      throw wfError('TypeError', `argument of type ${typeName(r)} is not iterable`);
  }
  throw wfError('TypeError', `unsupported operand types for ${op}: ${typeName(l)} and ${typeName(r)}`);
}
