import * as assert from 'node:assert/strict';
import * as sinon from 'sinon';
import * as firestoreClient from '../../../functions/shared/clients/firestore';
import * as workflowsClient from '../../../functions/shared/clients/workflows';
import { failureDetail } from '../../../functions/pipeline/failureDetail';
import { serveFunction } from '../../support/functionServer';
import { request } from '../../support/http';
import { assertProblem } from '../../support/problems';
import { useFunctionEnv } from '../../support/functionEnv';

const PARENT = 'projects/unit-test-project/locations/europe-west1/workflows/pipeline';

describe('triggerWorkflow and checkStatus (Workflows Executions and Firestore stubbed)', () => {
  const createExecution = sinon.stub();
  const getExecution = sinon.stub();
  const stateGet = sinon.stub();
  const doc = sinon.stub().returns({ get: stateGet });
  const collection = sinon.stub().returns({ doc });
  let trigger: Awaited<ReturnType<typeof serveFunction>>;
  let status: Awaited<ReturnType<typeof serveFunction>>;

  let restoreEnv: () => void;

  before(async () => {
    restoreEnv = useFunctionEnv('triggerWorkflow', 'checkStatus');
    process.env.WORKFLOW_LOCATION = 'europe-west1';
    sinon.stub(workflowsClient, 'executionsClient').returns({ createExecution, getExecution } as never);
    sinon.stub(firestoreClient, 'firestore').returns({ collection } as never);
    require('../../../functions/pipeline/triggerWorkflow');
    require('../../../functions/pipeline/checkStatus');
    trigger = await serveFunction('triggerWorkflow');
    status = await serveFunction('checkStatus');
  });
  after(async () => {
    sinon.restore();
    restoreEnv();
    await trigger.close();
    await status.close();
  });
  beforeEach(() => {
    for (const stub of [createExecution, getExecution, stateGet]) stub.reset();
  });

  describe('triggerWorkflow', () => {
    it('starts an execution with {"name": x} and answers 202 with its id and full name', async () => {
      createExecution.resolves([{ name: `${PARENT}/executions/abc-123` }]);
      const res = await request(trigger.url, { method: 'POST', json: { x: 'hello' } });
      assert.equal(res.status, 202);
      assert.deepEqual(res.body, { execution_id: 'abc-123', execution: `${PARENT}/executions/abc-123` });
      assert.equal(res.headers.get('location'), '?id=abc-123');
      const [call] = createExecution.firstCall.args;
      assert.equal(call.parent, PARENT);
      assert.deepEqual(JSON.parse(call.execution.argument), { name: 'hello' });
    });

    it('takes ?x= too', async () => {
      createExecution.resolves([{ name: `${PARENT}/executions/q-1` }]);
      const res = await request(`${trigger.url}/?x=42`, { method: 'POST' });
      assert.equal(res.status, 202);
      assert.deepEqual(JSON.parse(createExecution.firstCall.args[0].execution.argument), { name: '42' });
    });

    const refused: [string, unknown][] = [
      ['an empty name', { x: '' }],
      ['a name with a slash', { x: 'a/b' }],
      ['a reserved id', { x: '__x__' }],
      ['a number', { x: 4 }],
    ];
    for (const [name, body] of refused) {
      it(`refuses ${name} with a 400 and starts nothing`, async () => {
        const res = await request(trigger.url, { method: 'POST', json: body });
        assert.equal(res.status, 400);
        assert.equal(createExecution.callCount, 0);
      });
    }

    it('answers a failure of the Executions API with a 500 problem', async () => {
      createExecution.rejects(Object.assign(new Error('PERMISSION_DENIED'), { code: 7 }));
      const res = await request(trigger.url, { method: 'POST', json: { x: 'hello' } });
      assertProblem(res, 500);
    });
  });

  describe('checkStatus', () => {
    it('reports an ACTIVE execution with the steps done so far, from Firestore', async () => {
      getExecution.resolves([{ name: `${PARENT}/executions/e1`, state: 'ACTIVE', argument: '{"name":"hello"}' }]);
      stateGet.resolves({ exists: true, get: (field: string) => (field === 'done' ? ['valid_input_check'] : undefined) });
      const res = await request(`${status.url}/?id=e1`);
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, { execution_id: 'e1', state: 'ACTIVE', done: ['valid_input_check'] });
      assert.equal(getExecution.firstCall.args[0].name, `${PARENT}/executions/e1`);
      assert.equal(collection.lastCall.args[0], 'pipeline_state');
      assert.equal(doc.lastCall.args[0], 'hello');
    });

    it('reports done = [] before the workflow wrote any state', async () => {
      getExecution.resolves([{ state: 'ACTIVE', argument: '{"name":"fresh"}' }]);
      stateGet.resolves({ exists: false, get: () => undefined });
      assert.deepEqual((await request(`${status.url}/?id=e2`)).body, { execution_id: 'e2', state: 'ACTIVE', done: [] });
    });

    it('reports a SUCCEEDED execution with its result, without reading Firestore', async () => {
      getExecution.resolves([{ state: 'SUCCEEDED', result: '{"name":"hello","valid_input_check":"Success","process":"Success"}' }]);
      const res = await request(`${status.url}/?x=e3`);
      assert.deepEqual(res.body, {
        execution_id: 'e3',
        state: 'SUCCEEDED',
        result: { name: 'hello', valid_input_check: 'Success', process: 'Success' },
      });
      assert.equal(stateGet.callCount, 0);
    });

    it('reports a FAILED execution by its error message only: no headers, body, step or line', async () => {
      const payload = {
        message: 'HTTP server responded with error code 500',
        code: 500,
        headers: { 'X-Internal': 'secret-header' },
        body: { detail: 'secret body text' },
        tags: ['HttpError'],
      };
      getExecution.resolves([{ state: 'FAILED', error: { payload: JSON.stringify(payload), context: 'step call_process, line 42' } }]);
      const res = await request(`${status.url}/?id=e4`);
      assert.deepEqual(res.body, { execution_id: 'e4', state: 'FAILED', error: { detail: 'HTTP server responded with error code 500' } });
      assert.doesNotMatch(res.text, /secret|call_process|line 42/);
    });

    const details: [string, unknown, string][] = [
      ['a raised string', 'name refused', 'name refused'],
      ['a raised map with a detail', { detail: 'quota', message: 'other' }, 'quota'],
      ['a payload with neither', { code: 7 }, 'The workflow run failed.'],
      ['no payload', null, 'The workflow run failed.'],
    ];
    for (const [name, payload, detail] of details) {
      it(`reports ${name} as detail "${detail}"`, () => assert.equal(failureDetail(payload), detail));
    }
    it('cuts a long detail short', () => assert.ok(failureDetail('x'.repeat(10_000)).length < 400));

    it('reports CANCELLED', async () => {
      getExecution.resolves([{ state: 'CANCELLED' }]);
      assert.deepEqual((await request(`${status.url}/?id=e5`)).body, { execution_id: 'e5', state: 'CANCELLED' });
    });

    it('accepts the full execution name triggerWorkflow returned', async () => {
      getExecution.resolves([{ state: 'CANCELLED' }]);
      const res = await request(`${status.url}/?id=${encodeURIComponent(`${PARENT}/executions/e6`)}`);
      assert.equal(res.status, 200);
      assert.equal(getExecution.firstCall.args[0].name, `${PARENT}/executions/e6`);
    });

    const notFound: [string, unknown][] = [
      ['a gRPC NOT_FOUND', Object.assign(new Error('not found'), { code: 5 })],
      [
        'an HTTP 404 from the REST transport',
        Object.assign(new Error('{"error":{"code":404}}'), { status: 404, response: { status: 404 } }),
      ],
    ];
    for (const [name, error] of notFound) {
      it(`answers an unknown execution (${name}) with a 404 problem`, async () => {
        getExecution.rejects(error);
        const res = await request(`${status.url}/?id=missing-1`);
        assertProblem(res, 404);
      });
    }

    const malformed = [
      '?id=has%20space',
      '?id=a%2Fb',
      `?id=${encodeURIComponent('projects/other/locations/europe-west1/workflows/pipeline/executions/e7')}`,
      '?id=',
      '',
    ];
    for (const query of malformed) {
      it(`refuses ${query || 'no id'} with a 400 and asks nothing of the API`, async () => {
        const res = await request(`${status.url}/${query}`);
        assert.equal(res.status, 400);
        assert.equal(getExecution.callCount, 0);
      });
    }
  });
});
