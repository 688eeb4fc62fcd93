import { wfError } from '../errors';
import { stringify } from '../expressions/evaluate';
import { Bytes, isMap, typeName } from '../values';
import { arg, def, StdFunction } from './registry';

/** Expression helpers (https://cloud.google.com/workflows/docs/reference/stdlib/expression-helpers). */
export const coreFunctions: StdFunction[] = [
  def('default', ['val', 'defaultVal'], ([v, d]) => (v === null || v === undefined ? (d ?? null) : v)),
  def('if', ['condition', 'ifTrue', 'ifFalse'], ([c, t, f]) => {
    if (c !== null && typeof c !== 'boolean') throw wfError('TypeError', `if: condition must be boolean, got ${typeName(c)}`);
    return (c ? t : f) ?? null;
  }),
  // Documented (reference/syntax/iteration): keys() always returns a sorted list.
  def('keys', ['map'], (a) => Object.keys(arg('keys', a, 0, 'map', 'map')).sort()),
  def('len', ['value'], ([v]) => {
    if (typeof v === 'string') return BigInt([...v].length);
    if (Array.isArray(v)) return BigInt(v.length);
    if (isMap(v)) return BigInt(Object.keys(v).length);
    if (v instanceof Bytes) return BigInt(v.data.length);
    throw wfError('TypeError', `len: unsupported type ${typeName(v)}`);
  }),
  def('int', ['value'], ([v]) => {
    if (typeof v === 'bigint') return v;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw wfError('ValueError', `int: cannot convert ${v} to integer`);
      return BigInt(Math.trunc(v));
    }
    if (typeof v === 'string') {
      const s = v.trim();
      if (/^[+-]?\d+$/.test(s)) return BigInt(s);
      if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return BigInt(Math.trunc(Number(s)));
      throw wfError('ValueError', `int: cannot convert "${v}" to integer`);
    }
    throw wfError('TypeError', `int: unsupported type ${typeName(v)}`);
  }),
  def('double', ['value'], ([v]) => {
    if (typeof v === 'number') return v;
    if (typeof v === 'bigint') return Number(v);
    if (typeof v === 'string') {
      const s = v.trim();
      if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return Number(s);
      throw wfError('ValueError', `double: cannot convert "${v}" to double`);
    }
    throw wfError('TypeError', `double: unsupported type ${typeName(v)}`);
  }),
  def('string', ['value'], ([v]) => {
    if (v instanceof Bytes || v === null || v === undefined || typeof v === 'object')
      throw wfError('TypeError', `string: unsupported type ${typeName(v ?? null)}`);
    return stringify(v);
  }),
  def('bool', ['value'], ([v]) => {
    if (typeof v === 'boolean') return v;
    if (typeof v === 'string') {
      if (['true', 'True', 'TRUE'].includes(v)) return true;
      if (['false', 'False', 'FALSE'].includes(v)) return false;
      throw wfError('ValueError', `bool: cannot convert "${v}" to boolean`);
    }
    if (typeof v === 'bigint') return v !== 0n;
    throw wfError('TypeError', `bool: unsupported type ${typeName(v ?? null)}`);
  }),
  def('type', ['value'], ([v]) => typeName(v ?? null)),
  def('get_type', ['value'], ([v]) => typeName(v ?? null)),
];
