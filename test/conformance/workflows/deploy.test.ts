import * as assert from 'node:assert/strict';
import { parseWorkflow } from '../../../local/workflows/parse';
import { validateWorkflow } from '../../../local/workflows/validate';
import { refusal as refuse } from './harness';

// The local engine refuses, at deploy, what it does not run faithfully, naming the construct and
// its line, as Google's deploy-time validation does for syntax errors.
describe('workflows conformance: deploy-time refusals', () => {
  const cases: { name: string; source: string; construct: string; line: number; message: RegExp }[] = [
    {
      name: 'callbacks (events.await_callback) are not supported',
      source: `main:\n  steps:\n    - create_callback:\n        call: events.create_callback_endpoint\n        args:\n          http_callback_method: "POST"\n`,
      construct: 'events.create_callback_endpoint',
      line: 4,
      message: /callbacks and events/,
    },
    {
      name: 'experimental functions are not supported',
      source: `- a:\n    call: experimental.executions.map\n    args: {workflow_id: "x", arguments: []}\n`,
      construct: 'experimental.executions.map',
      line: 2,
      message: /experimental/,
    },
    {
      name: 'a connector the engine does not implement is refused by name',
      source: `- a:\n    assign:\n      - x: 1\n- b:\n    call: googleapis.translate.v2.translations.translate\n    args: {q: "hi", target: "fr"}\n`,
      construct: 'googleapis.translate.v2.translations.translate',
      line: 5,
      message:
        /^connector "googleapis.translate.v2.translations.translate" is not supported by the local Workflows engine \(the connectors it runs are listed in local\/workflows\/README.md/,
    },
    {
      name: 'an unknown function in an expression',
      source: `- a:\n    return: \${geo.locate("x")}\n`,
      construct: 'geo.locate',
      line: 2,
      message: /unsupported function/,
    },
    {
      name: 'an unknown step key',
      source: `- a:\n    assign:\n      - x: 1\n- b:\n    callback: x\n`,
      construct: 'callback',
      line: 5,
      message: /unsupported construct "callback"/,
    },
    {
      name: 'an exception_policy other than continueAll',
      source: `- p:\n    parallel:\n      exception_policy: failFast\n      branches:\n        - a:\n            steps:\n              - s: {return: 1}\n`,
      construct: 'exception_policy',
      line: 3,
      message: /not supported/,
    },
    {
      name: 'next to a missing step',
      source: `- a:\n    next: nowhere\n`,
      construct: 'next',
      line: 1,
      message: /step "nowhere" not found/,
    },
    {
      name: 'break outside a loop',
      source: `- a:\n    next: break\n`,
      construct: 'next',
      line: 1,
      message: /only allowed inside a for loop/,
    },
    {
      name: 'a jump out of a for loop (docs: reference/syntax/iteration, "Jump within a loop")',
      source: `- loop:\n    for:\n      value: v\n      in: [1]\n      steps:\n        - inner:\n            next: after\n- after:\n    return: 1\n`,
      construct: 'next',
      line: 6,
      message: /step "after" not found/,
    },
    {
      name: 'a step named break inside a loop',
      source: `- loop:\n    for:\n      value: v\n      in: [1]\n      steps:\n        - break:\n            assign:\n              - x: 1\n`,
      construct: 'break',
      line: 6,
      message: /cannot be named "break"/,
    },
    {
      name: 'a malformed expression names the character',
      source: `- a:\n    assign:\n      - x: \${1 +* 2}\n`,
      construct: 'expression',
      line: 3,
      message: /invalid expression/,
    },
    {
      name: 'YAML syntax errors give the line',
      source: `- a:\n    assign:\n      - x: [1, 2\n- b:\n    return: 1\n`,
      construct: 'yaml',
      line: 4,
      message: /YAML syntax error/,
    },
    {
      name: 'a subworkflow call with an unknown argument',
      source: `main:\n  steps:\n    - c:\n        call: sub\n        args: {nope: 1}\nsub:\n  params: [a]\n  steps:\n    - r:\n        return: \${a}\n`,
      construct: 'args',
      line: 4,
      message: /unknown argument "nope"/,
    },
    {
      name: 'a workflow without main',
      source: `other:\n  steps:\n    - r: {return: 1}\n`,
      construct: 'main',
      line: 1,
      message: /no "main"/,
    },
    {
      name: 'return inside a parallel branch',
      source: `- p:\n    parallel:\n      branches:\n        - a:\n            steps:\n              - r:\n                  return: 1\n`,
      construct: 'return',
      line: 6,
      message: /parallel branch/,
    },
    {
      name: 'a retry predicate that is not a subworkflow',
      source: `- t:\n    try:\n      call: http.get\n      args: {url: "http://x"}\n    retry:\n      predicate: \${nope}\n      max_retries: 1\n      backoff: {initial_delay: 1, max_delay: 1, multiplier: 1}\n`,
      construct: 'predicate',
      line: 6,
      message: /retry predicate "nope"/,
    },
    {
      name: 'an unknown argument to a standard-library function',
      source: `- a:\n    call: http.get\n    args: {url: "http://x", retries: 3}\n`,
      construct: 'args',
      line: 2,
      message: /unknown argument "retries"/,
    },
    {
      name: 'http private_service_name (Service Directory) cannot be honoured offline',
      source: `- a:\n    call: http.get\n    args:\n      url: "https://10.0.0.1/x"\n      private_service_name: "projects/p/locations/l/namespaces/n/services/s"\n`,
      construct: 'private_service_name',
      line: 2,
      message: /not supported by the local Workflows engine/,
    },
  ];
  for (const c of cases) {
    it(`refuses ${c.name} (line ${c.line}, construct ${c.construct})`, () => {
      const e = refuse(c.source);
      assert.equal(e.pos?.line, c.line, e.message);
      assert.equal(e.construct, c.construct, e.message);
      assert.match(e.message, c.message);
      assert.match(e.message, new RegExp(`line ${c.line}`));
    });
  }

  it('accepts JSON workflow source (docs: reference/syntax/syntax-cheat-sheet, JSON tab)', () => {
    const def = parseWorkflow(JSON.stringify({ main: { params: ['args'], steps: [{ r: { return: '${args}' } }] } }));
    validateWorkflow(def);
    assert.ok(def.subworkflows.has('main'));
  });
});
