import * as assert from 'node:assert/strict';
import { DeployError } from '../../../local/workflows/errors';
import { parseWorkflow } from '../../../local/workflows/parse';
import { failure, result } from './harness';

// The maps page of the syntax reference (https://cloud.google.com/workflows/docs/reference/syntax/maps):
// map definition, dynamic keys, and keys that YAML reads as numbers.
describe('workflows conformance: map keys (docs: reference/syntax/maps)', () => {
  it('a key written as an expression is evaluated, in block and brace maps (docs: reference/syntax/maps, "Map definition")', async () => {
    const r = await result(`
- define:
    assign:
      - part: "Second"
      - person:
          Given: "Ada"
          \${part + "Name"}: "King"
          Family: "Lovelace"
      - braces: {"\${part}": 1, '\${"x" + part}': 2}
- done:
    return: \${[person, braces, keys(person)]}
`);
    assert.deepEqual(r, [
      { Given: 'Ada', SecondName: 'King', Family: 'Lovelace' },
      { Second: 1, xSecond: 2 },
      ['Family', 'Given', 'SecondName'],
    ]);
  });

  it('a dynamic key in JSON source, and one inside a nested map given to a call (docs: reference/syntax/maps, JSON tab)', async () => {
    const src = JSON.stringify([
      { init: { assign: [{ k: 'inner' }, { m: { outer: { '${k}': { '${k + "2"}': '${1 + 1}' } } } }] } },
      { done: { return: '${m.outer.inner.inner2}' } },
    ]);
    assert.equal(await result(src), 2);
  });

  it('a dynamic key that is not a string is a TypeError, as in a map written inside an expression', async () => {
    const e = await failure(`
- define:
    assign:
      - n: 7
      - m:
          \${n}: "seven"
`);
    assert.deepEqual(e.tags, ['TypeError']);
    assert.match(e.message!, /map keys must be strings/);
  });

  it('a YAML integer key is the text of the number, as in the JSON form (sample iterate_map: "1": 10)', async () => {
    const r = await result(`
- define:
    assign:
      - m:
          1: 10
          2: 20
          -3: 30
      - sum: 0
- add:
    for:
      value: k
      in: \${keys(m)}
      steps:
        - acc:
            assign:
              - sum: \${sum + m[k]}
- done:
    return: \${[sum, m["1"], keys(m)]}
`);
    assert.deepEqual(r, [60, 10, ['-3', '1', '2']]);
  });

  for (const key of ['1.5', 'true', '0x10', '~']) {
    it(`a ${key} map key has no single documented text: refused at deploy, naming it and its line`, () => {
      assert.throws(
        () => parseWorkflow(`- define:\n    assign:\n      - m:\n          ${key}: 1\n`),
        (e: unknown) => e instanceof DeployError && e.construct === 'map key' && e.pos?.line === 4 && e.message.includes(key),
      );
    });
  }
});
