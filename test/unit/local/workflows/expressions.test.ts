import * as assert from 'node:assert/strict';
import { binary, evaluate, EvalEnv } from '../../../../local/workflows/expressions/evaluate';
import { ExpressionSyntaxError, tokenize } from '../../../../local/workflows/expressions/lexer';
import { calledFunctions, parseExpression } from '../../../../local/workflows/expressions/parser';
import { WorkflowError } from '../../../../local/workflows/errors';
import { Value } from '../../../../local/workflows/values';

const env = (vars: Record<string, Value> = {}): EvalEnv => ({
  lookup: (n) => {
    if (!(n in vars)) throw new WorkflowError({ message: `variable not found: ${n}`, tags: ['KeyError'] });
    return vars[n];
  },
  callFunction: (name, args) => (name === 'f.twice' ? (args[0] as bigint) * 2n : null),
});

describe('local/workflows expressions', () => {
  it('tokenizes ints as bigint and doubles as number', () => {
    const t = tokenize('1 2.5 1e3 .5 "a\\"b" \'c\' x_1 //');
    assert.deepEqual(
      t.map((x) => ('v' in x ? x.v : x.t)),
      [1n, 2.5, 1000, 0.5, 'a"b', 'c', 'x_1', '//', 'eof'],
    );
  });

  it('rejects unterminated strings and stray characters with a position', () => {
    assert.throws(() => tokenize('"abc'), ExpressionSyntaxError);
    assert.throws(
      () => tokenize('a # b'),
      (e: ExpressionSyntaxError) => e.pos === 2,
    );
  });

  it('parses with the documented precedence', () => {
    assert.equal(evaluate(parseExpression('1 + 2 * 3 - 4 // 3'), env()), 6n);
    assert.equal(evaluate(parseExpression('-2 * -3'), env()), 6n);
    assert.equal(evaluate(parseExpression('not false and 1 < 2 or false'), env()), true);
  });

  it('resolves dotted function names and collects them for deploy checks', () => {
    const e = parseExpression('f.twice(x) + len(y)');
    assert.deepEqual(
      calledFunctions(e).map((c) => c.name),
      ['f.twice', 'len'],
    );
    // Evaluation order: a call's arguments before the call (the executor runs subworkflow calls so).
    assert.deepEqual(
      calledFunctions(parseExpression('f(g(1), h(k(2))) and m(3)')).map((c) => c.name),
      ['g', 'k', 'h', 'f', 'm'],
    );
    assert.equal(evaluate(parseExpression('f.twice(x)'), env({ x: 21n })), 42n);
  });

  it('parses list and map literals and member/index chains', () => {
    assert.deepEqual(evaluate(parseExpression('[1, {"a": [true]}]'), env()), [1n, { a: [true] }]);
    assert.equal(evaluate(parseExpression('m.a["b"][1]'), env({ m: { a: { b: [0n, 9n] } } })), 9n);
  });

  it('refuses malformed expressions', () => {
    for (const bad of ['1 +', '(1', 'a.', '1 2', '[1,', '{"a" 1}', 'and'])
      assert.throws(() => parseExpression(bad), ExpressionSyntaxError, bad);
  });

  it('binary: numeric promotion and Python-style floor division and modulo', () => {
    assert.equal(binary('%', -7n, 3n), 2n);
    assert.equal(binary('//', 7n, -2n), -4n);
    assert.equal(binary('+', 1n, 0.5), 1.5);
    assert.equal(binary('==', [1n, { a: 2n }], [1, { a: 2 }]), true);
  });
});
