import * as assert from 'node:assert/strict';
import { failure, run } from './harness';

/** Evaluates one expression in a one-step workflow and returns the result as JSON text (keeps int vs double visible). */
async function expr(e: string): Promise<string | undefined> {
  const o = await run(`- r:\n    return: ${JSON.stringify('${' + e + '}')}\n`);
  if (o.state !== 'SUCCEEDED') throw new Error(`${e}: ${o.record.error?.payload}`);
  return o.resultText;
}

async function exprError(e: string): Promise<{ message?: string; tags?: string[] }> {
  return failure(`- r:\n    return: ${JSON.stringify('${' + e + '}')}\n`);
}

// Semantics from "Data types, functions, and operators" (https://cloud.google.com/workflows/docs/reference/syntax/datatypes)
// and "Expressions" (https://cloud.google.com/workflows/docs/reference/syntax/expressions).
describe('workflows conformance: expressions (docs: reference/syntax/datatypes)', () => {
  const cases: [string, string][] = [
    ['1 + 2', '3'],
    ['1 + 2.5', '3.5'],
    ['5 / 2', '2.5'],
    ['4 / 2', '2.0'], // `/` always gives a double
    ['7 // 2', '3'],
    ['-7 // 2', '-4'], // floor division
    ['7.5 // 2', '3.0'],
    ['7 % 3', '1'],
    ['2 + 3 * 4', '14'],
    ['(2 + 3) * 4', '20'],
    ['10 - 2 - 3', '5'],
    ['-2 * 3', '-6'],
    ['"Hello, " + "world"', '"Hello, world"'],
    ['"n=" + 1', '"n=1"'], // + with a string converts the number (documented conversion table)
    ['1 + "a"', '"1a"'],
    ['"b=" + true', '"b=true"'],
    ['1 == 1.0', 'true'],
    ['1 != 2', 'true'],
    ['"a" < "b"', 'true'],
    ['3 >= 3', 'true'],
    ['2 < 1.5', 'false'],
    ['true and false', 'false'],
    ['true or false', 'true'],
    ['not true', 'false'],
    ['TRUE AND True', 'true'],
    ['not true == false', 'true'], // `not` binds tighter than `==` (documented precedence)
    ['1 < 2 and 2 < 3 or false', 'true'],
    ['"a" in ["a", "b"]', 'true'],
    ['"c" in ["a", "b"]', 'false'],
    ['"k" in {"k": 1}', 'true'],
    ['[1, 2][1]', '2'],
    ['{"a": {"b": [10, 20]}}.a.b[1]', '20'],
    ['{"a": 1}["a"]', '1'],
    ['null', 'null'],
    ['9223372036854775807', '9223372036854775807'],
    ['len("héllo")', '5'],
    ['false or (1 / 0 == 1)', undefined as unknown as string], // placeholder, replaced below
  ].filter(([, want]) => want !== undefined) as [string, string][];

  for (const [e, want] of cases) {
    it(`\${${e}} = ${want}`, async () => {
      assert.equal(await expr(e), want);
    });
  }

  it('and/or short-circuit: the right side is not evaluated when the left decides', async () => {
    assert.equal(await expr('false and (1 / 0 == 1)'), 'false');
    assert.equal(await expr('true or (1 / 0 == 1)'), 'true');
  });

  const errors: [string, string][] = [
    ['1 / 0', 'ZeroDivisionError'],
    ['1 // 0', 'ZeroDivisionError'],
    ['5 % 0', 'ZeroDivisionError'],
    ['{"a": 1}.b', 'KeyError'],
    ['[1, 2][5]', 'IndexError'],
    ['[1, 2]["x"]', 'TypeError'],
    ['"a" - 1', 'TypeError'],
    ['true + 1', 'TypeError'],
    ['1 < "a"', 'TypeError'],
    ['1 and true', 'TypeError'],
    ['not 1', 'TypeError'],
    ['undefined_variable', 'KeyError'],
    ['9223372036854775807 + 1', 'ValueError'],
    ['int("abc")', 'ValueError'],
    ['"x" in 5', 'TypeError'],
  ];
  for (const [e, tag] of errors) {
    it(`\${${e}} raises ${tag} as a map with message and tags (docs: reference/syntax/error-types)`, async () => {
      const err = await exprError(e);
      assert.deepEqual(err.tags, [tag]);
      assert.equal(typeof err.message, 'string');
    });
  }

  it('expression errors are catchable by except (docs: reference/syntax/catching-errors)', async () => {
    const o = await run(`
- t:
    try:
      steps:
        - bad:
            assign:
              - x: \${1 / 0}
    except:
      as: e
      steps:
        - ret:
            return: \${e}
`);
    assert.equal(o.state, 'SUCCEEDED');
    assert.deepEqual((o.result as { tags: string[] }).tags, ['ZeroDivisionError']);
  });

  it('a string is an expression only when it is entirely ${...} (no interpolation)', async () => {
    const o = await run(`
- a:
    assign:
      - name: "x"
- r:
    return: "Hello \${name}"
`);
    assert.equal(o.result, 'Hello ${name}');
  });
});
