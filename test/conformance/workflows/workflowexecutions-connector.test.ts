import * as assert from 'node:assert/strict';
import { ScaledClock } from '../../../local/workflows/clock';
import { ExecutionRecord, WorkflowsEngine } from '../../../local/workflows/engine';

process.env.METADATA_SERVER_DETECTION = 'none';

// The Workflow Executions connector (https://cloud.google.com/workflows/docs/reference/googleapis/workflowexecutions/Overview):
// the run helper (starts an execution and waits for it, argument as a value) and create (the REST method).
describe('workflows conformance: Workflow Executions connector (docs: reference/googleapis/workflowexecutions/v1)', () => {
  const CHILD = `
main:
  params: [args]
  steps:
    - check:
        switch:
          - condition: \${args.fail}
            raise: {code: 42, message: "asked to fail"}
    - done:
        return: \${"hello " + args.who}
`;
  let engine: WorkflowsEngine;
  beforeEach(() => {
    engine = new WorkflowsEngine({
      projectId: 'test-project',
      location: 'us-central1',
      clock: new ScaledClock(1000),
      onLog: () => undefined,
    });
    engine.deploy({ workflowId: 'child', source: CHILD });
  });
  afterEach(() => engine.reset());

  async function runParent(source: string): Promise<ExecutionRecord> {
    engine.deploy({ workflowId: 'parent', source });
    return engine.run('parent');
  }

  it('run starts the workflow in this project and location and returns its result (the value, not JSON text)', async () => {
    const rec = await runParent(`
- run_child:
    call: googleapis.workflowexecutions.v1.projects.locations.workflows.executions.run
    args:
      workflow_id: child
      argument: {who: "Ada", fail: false}
    result: r
- done:
    return: \${r}
`);
    assert.equal(rec.state, 'SUCCEEDED', rec.error?.payload);
    assert.equal(JSON.parse(rec.result!), 'hello Ada');
    const child = [...engine.executions.values()].find((e) => e.workflowId === 'child')!;
    assert.deepEqual(JSON.parse(child.argument), { who: 'Ada', fail: false });
  });

  it('a child that fails is an OperationError carrying the execution; an unknown workflow is an HttpError 404', async () => {
    const rec = await runParent(`
- run_child:
    try:
      call: googleapis.workflowexecutions.v1.projects.locations.workflows.executions.run
      args:
        workflow_id: child
        project_id: test-project
        location: us-central1
        argument: {who: "x", fail: true}
    except:
      as: e
      steps:
        - keep:
            assign:
              - failed: \${e}
- run_missing:
    try:
      call: googleapis.workflowexecutions.v1.projects.locations.workflows.executions.run
      args: {workflow_id: nowhere}
    except:
      as: e
      steps:
        - done:
            return: \${[failed.tags, failed.operation.state, json.decode(failed.operation.error.payload).code, e.tags, e.code, e.body.error.status]}
`);
    assert.equal(rec.state, 'SUCCEEDED', rec.error?.payload);
    assert.deepEqual(JSON.parse(rec.result!), [['OperationError'], 'FAILED', 42, ['HttpError'], 404, 'NOT_FOUND']);
  });

  it('create answers the Execution resource at once (argument as JSON text); skip_polling makes run return null', async () => {
    const rec = await runParent(`
- init:
    assign:
      - parent: \${"projects/" + sys.get_env("GOOGLE_CLOUD_PROJECT_ID") + "/locations/" + sys.get_env("GOOGLE_CLOUD_LOCATION") + "/workflows/child"}
- create:
    call: googleapis.workflowexecutions.v1.projects.locations.workflows.executions.create
    args:
      parent: \${parent}
      body:
        argument: '\${json.encode_to_string({"who": "Bob", "fail": false})}'
    result: created
- fire_and_forget:
    call: googleapis.workflowexecutions.v1.projects.locations.workflows.executions.run
    args:
      workflow_id: child
      argument: {who: "Cy", fail: false}
      connector_params: {skip_polling: true}
    result: skipped
- done:
    return: \${[text.match_regex(created.name, "^" + parent + "/executions/[0-9a-f-]+$"), created.state, skipped]}
`);
    assert.equal(rec.state, 'SUCCEEDED', rec.error?.payload);
    assert.deepEqual(JSON.parse(rec.result!), [true, 'ACTIVE', null]);
  });
});
