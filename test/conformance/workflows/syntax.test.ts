import * as assert from 'node:assert/strict';
import { failure, result, run } from './harness';

// Each case follows an example of Google's Workflows documentation; the page is named in the test title.
describe('workflows conformance: syntax', () => {
  it('assign: variables, maps, lists, map keys and list indexes (docs: reference/syntax/variables)', async () => {
    const src = `
main:
  steps:
    - assign_vars:
        assign:
          - number: 5
          - number_plus_one: \${number + 1}
          - other_number: 10
          - string: "hello"
          - my_map: {"Name": "Lila", "Age": 25}
          - my_map.Age: 26
          - my_map["Hometown"]: "Seattle"
          - nested: {}
          - nested.a.b: 1
          - my_list: [0, 1, 2, 3, 4]
          - my_list[0]: "zero"
    - return_value:
        return: \${[number_plus_one, other_number, string, my_map, nested, my_list]}
`;
    assert.deepEqual(await result(src), [
      6,
      10,
      'hello',
      { Name: 'Lila', Age: 26, Hometown: 'Seattle' },
      { a: { b: 1 } },
      ['zero', 1, 2, 3, 4],
    ]);
  });

  it('a workflow given as a plain list of steps (docs: reference/syntax/syntax-cheat-sheet)', async () => {
    const src = `
- first:
    assign:
      - x: 1
- second:
    return: \${x + 1}
`;
    assert.equal(await result(src), 2);
  });

  it('main params receive the runtime argument (docs: workflows/docs/passing-runtime-arguments)', async () => {
    const src = `
main:
  params: [args]
  steps:
    - step1:
        assign:
          - outputVar: \${"Hello, " + args.firstName + " " + args.lastName + "!"}
    - step2:
        return: \${outputVar}
`;
    assert.equal(await result(src, { firstName: 'Sherlock', lastName: 'Holmes' }), 'Hello, Sherlock Holmes!');
  });

  it('subworkflows with params and defaults, called with call and in expressions (docs: reference/syntax/subworkflows)', async () => {
    const src = `
main:
  steps:
    - call_subworkflow:
        call: name_message
        args:
          first_name: "Sherlock"
          last_name: "Holmes"
        result: output
    - call_subworkflow2:
        call: name_message
        args:
          first_name: "Ada"
        result: output2
    - call_in_expression:
        assign:
          - output3: \${name_message("Grace", "Hopper")}
    - call_subworkflow3:
        return: \${[output, output2, output3]}

name_message:
  params: [first_name, last_name: "Lovelace"]
  steps:
    - prepareMessage:
        return: \${"Hello " + first_name + " " + last_name}
`;
    assert.deepEqual(await result(src), ['Hello Sherlock Holmes', 'Hello Ada Lovelace', 'Hello Grace Hopper']);
  });

  it('assignments in one step run in order around subworkflow calls in expressions (docs: reference/syntax/variables)', async () => {
    const src = `
main:
  steps:
    - a:
        assign:
          - x: 1
          - y: \${double(x)}
          - z: \${y + 1}
          - w: \${double(z) + double(y)}
          - v: \${w}
    - r:
        return: \${[x, y, z, w, v]}
double:
  params: [n]
  steps:
    - r:
        return: \${n * 2}
`;
    assert.deepEqual(await result(src), [1, 2, 3, 10, 10]);
  });

  it('switch with condition, next, nested steps, assign, return and raise (docs: reference/syntax/conditions)', async () => {
    const src = `
main:
  params: [input]
  steps:
    - first:
        assign:
          - log: []
    - what_to_do:
        switch:
          - condition: \${input == "jump"}
            next: jumped
          - condition: \${input == "nested"}
            steps:
              - inner:
                  assign:
                    - log: \${list.concat(log, "inner")}
          - condition: \${input == "assign"}
            assign:
              - log: \${list.concat(log, "assigned")}
          - condition: \${input == "return"}
            return: "returned from switch"
          - condition: \${input == "raise"}
            raise: "raised from switch"
        next: after
    - jumped:
        assign:
          - log: \${list.concat(log, "jumped")}
    - after:
        return: \${log}
`;
    assert.deepEqual(await result(src, 'jump'), ['jumped']);
    assert.deepEqual(await result(src, 'nested'), ['inner']);
    assert.deepEqual(await result(src, 'assign'), ['assigned']);
    assert.deepEqual(await result(src, 'other'), []);
    assert.equal(await result(src, 'return'), 'returned from switch');
    assert.equal(await failure(src, 'raise'), 'raised from switch');
  });

  it('switch condition must be a boolean: TypeError (docs: reference/syntax/conditions)', async () => {
    const e = await failure(`
- s:
    switch:
      - condition: \${1}
        next: end
`);
    assert.deepEqual(e.tags, ['TypeError']);
  });

  it('next: jumps, end (docs: reference/syntax/jumps)', async () => {
    const src = `
- first:
    assign:
      - x: 0
    next: third
- second:
    assign:
      - x: 100
- third:
    assign:
      - x: \${x + 1}
- check:
    switch:
      - condition: \${x < 3}
        next: third
    next: end
- never:
    return: "unreachable"
`;
    const o = await run(src);
    assert.equal(o.state, 'SUCCEEDED');
    assert.equal(o.result, null);
  });

  it('for over a list with value and index, break and continue (docs: reference/syntax/iteration)', async () => {
    const src = `
main:
  steps:
    - init:
        assign:
          - sum: 0
          - seen: []
    - loop:
        for:
          value: v
          index: i
          in: [10, 20, 30, 40, 50]
          steps:
            - skip_twenty:
                switch:
                  - condition: \${v == 20}
                    next: continue
            - stop_at_forty:
                switch:
                  - condition: \${v == 40}
                    next: break
            - add:
                assign:
                  - sum: \${sum + v}
                  - seen: \${list.concat(seen, i)}
    - done:
        return: \${[sum, seen]}
`;
    assert.deepEqual(await result(src), [40, [0, 2]]);
  });

  it('for over a range, inclusive (docs: reference/syntax/iteration)', async () => {
    const src = `
- init:
    assign:
      - sum: 0
- loop:
    for:
      value: v
      range: [1, 9]
      steps:
        - add:
            assign:
              - sum: \${sum + v}
- done:
    return: \${sum}
`;
    assert.equal(await result(src), 45);
  });

  it('variables created in a for loop do not exist after it (docs: reference/syntax/iteration)', async () => {
    const e = await failure(`
- loop:
    for:
      value: v
      in: [1]
      steps:
        - inside:
            assign:
              - created: \${v}
- after:
    return: \${created}
`);
    assert.deepEqual(e.tags, ['KeyError']);
  });

  it('raise a string and a map; uncaught errors fail the execution (docs: reference/syntax/raising-errors)', async () => {
    assert.equal(
      await failure(`
- step_a:
    raise: "Something went wrong."
`),
      'Something went wrong.',
    );
    const e = await failure(`
- step_a:
    raise:
      code: 55
      message: "Something went wrong."
`);
    assert.deepEqual(e, { code: 55, message: 'Something went wrong.' });
  });

  it('try/except with as, catching a raised map (docs: reference/syntax/catching-errors)', async () => {
    const src = `
main:
  steps:
    - read_item:
        try:
          steps:
            - raise_it:
                raise:
                  code: 404
                  message: "not found"
        except:
          as: e
          steps:
            - known_errors:
                switch:
                  - condition: \${e.code == 404}
                    return: "Sorry, URL wasn't found."
            - unhandled_exception:
                raise: \${e}
`;
    assert.equal(await result(src), "Sorry, URL wasn't found.");
  });

  it('steps: nested steps and jumping out of them (docs: reference/syntax/steps#nested-steps)', async () => {
    const src = `
main:
  steps:
    - series_one:
        steps:
          - step_a:
              assign:
                - x: 1
          - step_b:
              next: series_two
    - skipped:
        assign:
          - x: 100
    - series_two:
        steps:
          - step_c:
              return: \${x}
`;
    assert.equal(await result(src), 1);
  });

  it('execution result is null when main has no return (docs: reference/syntax/completing)', async () => {
    const o = await run(`
- a:
    assign:
      - x: 1
`);
    assert.equal(o.resultText, 'null');
  });

  it('recursion beyond the call-stack limit raises RecursionError (docs: reference/syntax/error-types)', async () => {
    const e = await failure(`
main:
  steps:
    - go:
        call: recurse
        args: {n: 0}
        result: r
    - ret:
        return: \${r}
recurse:
  params: [n]
  steps:
    - again:
        return: \${recurse(n + 1)}
`);
    assert.deepEqual(e.tags, ['RecursionError']);
  });

  it('values have copy semantics: changing a returned or caught map never changes the workflow itself', async () => {
    const src = `
main:
  steps:
    - get:
        call: make
        result: r
    - change:
        assign:
          - r.a: 2
    - t:
        try:
          raise: {"n": 1}
        except:
          as: e
          steps:
            - bump:
                assign:
                  - e.n: 5
    - again:
        call: make
        result: r2
    - done:
        return: \${[r.a, r2.a]}
make:
  steps:
    - r:
        return: {a: 1}
`;
    assert.deepEqual(await result(src), [2, 1]);
    // A second execution of the same deployment sees the original constants too.
    assert.deepEqual(await result(src), [2, 1]);
  });

  it('values have copy semantics: assigning into a map or list path stores a copy, not the variable or constant itself', async () => {
    const src = `
main:
  steps:
    - a:
        assign:
          - c: {x: 1}
          - m: {l: [0]}
          - m.k: \${c}
          - m.l[0]: \${c}
          - c.x: 2
          - m.k2: {y: 1}
          - snap: \${m.k2.y}
          - m.k2.y: 3
    - done:
        return: \${[m.k.x, m.l[0].x, c.x, snap]}
`;
    assert.deepEqual(await result(src), [1, 1, 2, 1]);
    // A second execution of the same deployment sees the original constant.
    assert.deepEqual(await result(src), [1, 1, 2, 1]);
  });
});
