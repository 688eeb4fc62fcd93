import * as assert from 'node:assert/strict';
import { nonIntegerLiteralPointers } from '../../../functions/shared/http/numberLiterals';

describe('nonIntegerLiteralPointers', () => {
  const cases: [string, string[]][] = [
    ['{"value": 4}', []],
    ['{"value": 4.0}', ['/value']],
    ['{"value": 1e1, "name": "4.0"}', ['/value']],
    ['{"a": {"b": [1, 2.5, 3]}, "c": -0.0}', ['/a/b/1', '/c']],
    ['{"we\\"ird/key": 1.5, "x~y": 2E3}', ['/we"ird~1key', '/x~0y']],
    ['[{"t": [1, 2]}, {"t": [0.5]}]', ['/1/t/0']],
  ];
  for (const [text, expected] of cases) {
    it(`finds ${JSON.stringify(expected)} in ${text}`, () => {
      assert.deepEqual([...nonIntegerLiteralPointers(text)].sort(), expected.sort());
    });
  }
});
