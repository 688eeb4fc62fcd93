import { wfError } from '../errors';
import { deepCopy, isMap, typeName, Value, ValueMap } from '../values';
import { arg, def, StdFunction } from './registry';

function mergeNested(a: ValueMap, b: ValueMap): ValueMap {
  const out: ValueMap = { ...a };
  for (const k of Object.keys(b)) {
    const x = out[k];
    const y = b[k];
    out[k] = isMap(x) && isMap(y) ? mergeNested(x, y) : deepCopy(y);
  }
  return out;
}

/** `map.*` and `list.*` (https://cloud.google.com/workflows/docs/reference/stdlib/map/get, .../list/concat). Never mutate their inputs. */
export const collectionFunctions: StdFunction[] = [
  def('map.get', ['map', 'keys'], (a) => {
    let cur: Value = a[0] ?? null;
    const keys = a[1];
    const path = typeof keys === 'string' ? [keys] : Array.isArray(keys) ? keys : null;
    if (!path) throw wfError('TypeError', `map.get: keys must be a string or a list of strings, got ${typeName(keys ?? null)}`);
    if (cur !== null && !isMap(cur)) throw wfError('TypeError', `map.get: map must be a map, got ${typeName(cur)}`);
    for (const k of path) {
      if (typeof k !== 'string') throw wfError('TypeError', 'map.get: keys must be strings');
      if (!isMap(cur) || !Object.prototype.hasOwnProperty.call(cur, k)) return null;
      cur = cur[k];
    }
    return cur;
  }),
  def('map.delete', ['map', 'key'], (a) => {
    const m = arg<ValueMap>('map.delete', a, 0, 'map', 'map');
    const k = arg<string>('map.delete', a, 1, 'key', 'string');
    const out: ValueMap = { ...m };
    delete out[k];
    return out;
  }),
  def('map.merge', ['first', 'second'], (a) => ({
    ...arg<ValueMap>('map.merge', a, 0, 'first', 'map'),
    ...arg<ValueMap>('map.merge', a, 1, 'second', 'map'),
  })),
  def('map.merge_nested', ['first', 'second'], (a) =>
    mergeNested(arg<ValueMap>('map.merge_nested', a, 0, 'first', 'map'), arg<ValueMap>('map.merge_nested', a, 1, 'second', 'map')),
  ),
  def('list.concat', ['objs', 'val'], (a) => [...arg<Value[]>('list.concat', a, 0, 'objs', 'list'), a[1] ?? null]),
  def('list.prepend', ['objs', 'val'], (a) => [a[1] ?? null, ...arg<Value[]>('list.prepend', a, 0, 'objs', 'list')]),
];
