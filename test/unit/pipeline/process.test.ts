import * as assert from 'node:assert/strict';
import * as sinon from 'sinon';
import * as bigqueryClient from '../../../functions/shared/clients/bigquery';
import { serveFunction } from '../../support/functionServer';
import { request } from '../../support/http';
import { assertProblem } from '../../support/problems';

describe('process (BigQuery stubbed)', () => {
  const insert = sinon.stub();
  const table = sinon.stub().returns({ insert });
  const dataset = sinon.stub().returns({ table });
  let server: Awaited<ReturnType<typeof serveFunction>>;

  before(async () => {
    process.env.BIGQUERY_DATASET = 'pipeline_ds';
    process.env.PROCESS_DELAY_SECONDS = '0';
    sinon.stub(bigqueryClient, 'bigquery').returns({ dataset } as never);
    require('../../../functions/pipeline/process');
    server = await serveFunction('process');
  });
  after(async () => {
    sinon.restore();
    delete process.env.PROCESS_DELAY_SECONDS;
    await server.close();
  });
  beforeEach(() => {
    insert.reset();
    insert.resolves([{}]);
  });

  it('inserts {"input": x} into the inputs table, with an insertId, then answers "Success"', async () => {
    const res = await request(server.url, { method: 'POST', json: { x: 'hello' } });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, 'Success');
    assert.equal(dataset.lastCall.args[0], 'pipeline_ds');
    assert.equal(table.lastCall.args[0], 'inputs');
    const [rows, options] = insert.firstCall.args;
    assert.deepEqual(rows[0].json, { input: 'hello' });
    assert.match(rows[0].insertId, /^[0-9a-f-]{36}$/);
    assert.deepEqual(options, { raw: true });
  });

  it('takes x from the query string too', async () => {
    const res = await request(`${server.url}/?x=from%20query`, { method: 'POST' });
    assert.equal(res.status, 200);
    assert.deepEqual(insert.firstCall.args[0][0].json, { input: 'from query' });
  });

  it('never answers "Success" when the insert fails: a 502 problem', async () => {
    insert.rejects(
      Object.assign(new Error('PartialFailureError'), { name: 'PartialFailureError', errors: [{ errors: [{ reason: 'invalid' }] }] }),
    );
    const res = await request(server.url, { method: 'POST', json: { x: 'hello' } });
    assertProblem(res, 502);
    assert.notEqual(res.body, 'Success');
  });

  const invalid: [string, RequestInit & { json?: unknown }][] = [
    ['x not a string', { method: 'POST', json: { x: 42 } }],
    ['an extra key', { method: 'POST', json: { x: 'a', y: 1 } }],
    ['no x at all', { method: 'POST' }],
  ];
  for (const [name, init] of invalid) {
    it(`refuses ${name} with a 400 and inserts nothing`, async () => {
      const res = await request(server.url, init);
      assert.equal(res.status, 400);
      assert.equal(insert.callCount, 0);
    });
  }
});
