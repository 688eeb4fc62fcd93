import * as assert from 'node:assert/strict';
import { BigQueryServer } from '../../../../local/bigquery/server';
import { call, createTable, PROJECT } from './harness';

/**
 * The REST API as the Workflows connectors call it (`/bigquery/v2/projects/...`, plain JSON):
 * response shapes, Google's error body, paging and the TIMESTAMP output formats.
 */
describe('local BigQuery REST API', () => {
  let server: BigQueryServer;
  const V2 = `/bigquery/v2/projects/${PROJECT}`;

  before(async () => {
    server = await BigQueryServer.start(0);
    await createTable(server, 'pipeline', 'results', [
      { name: 'name', type: 'STRING', mode: 'REQUIRED' },
      { name: 'valid_input_check', type: 'STRING' },
      { name: 'process', type: 'STRING' },
      { name: 'timestamp', type: 'TIMESTAMP', mode: 'REQUIRED' },
    ]);
  });

  after(() => server.stop());
  beforeEach(() => server.reset());

  const insert = (rows: object[], extra: object = {}) =>
    call(server, 'POST', `${V2}/datasets/pipeline/tables/results/insertAll`, { rows: rows.map((json) => ({ json })), ...extra });

  const errorCases: {
    name: string;
    method: string;
    path: string;
    body?: unknown;
    status: number;
    reason: string;
    grpc: string;
    message: RegExp;
  }[] = [
    {
      name: 'an unknown dataset',
      method: 'GET',
      path: `${V2}/datasets/nope`,
      status: 404,
      reason: 'notFound',
      grpc: 'NOT_FOUND',
      message: /^Not found: Dataset bq-test-project:nope$/,
    },
    {
      name: 'an unknown table',
      method: 'GET',
      path: `${V2}/datasets/pipeline/tables/nope`,
      status: 404,
      reason: 'notFound',
      grpc: 'NOT_FOUND',
      message: /^Not found: Table bq-test-project:pipeline.nope$/,
    },
    {
      name: 'insertAll into an unknown table',
      method: 'POST',
      path: `${V2}/datasets/pipeline/tables/nope/insertAll`,
      body: { rows: [{ json: {} }] },
      status: 404,
      reason: 'notFound',
      grpc: 'NOT_FOUND',
      message: /nope/,
    },
    {
      name: 'an unknown job',
      method: 'GET',
      path: `${V2}/jobs/nope`,
      status: 404,
      reason: 'notFound',
      grpc: 'NOT_FOUND',
      message: /Not found: Job/,
    },
    {
      name: 'results of an unknown job',
      method: 'GET',
      path: `${V2}/queries/nope`,
      status: 404,
      reason: 'notFound',
      grpc: 'NOT_FOUND',
      message: /Not found: Job/,
    },
    {
      name: 'a second dataset create',
      method: 'POST',
      path: `${V2}/datasets`,
      body: { datasetReference: { datasetId: 'pipeline' } },
      status: 409,
      reason: 'duplicate',
      grpc: 'ALREADY_EXISTS',
      message: /^Already Exists: Dataset bq-test-project:pipeline$/,
    },
    {
      name: 'a second table create',
      method: 'POST',
      path: `${V2}/datasets/pipeline/tables`,
      body: { tableReference: { tableId: 'results' } },
      status: 409,
      reason: 'duplicate',
      grpc: 'ALREADY_EXISTS',
      message: /Already Exists: Table/,
    },
    {
      name: 'a bad column type',
      method: 'POST',
      path: `${V2}/datasets/pipeline/tables`,
      body: { tableReference: { tableId: 'x' }, schema: { fields: [{ name: 'a', type: 'GEOGRAPHY' }] } },
      status: 400,
      reason: 'invalid',
      grpc: 'INVALID_ARGUMENT',
      message: /GEOGRAPHY is not supported by the local BigQuery/,
    },
    {
      name: 'insertAll without rows',
      method: 'POST',
      path: `${V2}/datasets/pipeline/tables/results/insertAll`,
      body: { rows: [] },
      status: 400,
      reason: 'invalid',
      grpc: 'INVALID_ARGUMENT',
      message: /No rows present/,
    },
    {
      name: 'a body that is not JSON',
      method: 'POST',
      path: `${V2}/queries`,
      body: '{"query": ',
      status: 400,
      reason: 'parseError',
      grpc: 'INVALID_ARGUMENT',
      message: /Parse Error/,
    },
    {
      name: 'legacy SQL (the REST default)',
      method: 'POST',
      path: `${V2}/queries`,
      body: { query: 'SELECT 1' },
      status: 400,
      reason: 'invalidQuery',
      grpc: 'INVALID_ARGUMENT',
      message: /useLegacySql/,
    },
    {
      name: 'a DML statement',
      method: 'POST',
      path: `${V2}/queries`,
      body: { query: 'DELETE FROM pipeline.results WHERE TRUE', useLegacySql: false },
      status: 400,
      reason: 'invalidQuery',
      grpc: 'INVALID_ARGUMENT',
      message: /DELETE statements are not supported/,
    },
    {
      name: 'a query on an unknown table',
      method: 'POST',
      path: `${V2}/queries`,
      body: { query: 'SELECT 1 FROM pipeline.nope', useLegacySql: false },
      status: 404,
      reason: 'notFound',
      grpc: 'NOT_FOUND',
      message: /was not found in location US/,
    },
    {
      name: 'a load job',
      method: 'POST',
      path: `${V2}/jobs`,
      body: { configuration: { load: {} } },
      status: 501,
      reason: 'notImplemented',
      grpc: 'UNIMPLEMENTED',
      message: /only query jobs, not load jobs/,
    },
    {
      name: 'a models list',
      method: 'GET',
      path: `${V2}/datasets/pipeline/models`,
      status: 501,
      reason: 'notImplemented',
      grpc: 'UNIMPLEMENTED',
      message: /does not implement GET/,
    },
    {
      name: 'a schema patch that changes a type',
      method: 'PATCH',
      path: `${V2}/datasets/pipeline/tables/results`,
      body: { schema: { fields: [{ name: 'name', type: 'INTEGER' }] } },
      status: 400,
      reason: 'invalid',
      grpc: 'INVALID_ARGUMENT',
      message: /Field name has changed type from STRING to INTEGER/,
    },
    {
      name: 'a bad page token',
      method: 'GET',
      path: `${V2}/datasets/pipeline/tables/results/data?pageToken=xyz`,
      status: 400,
      reason: 'invalid',
      grpc: 'INVALID_ARGUMENT',
      message: /Invalid page token/,
    },
  ];

  for (const c of errorCases) {
    it(`answers ${c.status} ${c.reason} to ${c.name}`, async () => {
      const res = await call(server, c.method, c.path, c.body);
      assert.equal(res.status, c.status);
      const { error } = res.body;
      assert.equal(error.code, c.status);
      assert.equal(error.status, c.grpc);
      assert.match(error.message, c.message);
      assert.equal(error.errors.length, 1);
      assert.equal(error.errors[0].reason, c.reason);
      assert.equal(error.errors[0].message, error.message);
    });
  }

  it('serves the same API without the /bigquery/v2 prefix (the client with BIGQUERY_EMULATOR_HOST)', async () => {
    const a = await call(server, 'GET', `/projects/${PROJECT}/datasets/pipeline/tables/results`);
    const b = await call(server, 'GET', `${V2}/datasets/pipeline/tables/results`);
    assert.equal(a.status, 200);
    assert.deepEqual(a.body, b.body);
    assert.equal(a.body.kind, 'bigquery#table');
    assert.equal(a.body.id, `${PROJECT}:pipeline.results`);
  });

  it('lists datasets and tables in the REST shape', async () => {
    const datasets = await call(server, 'GET', `${V2}/datasets`);
    assert.equal(datasets.body.kind, 'bigquery#datasetList');
    assert.deepEqual(
      datasets.body.datasets.map((d: { datasetReference: object }) => d.datasetReference),
      [{ datasetId: 'pipeline', projectId: PROJECT }],
    );
    const tables = await call(server, 'GET', `${V2}/datasets/pipeline/tables`);
    assert.equal(tables.body.totalItems, 1);
    assert.deepEqual(tables.body.tables[0].tableReference, { projectId: PROJECT, datasetId: 'pipeline', tableId: 'results' });
    const empty = await call(server, 'GET', '/bigquery/v2/projects/other/datasets');
    assert.equal(empty.body.datasets, undefined);
  });

  it('creates and deletes with the documented status codes', async () => {
    const created = await call(server, 'POST', `${V2}/datasets`, { datasetReference: { datasetId: 'tmp' }, location: 'EU' });
    assert.equal(created.status, 200);
    assert.equal(created.body.location, 'EU');
    assert.equal((await call(server, 'POST', `${V2}/datasets/tmp/tables`, { tableReference: { tableId: 't' } })).status, 200);
    assert.equal((await call(server, 'DELETE', `${V2}/datasets/tmp`)).status, 400);
    assert.equal((await call(server, 'DELETE', `${V2}/datasets/tmp/tables/t`)).status, 204);
    assert.equal((await call(server, 'DELETE', `${V2}/datasets/tmp`)).status, 204);
    assert.equal((await call(server, 'DELETE', `${V2}/datasets/tmp`)).status, 404);
  });

  it('answers a clean insertAll with only its kind, and a bad row with per-row insertErrors', async () => {
    const ok = await insert([{ name: 'a', valid_input_check: 'Success', process: 'Success', timestamp: '2023-11-14T22:13:20.123456Z' }]);
    assert.deepEqual(ok, { status: 200, body: { kind: 'bigquery#tableDataInsertAllResponse' } });
    const bad = await insert([{ name: 'b', timestamp: 1700000000 }, { name: 'c', timestamp: 'soon', colour: 'red' }, { timestamp: 1 }]);
    assert.equal(bad.status, 200, 'insert errors are not an HTTP error');
    assert.deepEqual(bad.body.insertErrors, [
      { index: 0, errors: [{ reason: 'stopped', location: '', debugInfo: '', message: '' }] },
      {
        index: 1,
        errors: [
          { reason: 'invalid', location: 'colour', debugInfo: '', message: 'no such field: colour.' },
          {
            reason: 'invalid',
            location: 'timestamp',
            debugInfo: '',
            message: 'Cannot convert value to timestamp (bad value): soon (field timestamp)',
          },
        ],
      },
      { index: 2, errors: [{ reason: 'invalid', location: 'name', debugInfo: '', message: 'Missing required field: name.' }] },
    ]);
    const skipped = await insert([{ name: 'd', timestamp: 1700000000 }, { name: 'e' }], { skipInvalidRows: true });
    assert.deepEqual(
      skipped.body.insertErrors.map((e: { index: number }) => e.index),
      [1],
    );
    const data = await call(server, 'GET', `${V2}/datasets/pipeline/tables/results/data`);
    assert.deepEqual(
      data.body.rows.map((r: { f: { v: string }[] }) => r.f[0]!.v),
      ['a', 'd'],
    );
  });

  it('lists rows as f/v with totalRows, TIMESTAMP formats and paging', async () => {
    await insert([
      { name: 'a', timestamp: '2023-11-14T22:13:20.123456Z' },
      { name: 'b', valid_input_check: 'Fail', timestamp: '2023-11-14T22:13:20Z' },
      { name: 'c', timestamp: 0 },
    ]);
    const path = `${V2}/datasets/pipeline/tables/results/data`;
    const all = await call(server, 'GET', path);
    assert.equal(all.body.kind, 'bigquery#tableDataList');
    assert.equal(all.body.totalRows, '3');
    assert.equal(all.body.pageToken, undefined);
    assert.deepEqual(all.body.rows[0], { f: [{ v: 'a' }, { v: null }, { v: null }, { v: '1.700000000123456E9' }] });
    assert.deepEqual(
      all.body.rows.map((r: { f: { v: string }[] }) => r.f[3]!.v),
      ['1.700000000123456E9', '1.7E9', '0.0'],
    );

    const int64 = await call(server, 'GET', `${path}?formatOptions.useInt64Timestamp=true`);
    assert.deepEqual(
      int64.body.rows.map((r: { f: { v: string }[] }) => r.f[3]!.v),
      ['1700000000123456', '1700000000000000', '0'],
    );
    const iso = await call(server, 'GET', `${path}?formatOptions.timestampOutputFormat=ISO8601_STRING`);
    assert.equal(iso.body.rows[0].f[3].v, '2023-11-14T22:13:20.123456Z');

    const page1 = await call(server, 'GET', `${path}?maxResults=2`);
    assert.equal(page1.body.rows.length, 2);
    assert.equal(page1.body.totalRows, '3');
    const page2 = await call(server, 'GET', `${path}?maxResults=2&pageToken=${page1.body.pageToken}`);
    assert.deepEqual(
      page2.body.rows.map((r: { f: { v: string }[] }) => r.f[0]!.v),
      ['c'],
    );
    assert.equal(page2.body.pageToken, undefined);
    const fromIndex = await call(server, 'GET', `${path}?startIndex=1&maxResults=1`);
    assert.equal(fromIndex.body.rows[0].f[0].v, 'b');
  });

  it('lists only selectedFields, in schema order', async () => {
    await insert([{ name: 'a', process: 'Success', timestamp: 0 }]);
    const res = await call(server, 'GET', `${V2}/datasets/pipeline/tables/results/data?selectedFields=process,name`);
    assert.deepEqual(res.body.rows, [{ f: [{ v: 'a' }, { v: 'Success' }] }]);
    const bad = await call(server, 'GET', `${V2}/datasets/pipeline/tables/results/data?selectedFields=nope`);
    assert.equal(bad.status, 400);
  });

  it('takes flexible column names, addressed with backticks in SQL', async () => {
    await createTable(server, 'forms', 'answers', [
      { name: 'Your e-mail', type: 'STRING' },
      { name: 'âge', type: 'INT64' },
    ]);
    const base = `${V2}/datasets/forms/tables/answers`;
    await call(server, 'POST', `${base}/insertAll`, { rows: [{ json: { 'Your e-mail': 'a@b.c', ÂGE: 30 } }] });
    const res = await call(server, 'POST', `${V2}/queries`, {
      query: 'SELECT `Your e-mail` AS email FROM forms.answers WHERE `âge` = 30',
      useLegacySql: false,
    });
    assert.deepEqual(res.body.rows, [{ f: [{ v: 'a@b.c' }] }]);
    const bad = await call(server, 'POST', `${V2}/datasets/forms/tables`, {
      tableReference: { tableId: 'x' },
      schema: { fields: [{ name: 'why?', type: 'STRING' }] },
    });
    assert.equal(bad.status, 400);
  });

  it('cancels (a no-op: jobs finish at once) and deletes jobs', async () => {
    const q = await call(server, 'POST', `${V2}/queries`, { query: 'SELECT 1', useLegacySql: false });
    const jobId = q.body.jobReference.jobId;
    const cancelled = await call(server, 'POST', `${V2}/jobs/${jobId}/cancel`);
    assert.equal(cancelled.body.kind, 'bigquery#jobCancelResponse');
    assert.equal(cancelled.body.job.status.state, 'DONE');
    assert.equal((await call(server, 'DELETE', `${V2}/jobs/${jobId}/delete`)).status, 204);
    assert.equal((await call(server, 'GET', `${V2}/jobs/${jobId}`)).status, 404);
  });

  it('runs jobs.query as the Workflows connector sends it, then pages with getQueryResults', async () => {
    await insert([
      { name: 'a', process: 'Success', timestamp: '2023-11-14T22:13:20.5Z' },
      { name: 'b', process: 'Success', timestamp: '2023-11-14T22:13:21Z' },
      { name: 'c', timestamp: '2023-11-14T22:13:22Z' },
    ]);
    const res = await call(server, 'POST', `${V2}/queries`, {
      query: `SELECT name, timestamp FROM \`${PROJECT}.pipeline.results\` WHERE process = @p ORDER BY timestamp`,
      useLegacySql: false,
      parameterMode: 'NAMED',
      queryParameters: [{ name: 'p', parameterType: { type: 'STRING' }, parameterValue: { value: 'Success' } }],
      maxResults: 1,
    });
    assert.equal(res.status, 200);
    assert.equal(res.body.kind, 'bigquery#queryResponse');
    assert.equal(res.body.jobComplete, true);
    assert.equal(res.body.totalRows, '2');
    assert.deepEqual(res.body.schema.fields, [
      { name: 'name', type: 'STRING', mode: 'NULLABLE' },
      { name: 'timestamp', type: 'TIMESTAMP', mode: 'NULLABLE' },
    ]);
    assert.deepEqual(res.body.rows, [{ f: [{ v: 'a' }, { v: '1.7000000005E9' }] }]);
    const { jobId, location } = res.body.jobReference;
    assert.equal(location, 'US');

    const next = await call(server, 'GET', `${V2}/queries/${jobId}?pageToken=${res.body.pageToken}&formatOptions.useInt64Timestamp=true`);
    assert.equal(next.body.kind, 'bigquery#getQueryResultsResponse');
    assert.deepEqual(next.body.rows, [{ f: [{ v: 'b' }, { v: '1700000001000000' }] }]);
    assert.equal(next.body.pageToken, undefined);

    const job = await call(server, 'GET', `${V2}/jobs/${jobId}`);
    assert.equal(job.body.kind, 'bigquery#job');
    assert.deepEqual(job.body.status, { state: 'DONE' });
    assert.equal(job.body.configuration.jobType, 'QUERY');

    const jobs = await call(server, 'GET', `${V2}/jobs`);
    assert.equal(jobs.body.jobs[0].jobReference.jobId, jobId);
  });

  it('keeps a failed jobs.insert query as a DONE job with errorResult', async () => {
    const res = await call(server, 'POST', `${V2}/jobs`, {
      jobReference: { jobId: 'bad_job' },
      configuration: { query: { query: 'SELECT nope FROM pipeline.results', useLegacySql: false } },
    });
    assert.equal(res.status, 200);
    assert.equal(res.body.status.state, 'DONE');
    assert.equal(res.body.status.errorResult.reason, 'invalidQuery');
    assert.match(res.body.status.errorResult.message, /Unrecognized name: nope/);
    const results = await call(server, 'GET', `${V2}/queries/bad_job`);
    assert.equal(results.status, 400);
    assert.equal(results.body.error.errors[0].reason, 'invalidQuery');
  });

  it('runs positional parameters and answers a dry run without rows', async () => {
    await insert([
      { name: 'a', timestamp: 1 },
      { name: 'b', timestamp: 2 },
    ]);
    const res = await call(server, 'POST', `${V2}/queries`, {
      query: 'SELECT COUNT(*) AS n FROM pipeline.results WHERE timestamp > ?',
      useLegacySql: false,
      parameterMode: 'POSITIONAL',
      queryParameters: [{ parameterType: { type: 'TIMESTAMP' }, parameterValue: { value: '1970-01-01 00:00:01.5+00' } }],
    });
    assert.deepEqual(res.body.rows, [{ f: [{ v: '1' }] }]);
    const dry = await call(server, 'POST', `${V2}/queries`, {
      query: 'SELECT name FROM pipeline.results',
      useLegacySql: false,
      dryRun: true,
    });
    assert.equal(dry.body.rows, undefined);
    assert.deepEqual(
      dry.body.schema.fields.map((f: { name: string }) => f.name),
      ['name'],
    );
  });

  it('reset empties tables and forgets jobs but keeps datasets and tables', async () => {
    await insert([{ name: 'a', timestamp: 1 }]);
    const q = await call(server, 'POST', `${V2}/queries`, { query: 'SELECT 1', useLegacySql: false });
    server.reset();
    const data = await call(server, 'GET', `${V2}/datasets/pipeline/tables/results/data`);
    assert.equal(data.body.totalRows, '0');
    assert.equal(data.body.rows, undefined);
    assert.equal((await call(server, 'GET', `${V2}/jobs/${q.body.jobReference.jobId}`)).status, 404);
    // insertIds are forgotten too, so a replayed test run can insert the same row again.
    const again = await call(server, 'POST', `${V2}/datasets/pipeline/tables/results/insertAll`, {
      rows: [{ insertId: 'x', json: { name: 'a', timestamp: 1 } }],
    });
    assert.equal(again.status, 200);
    assert.equal((await call(server, 'POST', '/_local/reset')).status, 200);
  });
});
