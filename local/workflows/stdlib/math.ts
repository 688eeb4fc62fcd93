import { wfError } from '../errors';
import { Value } from '../values';
import { arg, def, StdFunction } from './registry';

const num = (fn: string, a: (Value | undefined)[], i: number, name: string): bigint | number =>
  arg<bigint | number>(fn, a, i, name, 'number');

/** `math.*` (https://cloud.google.com/workflows/docs/reference/stdlib/math/overview): ints stay ints. */
export const mathFunctions: StdFunction[] = [
  def('math.abs', ['x'], (a) => {
    const x = num('math.abs', a, 0, 'x');
    return typeof x === 'bigint' ? (x < 0n ? -x : x) : Math.abs(x);
  }),
  def('math.floor', ['x'], (a) => {
    const x = num('math.floor', a, 0, 'x');
    return typeof x === 'bigint' ? x : BigInt(Math.floor(x));
  }),
  def('math.max', ['x', 'y'], (a) => {
    const x = num('math.max', a, 0, 'x');
    const y = num('math.max', a, 1, 'y');
    if (typeof x === 'bigint' && typeof y === 'bigint') return x > y ? x : y;
    return Math.max(Number(x), Number(y));
  }),
  def('math.min', ['x', 'y'], (a) => {
    const x = num('math.min', a, 0, 'x');
    const y = num('math.min', a, 1, 'y');
    if (typeof x === 'bigint' && typeof y === 'bigint') return x < y ? x : y;
    return Math.min(Number(x), Number(y));
  }),
  def('math.sqrt', ['x'], (a) => {
    const x = Number(num('math.sqrt', a, 0, 'x'));
    if (x < 0) throw wfError('ValueError', 'math.sqrt: math domain error');
    return Math.sqrt(x);
  }),
];
