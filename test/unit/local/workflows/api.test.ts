import * as assert from 'node:assert/strict';
import { WorkflowsApiServer } from '../../../../local/workflows/api/server';
import { duration } from '../../../../local/workflows/api/resources';
import { WorkflowsEngine } from '../../../../local/workflows/engine';

process.env.METADATA_SERVER_DETECTION = 'none';

describe('local/workflows api server', () => {
  const engine = new WorkflowsEngine({ projectId: 'p', location: 'l', onLog: () => undefined });
  const server = new WorkflowsApiServer(engine);
  let base = '';
  before(async () => {
    base = await server.listen(0);
    engine.deploy({ workflowId: 'w', source: '- r:\n    return: 1\n' });
  });
  after(() => server.close());

  const cases: { name: string; method: string; path: string; body?: string; status: number; rpc: string }[] = [
    { name: 'unknown path', method: 'GET', path: '/v2/nothing', status: 404, rpc: 'NOT_FOUND' },
    { name: 'wrong method', method: 'PUT', path: '/v1/projects/p/locations/l/workflows/w', status: 405, rpc: 'UNIMPLEMENTED' },
    { name: 'another project', method: 'GET', path: '/v1/projects/other/locations/l/workflows/w', status: 404, rpc: 'NOT_FOUND' },
    {
      name: 'malformed JSON body',
      method: 'POST',
      path: '/v1/projects/p/locations/l/workflows/w/executions',
      body: '{',
      status: 400,
      rpc: 'INVALID_ARGUMENT',
    },
    {
      name: 'a body that is not an object',
      method: 'POST',
      path: '/v1/projects/p/locations/l/workflows/w/executions',
      body: '[1]',
      status: 400,
      rpc: 'INVALID_ARGUMENT',
    },
    {
      name: 'argument that is not a string',
      method: 'POST',
      path: '/v1/projects/p/locations/l/workflows/w/executions',
      body: '{"argument": {"a": 1}}',
      status: 400,
      rpc: 'INVALID_ARGUMENT',
    },
    {
      name: 'create without workflowId',
      method: 'POST',
      path: '/v1/projects/p/locations/l/workflows',
      body: '{"sourceContents": "- r:\\n    return: 1\\n"}',
      status: 400,
      rpc: 'INVALID_ARGUMENT',
    },
    {
      name: 'an invalid workflow id',
      method: 'POST',
      path: '/v1/projects/p/locations/l/workflows?workflowId=9bad',
      body: '{"sourceContents": "- r:\\n    return: 1\\n"}',
      status: 400,
      rpc: 'INVALID_ARGUMENT',
    },
    {
      name: 'unknown execution',
      method: 'POST',
      path: '/v1/projects/p/locations/l/workflows/w/executions/nope:cancel',
      status: 404,
      rpc: 'NOT_FOUND',
    },
  ];
  for (const c of cases) {
    it(`${c.name} → ${c.status} ${c.rpc}`, async () => {
      const res = await fetch(base + c.path, { method: c.method, body: c.body, headers: { 'Content-Type': 'application/json' } });
      assert.equal(res.status, c.status);
      const body = (await res.json()) as { error: { code: number; status: string; message: string } };
      assert.equal(body.error.code, c.status);
      assert.equal(body.error.status, c.rpc);
      assert.ok(body.error.message.length > 0);
    });
  }

  it('lists executions page by page, newest first, BASIC view unless view=FULL', async () => {
    for (let i = 0; i < 3; i++) {
      await engine.run('w');
      await new Promise((r) => setTimeout(r, 2));
    }
    const first = (await (await fetch(`${base}/v1/projects/p/locations/l/workflows/w/executions?pageSize=2`)).json()) as {
      executions: Record<string, unknown>[];
      nextPageToken?: string;
    };
    assert.equal(first.executions.length, 2);
    assert.ok(first.nextPageToken);
    assert.equal(first.executions[0].result, undefined, 'BASIC view has no result');
    const second = (await (
      await fetch(`${base}/v1/projects/p/locations/l/workflows/w/executions?pageSize=2&view=FULL&pageToken=${first.nextPageToken}`)
    ).json()) as { executions: Record<string, unknown>[]; nextPageToken?: string };
    assert.equal(second.executions.length, 1);
    assert.equal(second.executions[0].result, '1');
    assert.equal(second.nextPageToken, undefined);
  });

  it('a PATCH without updateMask changes only the fields its body has, keeping the source', async () => {
    const res = await fetch(`${base}/v1/projects/p/locations/l/workflows/w`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ description: 'described' }),
    });
    assert.equal(res.status, 200, await res.clone().text());
    const workflow = engine.getWorkflow('w');
    assert.equal(workflow.description, 'described');
    assert.equal(workflow.sourceContents, '- r:\n    return: 1\n');
  });

  it('formats proto Durations', () => {
    assert.equal(duration(1500), '1.5s');
    assert.equal(duration(0), '0s');
    assert.equal(duration(1234.5678), '1.234568s');
  });
});
