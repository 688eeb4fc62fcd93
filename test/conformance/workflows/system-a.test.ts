import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FakeServer, json, startFakeServer } from './fake-server';
import { run } from './harness';

const SOURCE = fs.readFileSync(
  path.join(__dirname, '..', '..', '..', '..', 'test', 'conformance', 'workflows', 'fixtures', 'system-a.yaml'),
  'utf8',
);

/**
 * The System A pipeline shape (SPEC.md) end to end inside the engine, with one fake server
 * playing the two functions, the Firestore emulator and the local BigQuery. It exercises the
 * constructs the real workflow.yaml needs together: retry with a predicate subworkflow, except
 * with next, switch, connectors, http with OIDC, env vars.
 */
describe('workflows conformance: a System A-shaped workflow', () => {
  let srv: FakeServer;
  let tooMany = 0;
  before(async () => {
    srv = await startFakeServer((req, res) => {
      if (req.path === '/isValidInput') {
        if (tooMany > 0) {
          tooMany--;
          return json(res, 429, { title: 'Too Many Requests', status: 429 });
        }
        const x = String(req.query.x ?? '');
        if (/^[+-]?\d+$/.test(x))
          return json(res, 400, { type: 'about:blank', title: 'Bad Request', status: 400, detail: '"int" is not allowed' });
        return json(res, 200, /\p{Lu}/u.test(x) ? 'Fail' : 'Success');
      }
      if (req.path === '/process') return json(res, 200, 'Success');
      if (req.path.endsWith('/insertAll')) return json(res, 200, { kind: 'bigquery#tableDataInsertAllResponse' });
      return json(res, 200, { name: 'doc', fields: {} });
    });
  });
  after(() => srv.close());
  beforeEach(() => (srv.seen.length = 0));

  const go = (name: string): ReturnType<typeof run> =>
    run(
      SOURCE,
      { name },
      {
        firestore: srv.url.replace('http://', ''),
        bigquery: srv.url,
        env: { IS_VALID_INPUT_URL: `${srv.url}/isValidInput`, PROCESS_URL: `${srv.url}/process`, BQ_DATASET: 'pipeline' },
      },
    );

  it('a valid name: check, state, process, append, one result row', async () => {
    tooMany = 2;
    const o = await go('ada');
    assert.equal(o.state, 'SUCCEEDED', o.record.error?.payload);
    assert.deepEqual(o.result, { name: 'ada', valid_input_check: 'Success', process: 'Success' });
    assert.deepEqual(o.clock.sleeps, [1000, 2000], 'two 429s retried with back-off 1 s, 2 s');
    const calls = srv.seen.map((s) => `${s.method} ${s.path}`);
    assert.deepEqual(calls, [
      'GET /isValidInput',
      'GET /isValidInput',
      'GET /isValidInput',
      'PATCH /v1/projects/test-project/databases/(default)/documents/pipeline_state/ada',
      'POST /process',
      'POST /v1/projects/test-project/databases/(default)/documents:commit',
      'POST /bigquery/v2/projects/test-project/datasets/pipeline/tables/results/insertAll',
    ]);
    assert.equal(srv.seen[0].headers.authorization, 'Bearer local-workflows-token');
    const row = JSON.parse(srv.seen[6].body).rows[0].json;
    assert.equal(row.process, 'Success');
    assert.match(row.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  });

  it('"Fail" skips Firestore and process; a 400 records the problem detail', async () => {
    const fail = await go('Ada');
    assert.deepEqual(fail.result, { name: 'Ada', valid_input_check: 'Fail', process: null });
    assert.deepEqual(
      srv.seen.map((s) => s.path.split('/').pop()),
      ['isValidInput', 'insertAll'],
    );
    srv.seen.length = 0;
    const bad = await go('42');
    assert.deepEqual(bad.result, { name: '42', valid_input_check: '"int" is not allowed', process: null });
  });

  it('429 after 3 retries gives up and records the error', async () => {
    tooMany = 10;
    const o = await go('bob');
    assert.equal(o.state, 'SUCCEEDED');
    assert.equal((o.result as { valid_input_check: string }).valid_input_check, 'HTTP server responded with error code 429');
    assert.deepEqual(o.clock.sleeps, [1000, 2000, 4000]);
    tooMany = 0;
  });
});
