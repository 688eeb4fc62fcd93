import { wfError } from '../errors';
import { Bytes, fromJson, toJson, typeName, Value } from '../values';
import { arg, def, optArg, StdFunction } from './registry';

function encode(fn: string, a: (Value | undefined)[]): string {
  const indentArg = a[1];
  let indent: number | undefined;
  if (indentArg === true) indent = 2;
  else if (typeof indentArg === 'bigint') indent = Number(indentArg);
  else if (indentArg !== undefined && indentArg !== null && indentArg !== false)
    throw wfError('TypeError', `${fn}: indent must be a boolean or an integer`);
  try {
    return toJson(a[0] ?? null, indent);
  } catch {
    throw wfError('TypeError', `${fn}: bytes cannot be JSON-encoded (base64-encode them first)`);
  }
}

/** `json.*` and `base64.*` (https://cloud.google.com/workflows/docs/reference/stdlib/json/encode, .../base64/encode). */
export const encodingFunctions: StdFunction[] = [
  def('json.encode', ['data', 'indent'], (a) => new Bytes(Buffer.from(encode('json.encode', a), 'utf8')), { required: 1 }),
  def('json.encode_to_string', ['data', 'indent'], (a) => encode('json.encode_to_string', a), { required: 1 }),
  def('json.decode', ['data'], ([d]) => {
    let text: string;
    if (d instanceof Bytes) text = d.data.toString('utf8');
    else if (typeof d === 'string') text = d;
    else throw wfError('TypeError', `json.decode: data must be bytes or string, got ${typeName(d ?? null)}`);
    try {
      return fromJson(text);
    } catch (e) {
      throw wfError('ValueError', `json.decode: ${(e as Error).message}`);
    }
  }),
  def(
    'base64.encode',
    ['data', 'padding'],
    (a) => {
      const b = arg<Bytes>('base64.encode', a, 0, 'data', 'bytes');
      const s = b.data.toString('base64');
      return optArg('base64.encode', a, 1, 'padding', 'boolean', true) ? s : s.replace(/=+$/, '');
    },
    { required: 1 },
  ),
  def(
    'base64.decode',
    ['data', 'padding'],
    (a) => {
      const s = arg<string>('base64.decode', a, 0, 'data', 'string');
      const padding = optArg('base64.decode', a, 1, 'padding', 'boolean', true);
      const valid = padding ? /^[A-Za-z0-9+/]*={0,2}$/.test(s) && s.length % 4 === 0 : /^[A-Za-z0-9+/]*$/.test(s);
      if (!valid) throw wfError('ValueError', 'base64.decode: invalid base64 data');
      return new Bytes(Buffer.from(s, 'base64'));
    },
    { required: 1 },
  ),
];
