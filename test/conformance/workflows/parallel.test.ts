import * as assert from 'node:assert/strict';
import { ScaledClock } from '../../../local/workflows/clock';
import { WorkflowsEngine } from '../../../local/workflows/engine';
import { refusal, result, run } from './harness';

// Examples from "Execute workflow steps in parallel" (https://cloud.google.com/workflows/docs/execute-parallel-steps)
// and the parallel syntax reference (https://cloud.google.com/workflows/docs/reference/syntax/parallel-steps).
describe('workflows conformance: parallel (docs: reference/syntax/parallel-steps)', () => {
  it('branches with a shared variable (documented example: parallel branches update a shared map)', async () => {
    const r = await result(`
main:
  steps:
    - init:
        assign:
          - user: {}
          - notification: {}
    - parallel_step:
        parallel:
          shared: [user, notification]
          branches:
            - getUser:
                steps:
                  - getUserCall:
                      assign:
                        - user: {"id": 1, "name": "Ada"}
            - getNotification:
                steps:
                  - getNotificationCall:
                      assign:
                        - notification: {"text": "hi"}
    - done:
        return: \${[user, notification]}
`);
    assert.deepEqual(r, [{ id: 1, name: 'Ada' }, { text: 'hi' }]);
  });

  it('parallel for with a shared accumulator (documented example: sum in a parallel loop)', async () => {
    const r = await result(`
main:
  steps:
    - assignStep:
        assign:
          - total: 0
    - loopStep:
        parallel:
          shared: [total]
          for:
            value: val
            in: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
            steps:
              - wait:
                  call: sys.sleep
                  args:
                    seconds: \${10 - val}
              - add:
                  assign:
                    - total: \${total + val}
    - returnStep:
        return: \${total}
`);
    assert.equal(r, 55);
  });

  it('branches run concurrently: every branch starts before any finishes its 100 s sleep', async () => {
    // Order, not wall-clock time: run one after another, each branch would log its end before
    // the next logs its start.
    const o = await run(`
main:
  steps:
    - init:
        assign:
          - events: []
    - p:
        parallel:
          shared: [events]
          branches:
            - a:
                steps:
                  - start: {assign: [{events: '\${list.concat(events, "a_start")}'}]}
                  - s: {call: sys.sleep, args: {seconds: 100}}
                  - end: {assign: [{events: '\${list.concat(events, "a_end")}'}]}
            - b:
                steps:
                  - start: {assign: [{events: '\${list.concat(events, "b_start")}'}]}
                  - s: {call: sys.sleep, args: {seconds: 100}}
                  - end: {assign: [{events: '\${list.concat(events, "b_end")}'}]}
            - c:
                steps:
                  - start: {assign: [{events: '\${list.concat(events, "c_start")}'}]}
                  - s: {call: sys.sleep, args: {seconds: 100}}
                  - end: {assign: [{events: '\${list.concat(events, "c_end")}'}]}
    - r:
        return: \${events}
`);
    const events = o.result as string[];
    assert.equal(events.length, 6);
    assert.deepEqual(events.slice(0, 3).sort(), ['a_start', 'b_start', 'c_start'], `branches did not overlap: ${events.join(', ')}`);
  });

  it('concurrency_limit queues the rest (docs: parallel-steps#concurrency-limit)', async () => {
    const o = await run(`
main:
  steps:
    - init:
        assign:
          - running: 0
          - peak: 0
    - p:
        parallel:
          shared: [running, peak]
          concurrency_limit: 2
          for:
            value: i
            range: [1, 6]
            steps:
              - enter:
                  assign:
                    - running: \${running + 1}
                    - peak: \${math.max(peak, running)}
              - work:
                  call: sys.sleep
                  args: {seconds: 5}
              - leave:
                  assign:
                    - running: \${running - 1}
    - r:
        return: \${peak}
`);
    assert.equal(o.result, 2);
  });

  it('variables assigned in a branch are local unless shared; parent variables are readable', async () => {
    const r = await result(`
main:
  steps:
    - init:
        assign:
          - base: 10
          - out: []
    - p:
        parallel:
          shared: [out]
          branches:
            - one:
                steps:
                  - local:
                      assign:
                        - mine: \${base + 1}
                        - out: \${list.concat(out, mine)}
    - r:
        return: \${out}
`);
    assert.deepEqual(r, [11]);
  });

  // The sample workflows-parallel-shared-variables marks both lines "deployment error".
  it('a branch assigning a parent variable not listed in shared is refused at deploy (docs: parallel-steps, "Shared variables")', () => {
    const e = refusal(`
main:
  steps:
    - init:
        assign:
          - x: 1
          - out: {}
    - p:
        parallel:
          shared: [out]
          branches:
            - one:
                steps:
                  - write:
                      assign:
                        - out.one: 1
                        - x: 2
`);
    assert.equal(e.construct, 'shared');
    assert.equal(e.pos?.line, 17);
    assert.match(e.message, /a branch assigns "x", a variable of the parent scope that the parallel step does not list in "shared"/);
  });

  it('a branch reading a variable only another branch assigns is refused at deploy (docs: parallel-steps, "Shared variables")', () => {
    const e = refusal(`
- p:
    parallel:
      branches:
        - one:
            steps:
              - a:
                  assign:
                    - mine: 1
        - two:
            steps:
              - b:
                  assign:
                    - theirs: \${mine + 1}
`);
    assert.equal(e.construct, 'mine');
    assert.equal(e.pos?.line, 14);
    assert.match(e.message, /branch "two" reads "mine", which only branch "one" assigns/);
  });

  it('what the same page allows deploys and runs: shared writes, branch-local names reused, parent reads, loops in branches', async () => {
    const r = await result(`
main:
  steps:
    - init:
        assign:
          - input: ["a", "b"]
          - out: {}
    - p:
        parallel:
          shared: [out]
          branches:
            - one:
                steps:
                  - s1:
                      assign:
                        - temp: \${input[0]}
                        - out.one: \${temp}
            - two:
                steps:
                  - s2:
                      assign:
                        - temp: \${input[1]}
                  - loop:
                      for:
                        value: v
                        in: [1, 2]
                        steps:
                          - acc:
                              assign:
                                - temp: \${temp + string(v)}
                  - s3:
                      assign:
                        - out.two: \${temp}
    - done:
        return: \${out}
`);
    assert.deepEqual(r, { one: 'a', two: 'b12' });
  });

  it('exception_policy continueAll: other branches finish, then UnhandledBranchError (docs: parallel-steps#exception-policy)', async () => {
    const o = await run(`
main:
  steps:
    - init:
        assign:
          - done: []
    - p:
        parallel:
          exception_policy: continueAll
          shared: [done]
          branches:
            - failing:
                steps:
                  - boom:
                      raise: {"message": "branch failed", "tags": ["Custom"]}
            - slow:
                steps:
                  - wait: {call: sys.sleep, args: {seconds: 5}}
                  - mark:
                      assign:
                        - done: \${list.concat(done, "slow")}
`);
    assert.equal(o.state, 'FAILED');
    assert.deepEqual(o.error?.tags, ['UnhandledBranchError']);
    assert.deepEqual(o.error?.branches, [{ id: 'failing', error: { message: 'branch failed', tags: ['Custom'] } }]);
  });

  it('an error inside a branch can be caught inside the branch', async () => {
    const r = await result(`
main:
  steps:
    - init:
        assign:
          - caught: ""
    - p:
        parallel:
          shared: [caught]
          branches:
            - b:
                steps:
                  - t:
                      try:
                        steps:
                          - boom:
                              raise: "oops"
                      except:
                        as: e
                        steps:
                          - keep:
                              assign:
                                - caught: \${e}
    - r:
        return: \${caught}
`);
    assert.equal(r, 'oops');
  });

  it('nested parallel steps (two levels) share variables through both levels', async () => {
    const r = await result(`
main:
  steps:
    - init:
        assign:
          - seen: []
    - outer:
        parallel:
          shared: [seen]
          branches:
            - a:
                steps:
                  - inner:
                      parallel:
                        shared: [seen]
                        branches:
                          - a1:
                              steps:
                                - add: {assign: [{seen: '\${list.concat(seen, "a1")}'}]}
                          - a2:
                              steps:
                                - add: {assign: [{seen: '\${list.concat(seen, "a2")}'}]}
            - b:
                steps:
                  - add: {assign: [{seen: '\${list.concat(seen, "b")}'}]}
    - r:
        return: \${len(seen)}
`);
    assert.equal(r, 3);
  });

  it('status.currentSteps lists the step of every running branch', async () => {
    const engine = new WorkflowsEngine({ projectId: 'p', location: 'l', clock: new ScaledClock(1000), onLog: () => undefined });
    engine.deploy({
      workflowId: 'w',
      source: `
- p:
    parallel:
      branches:
        - a:
            steps:
              - wait_a: {call: sys.sleep, args: {seconds: 200}}
        - b:
            steps:
              - wait_b: {call: sys.sleep, args: {seconds: 200}}
- after:
    return: 1
`,
    });
    const rec = engine.startExecution('w');
    await new Promise((r) => setTimeout(r, 60));
    assert.deepEqual(rec.currentSteps.map((s) => s.step).sort(), ['p', 'wait_a', 'wait_b']);
    await rec.done;
    assert.equal(rec.state, 'SUCCEEDED');
  });
});
