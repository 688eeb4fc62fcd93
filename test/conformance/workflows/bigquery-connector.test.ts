import * as assert from 'node:assert/strict';
import { BigQueryServer } from '../../../local/bigquery/server';
import { FakeServer, json, startFakeServer } from './fake-server';
import { failure, result } from './harness';

const P = 'test-project';

/** A workflow that runs one query job with jobs.insert (and `params`, lines under `args`) and returns the job. */
const queryJob = (sql: string, params = ''): string => `
- query:
    call: googleapis.bigquery.v2.jobs.insert
    args:
      projectId: ${P}
      body:
        configuration:
          query: {query: "${sql}", useLegacySql: false}
${params}
    result: job
- done:
    return: \${job}
`;

// The BigQuery connector reference (https://cloud.google.com/workflows/docs/reference/googleapis/bigquery/v2/Overview)
// and "Poll for BigQuery job completion" (https://cloud.google.com/workflows/docs/poll-bigquery-job).
describe('workflows conformance: BigQuery connector (docs: reference/googleapis/bigquery/v2)', () => {
  describe('against the local BigQuery', () => {
    let bq: BigQueryServer;
    before(async () => {
      bq = await BigQueryServer.start(0);
    });
    after(() => bq.stop());

    it('datasets.insert, tables.insert, tabledata.insertAll, jobs.insert (a query job) and jobs.get, then tables.delete and datasets.delete', async () => {
      const r = await result(
        `
- init:
    assign:
      - project: \${sys.get_env("GOOGLE_CLOUD_PROJECT_ID")}
- create_dataset:
    call: googleapis.bigquery.v2.datasets.insert
    args:
      projectId: \${project}
      body:
        datasetReference: {projectId: "\${project}", datasetId: shop}
    result: dataset
- create_table:
    call: googleapis.bigquery.v2.tables.insert
    args:
      projectId: \${project}
      datasetId: shop
      body:
        tableReference: {projectId: "\${project}", datasetId: shop, tableId: fruit}
        schema:
          fields:
            - {name: name, type: STRING}
            - {name: qty, type: INTEGER}
- insert_rows:
    call: googleapis.bigquery.v2.tabledata.insertAll
    args:
      projectId: \${project}
      datasetId: shop
      tableId: fruit
      body:
        rows:
          - json: {name: apple, qty: 3}
          - json: {name: pear, qty: 5}
- query:
    call: googleapis.bigquery.v2.jobs.insert
    args:
      projectId: \${project}
      body:
        configuration:
          query:
            query: SELECT SUM(qty) AS total FROM shop.fruit
            useLegacySql: false
    result: job
- read_job:
    call: googleapis.bigquery.v2.jobs.get
    args:
      projectId: \${project}
      jobId: \${job.jobReference.jobId}
      location: \${job.jobReference.location}
    result: again
- read_rows:
    call: googleapis.bigquery.v2.jobs.getQueryResults
    args:
      projectId: \${project}
      jobId: \${job.jobReference.jobId}
    result: rows
- drop_table:
    call: googleapis.bigquery.v2.tables.delete
    args: {projectId: "\${project}", datasetId: shop, tableId: fruit}
    result: dropped
- drop_dataset:
    call: googleapis.bigquery.v2.datasets.delete
    args: {projectId: "\${project}", datasetId: shop}
- done:
    return: \${[dataset.datasetReference.datasetId, job.status.state, again.status.state, rows.rows[0].f[0].v, dropped]}
`,
        undefined,
        { bigquery: bq.url },
      );
      assert.deepEqual(r, ['shop', 'DONE', 'DONE', '8', null]);
    });

    it('a query job that fails is an OperationError carrying the job (its status.errorResult)', async () => {
      const e = await failure(queryJob('SELECT * FROM nowhere.nothing'), undefined, { bigquery: bq.url });
      assert.deepEqual(e.tags, ['OperationError']);
      const job = e.operation as { status: { state: string; errorResult: { reason: string } } };
      assert.equal(job.status.state, 'DONE');
      assert.equal(job.status.errorResult.reason, 'notFound');
    });

    it('a missing dataset is an HttpError with the API status (404)', async () => {
      const e = await failure(
        `
- get:
    call: googleapis.bigquery.v2.datasets.get
    args: {projectId: ${P}, datasetId: absent}
`,
        undefined,
        { bigquery: bq.url },
      );
      assert.deepEqual(e.tags, ['HttpError']);
      assert.equal(e.code, 404);
    });
  });

  describe('long-running job polling', () => {
    let srv: FakeServer;
    let runningPolls = 0;
    before(async () => {
      srv = await startFakeServer((req, res) => {
        const running = { state: 'RUNNING' };
        const job = (status: unknown): unknown => ({ jobReference: { projectId: P, jobId: 'j1', location: 'EU' }, status });
        if (req.method === 'POST') return json(res, 200, job(running));
        if (runningPolls > 0) {
          runningPolls--;
          return json(res, 200, job(running));
        }
        return json(res, 200, job({ state: 'DONE' }));
      });
    });
    after(() => srv.close());
    beforeEach(() => (srv.seen.length = 0));

    const insert = (params = ''): string => queryJob('SELECT 1', params);

    it('polls jobs.get with the default policy (1 s, x1.25) until the job is DONE (docs: reference/googleapis, connector_params)', async () => {
      runningPolls = 2;
      const o = (await result(insert(), undefined, { bigquery: srv.url })) as { status: { state: string } };
      assert.equal(o.status.state, 'DONE');
      assert.deepEqual(
        srv.seen.map((s) => `${s.method} ${s.path}`),
        [
          `POST /bigquery/v2/projects/${P}/jobs`,
          `GET /bigquery/v2/projects/${P}/jobs/j1`,
          `GET /bigquery/v2/projects/${P}/jobs/j1`,
          `GET /bigquery/v2/projects/${P}/jobs/j1`,
        ],
      );
      assert.deepEqual(srv.seen[1].query, { location: 'EU' });
    });

    it('follows connector_params.polling_policy, and skip_polling returns the first answer', async () => {
      runningPolls = 2;
      const { run } = await import('./harness');
      const o = await run(
        insert('      connector_params:\n        polling_policy: {initial_delay: 2, multiplier: 3, max_delay: 5}'),
        undefined,
        { bigquery: srv.url },
      );
      assert.equal((o.result as { status: { state: string } }).status.state, 'DONE');
      assert.deepEqual(o.clock.sleeps, [2000, 5000, 5000]);
      const skipped = await result(insert('      connector_params: {skip_polling: true}'), undefined, { bigquery: srv.url });
      assert.equal((skipped as { status: { state: string } }).status.state, 'RUNNING');
    });

    it('a job still running at connector_params.timeout is a TimeoutError', async () => {
      runningPolls = 1000;
      const e = await failure(insert('      connector_params: {timeout: 3}'), undefined, { bigquery: srv.url });
      assert.deepEqual(e.tags, ['TimeoutError']);
    });
  });
});
