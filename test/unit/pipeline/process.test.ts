import * as assert from 'node:assert/strict';
import timers = require('node:timers/promises');
import * as sinon from 'sinon';
import { readProcessConfig } from '../../../functions/pipeline/config';
import * as bigqueryClient from '../../../functions/shared/clients/bigquery';
import { saveEnv } from '../../support/env';
import { serveFunction } from '../../support/functionServer';
import { request } from '../../support/http';
import { assertProblem } from '../../support/problems';
import { useFunctionEnv } from '../../support/functionEnv';

describe('process (BigQuery stubbed)', () => {
  const insert = sinon.stub();
  const table = sinon.stub().returns({ insert });
  const dataset = sinon.stub().returns({ table });
  // process.ts calls setTimeout through the module object of node:timers/promises (CommonJS output), so a stub
  // on it is what the function awaits. Only the 7 s wait is stubbed; any other caller gets the real timer.
  let sleep: sinon.SinonStub;
  let server: Awaited<ReturnType<typeof serveFunction>>;

  let restoreEnv: () => void;

  before(async () => {
    restoreEnv = useFunctionEnv('process');
    process.env.BIGQUERY_DATASET = 'pipeline_ds';
    process.env.PROCESS_DELAY_SECONDS = '7';
    sleep = sinon.stub(timers, 'setTimeout');
    sleep.callThrough();
    sinon.stub(bigqueryClient, 'bigquery').returns({ dataset } as never);
    require('../../../functions/pipeline/process');
    server = await serveFunction('process');
  });
  after(async () => {
    sinon.restore();
    restoreEnv();
    await server.close();
  });
  beforeEach(() => {
    insert.reset();
    insert.resolves([{}]);
    sleep.resetHistory();
    sleep.withArgs(7000).resolves();
  });

  it('waits PROCESS_DELAY_SECONDS (7 s here) on a timer before it inserts, and answers only after', async () => {
    const wait = sleep.withArgs(7000);
    let elapse!: () => void;
    wait.returns(new Promise<void>((resolve) => (elapse = resolve)));
    let answeredYet = false;
    const answered = request(server.url, { method: 'POST', json: { x: 'hello' } }).finally(() => (answeredYet = true));
    for (let turns = 0; wait.notCalled && turns < 10_000; turns++) await new Promise((resolve) => setImmediate(resolve));
    sinon.assert.calledOnce(wait);
    for (let turns = 0; turns < 20; turns++) await new Promise((resolve) => setImmediate(resolve));
    sinon.assert.notCalled(insert);
    assert.equal(answeredYet, false, 'no answer while the timer runs');
    elapse();
    const res = await answered;
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body, 'Success');
    sinon.assert.calledOnce(insert);
    assert.ok(wait.calledBefore(insert), 'the wait comes before the insert');
  });

  it('waits 180 s by default (the seed\'s "sleep for 3 mins")', () => {
    const restoreEnv = saveEnv();
    try {
      delete process.env.PROCESS_DELAY_SECONDS;
      assert.equal(readProcessConfig().delaySeconds, 180);
    } finally {
      restoreEnv();
    }
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
