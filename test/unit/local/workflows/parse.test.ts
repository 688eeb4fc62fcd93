import * as assert from 'node:assert/strict';
import { parseWorkflow } from '../../../../local/workflows/parse';

describe('local/workflows parse', () => {
  it('builds subworkflows with params, defaults and step kinds with source lines', () => {
    const def = parseWorkflow(`main:
  params: [args]
  steps:
    - a:
        assign:
          - x.y["z"]: 1
        next: b
    - b:
        try:
          call: http.get
          args: {url: "http://x"}
        retry: \${http.default_retry}
sub:
  params: [p, q: 2]
  steps:
    - r:
        return: \${p + q}
`);
    const main = def.subworkflows.get('main')!;
    assert.deepEqual(
      main.params.map((p) => p.name),
      ['args'],
    );
    assert.deepEqual(
      main.steps.map((s) => [s.name, s.kind, s.pos.line]),
      [
        ['a', 'assign', 4],
        ['b', 'try', 8],
      ],
    );
    const a = main.steps[0];
    assert.ok(a.kind === 'assign');
    assert.equal(a.assign[0].target.root, 'x');
    assert.equal(a.assign[0].target.path.length, 2);
    const b = main.steps[1];
    assert.ok(b.kind === 'try' && b.retry?.predicate === 'http.default_retry_predicate');
    const sub = def.subworkflows.get('sub')!;
    assert.deepEqual(
      sub.params.map((p) => [p.name, p.default?.k]),
      [
        ['p', undefined],
        ['q', 'const'],
      ],
    );
  });

  it('folds constant maps and lists, and keeps expressions where they are', () => {
    const def = parseWorkflow('- r:\n    return: {a: [1, 2], b: "${x}"}\n');
    const r = def.subworkflows.get('main')!.steps[0];
    assert.ok(r.kind === 'return' && r.value.k === 'map');
    assert.deepEqual(
      r.value.entries.map(([k, t]) => [k, t.k]),
      [
        ['a', 'const'],
        ['b', 'expr'],
      ],
    );
  });

  it('refuses a step combining keys that do not go together', () => {
    assert.throws(() => parseWorkflow('- a:\n    assign:\n      - x: 1\n    return: 1\n'), /cannot be combined/);
  });
});
