import * as assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { localEndpoints } from '../support/endpoints';
import { request } from '../support/http';

/**
 * The local Workflows engine is handed the endpoints of the services started before it, so it
 * must start after every emulator its connectors call: with the Pub/Sub emulator started after
 * it, a Pub/Sub step failed with "the Pub/Sub emulator is not configured for the local Workflows
 * engine", in `make dev` as here. The workflow is deployed and run through the engine's API.
 */
describe('local cloud: the Workflows engine reaches the emulators its connectors call', function () {
  this.timeout(60_000);

  it('runs a workflow that creates and deletes a Pub/Sub topic on the emulator', async () => {
    const { workflows, workflows_parent: parent, project } = localEndpoints() as unknown as Record<string, string>;
    const id = `connector-probe-${Date.now().toString(36)}`;
    const topic = `projects/${project}/topics/${id}`;
    const source = `main:
  steps:
    - create_topic:
        call: googleapis.pubsub.v1.projects.topics.create
        args:
          name: ${JSON.stringify(topic)}
        result: created
    - delete_topic:
        call: googleapis.pubsub.v1.projects.topics.delete
        args:
          topic: ${JSON.stringify(topic)}
    - done:
        return: \${created.name}
`;
    const created = await request(`${workflows}/v1/${parent}/workflows?workflowId=${id}`, {
      method: 'POST',
      json: { sourceContents: source },
    });
    assert.equal(created.status, 200, created.text);
    try {
      const started = await request(`${workflows}/v1/${parent}/workflows/${id}/executions`, { method: 'POST', json: {} });
      assert.equal(started.status, 200, started.text);
      let execution = started.body;
      while (['ACTIVE', 'QUEUED'].includes(execution.state)) {
        await sleep(100);
        execution = (await request(`${workflows}/v1/${started.body.name}?view=FULL`)).body;
      }
      assert.equal(execution.state, 'SUCCEEDED', JSON.stringify(execution.error ?? execution));
      assert.equal(JSON.parse(execution.result), topic);
    } finally {
      await request(`${workflows}/v1/${parent}/workflows/${id}`, { method: 'DELETE' });
    }
  });
});
