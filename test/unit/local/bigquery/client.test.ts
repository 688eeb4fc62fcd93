import * as assert from 'node:assert/strict';
import { BigQuery, type Table } from '@google-cloud/bigquery';
import { BigQueryServer } from '../../../../local/bigquery/server';

/**
 * The official client, unchanged, against the local BigQuery through BIGQUERY_EMULATOR_HOST:
 * every call our functions and workflows make, with the shapes the client parses.
 */
describe('local BigQuery with @google-cloud/bigquery', () => {
  const PROJECT = 'client-test-project';
  let server: BigQueryServer;
  let bigquery: BigQuery;
  let savedHost: string | undefined;
  let savedDetection: string | undefined;

  /** A client with a fake token, so google-auth-library never looks for real credentials. */
  const fakeAuthClient = {
    getRequestHeaders: async () => new Headers({ authorization: 'Bearer fake-token' }),
    getProjectId: async () => PROJECT,
  };

  const rowsSchema = [
    { name: 'name', type: 'STRING', mode: 'REQUIRED' },
    { name: 'n', type: 'INT64' },
    { name: 'score', type: 'FLOAT64' },
    { name: 'ok', type: 'BOOL' },
    { name: 'at', type: 'TIMESTAMP' },
  ];

  before(async () => {
    savedHost = process.env.BIGQUERY_EMULATOR_HOST;
    savedDetection = process.env.METADATA_SERVER_DETECTION;
    process.env.METADATA_SERVER_DETECTION = 'none';
    server = await BigQueryServer.start(0);
    process.env.BIGQUERY_EMULATOR_HOST = server.url;
    bigquery = new BigQuery({ projectId: PROJECT, authClient: fakeAuthClient as never });
  });

  after(async () => {
    if (savedHost === undefined) delete process.env.BIGQUERY_EMULATOR_HOST;
    else process.env.BIGQUERY_EMULATOR_HOST = savedHost;
    if (savedDetection === undefined) delete process.env.METADATA_SERVER_DETECTION;
    else process.env.METADATA_SERVER_DETECTION = savedDetection;
    await server.stop();
  });

  describe('datasets and tables', () => {
    it('creates, gets, lists and deletes datasets', async () => {
      const [dataset] = await bigquery.createDataset('scratch', { description: 'temporary' });
      assert.equal(dataset.id, 'scratch');
      const [metadata] = await bigquery.dataset('scratch').getMetadata();
      assert.equal(metadata.id, `${PROJECT}:scratch`);
      assert.equal(metadata.description, 'temporary');
      assert.deepEqual((await bigquery.dataset('scratch').exists())[0], true);
      const [datasets] = await bigquery.getDatasets();
      assert.ok(datasets.some((d) => d.id === 'scratch'));
      await bigquery.dataset('scratch').delete();
      assert.deepEqual((await bigquery.dataset('scratch').exists())[0], false);
    });

    it('answers 409 to a second create and 404 to an unknown dataset', async () => {
      await bigquery.createDataset('twice');
      await assert.rejects(bigquery.createDataset('twice'), (err: { code: number; message: string; errors: { reason: string }[] }) => {
        assert.equal(err.code, 409);
        assert.equal(err.errors[0]!.reason, 'duplicate');
        assert.match(err.message, /Already Exists: Dataset client-test-project:twice/);
        return true;
      });
      await assert.rejects(bigquery.dataset('missing').getMetadata(), { code: 404, message: `Not found: Dataset ${PROJECT}:missing` });
    });

    it('refuses to delete a dataset with tables unless forced', async () => {
      const [dataset] = await bigquery.createDataset('full');
      await dataset.createTable('t', { schema: rowsSchema });
      await assert.rejects(dataset.delete(), { code: 400, message: /still in use/ });
      await dataset.delete({ force: true });
      assert.equal((await dataset.exists())[0], false);
    });

    it('creates, gets, lists and deletes tables with their schema', async () => {
      const [dataset] = await bigquery.createDataset('tables_ds');
      let [table] = await dataset.createTable('people', { schema: rowsSchema, description: 'who' });
      assert.equal(table.id, 'people');
      const [metadata] = await dataset.table('people').getMetadata();
      assert.equal(metadata.description, 'who');
      assert.equal(metadata.numRows, '0');
      assert.deepEqual(
        metadata.schema.fields.map((f: { name: string; type: string; mode: string }) => `${f.name}:${f.type}:${f.mode}`),
        ['name:STRING:REQUIRED', 'n:INTEGER:NULLABLE', 'score:FLOAT:NULLABLE', 'ok:BOOLEAN:NULLABLE', 'at:TIMESTAMP:NULLABLE'],
      );
      const [tables] = await dataset.getTables();
      assert.deepEqual(
        tables.map((t) => t.id),
        ['people'],
      );
      await table.insert([{ name: 'before' }]);
      // Schema evolution as BigQuery allows it: new NULLABLE columns at the end, REQUIRED relaxed.
      const evolvedSchema = [{ name: 'name', type: 'STRING', mode: 'NULLABLE' }, ...rowsSchema.slice(1), { name: 'email', type: 'STRING' }];
      await table.setMetadata({ description: 'who, with e-mail', schema: evolvedSchema });
      await table.insert([{ email: 'x@example.com' }]);
      const [evolved] = await table.getRows();
      assert.deepEqual(
        evolved.map((r) => [r.name, r.email]),
        [
          ['before', null],
          [null, 'x@example.com'],
        ],
      );
      await assert.rejects(table.setMetadata({ schema: [...evolvedSchema, { name: 'needed', type: 'STRING', mode: 'REQUIRED' }] }), {
        code: 400,
        message: /Cannot add required fields/,
      });
      await table.delete();
      [table] = await dataset.createTable('people', { schema: rowsSchema, description: 'who' });
      await assert.rejects(dataset.createTable('people', { schema: rowsSchema }), { code: 409 });
      await dataset.table('people').delete();
      assert.equal((await dataset.table('people').exists())[0], false);
      await assert.rejects(dataset.table('people').getMetadata(), { code: 404, message: `Not found: Table ${PROJECT}:tables_ds.people` });
    });
  });

  describe('insert, getRows and queries', () => {
    let table: Table;

    before(async () => {
      const [dataset] = await bigquery.createDataset('pipeline');
      [table] = await dataset.createTable('results', { schema: rowsSchema });
      await table.insert([
        { name: 'ann', n: 1, score: 1.5, ok: true, at: new Date('2024-01-01T10:00:00.123Z') },
        { name: 'bob', n: 2, score: 2, ok: false, at: bigquery.timestamp('2024-01-02T10:00:00.123456Z') },
        { name: 'cyd', n: 3, score: null, ok: null, at: null },
      ]);
    });

    it('reads rows back with getRows, typed by the client', async () => {
      const [rows] = await table.getRows();
      assert.equal(rows.length, 3);
      assert.deepEqual(
        rows.map((r) => [r.name, r.n, r.score, r.ok, r.at?.value ?? null]),
        [
          ['ann', 1, 1.5, true, '2024-01-01T10:00:00.123Z'],
          ['bob', 2, 2, false, '2024-01-02T10:00:00.123456000Z'],
          ['cyd', 3, null, null, null],
        ],
      );
    });

    it('pages getRows with maxResults', async () => {
      const [page1, next] = await table.getRows({ maxResults: 2, autoPaginate: false });
      assert.deepEqual(
        page1.map((r) => r.name),
        ['ann', 'bob'],
      );
      assert.ok(next && typeof next.pageToken === 'string');
      const [page2, last] = await table.getRows({ ...next, autoPaginate: false });
      assert.deepEqual(
        page2.map((r) => r.name),
        ['cyd'],
      );
      assert.equal(last, null);
    });

    it('runs bigquery.query() without parameters', async () => {
      const [rows] = await bigquery.query(`SELECT name, \`at\` FROM \`${PROJECT}.pipeline.results\` WHERE ok = TRUE`);
      assert.equal(rows.length, 1);
      assert.equal(rows[0].name, 'ann');
      assert.equal(rows[0].at.value, '2024-01-01T10:00:00.123Z');
    });

    it('runs bigquery.query() with named params', async () => {
      const [rows] = await bigquery.query({
        query: 'SELECT name, n, score FROM pipeline.results WHERE n >= @min AND `at` < @before ORDER BY n DESC',
        params: { min: 1, before: new Date('2024-01-02T10:00:00.124Z') },
      });
      assert.deepEqual(rows, [
        { name: 'bob', n: 2, score: 2 },
        { name: 'ann', n: 1, score: 1.5 },
      ]);
    });

    it('runs bigquery.query() with positional params and a typed null', async () => {
      const [rows] = await bigquery.query({
        query: 'SELECT COUNT(*) AS c, ? AS missing FROM pipeline.results WHERE name = ? OR name = ?',
        params: [null, 'ann', 'cyd'],
        types: ['STRING', 'STRING', 'STRING'],
      });
      assert.deepEqual(rows, [{ c: 2, missing: null }]);
    });

    it('runs createQueryJob, jobs.get and getQueryResults with paging', async () => {
      const [job, apiResponse] = await bigquery.createQueryJob({
        query: 'SELECT name, CURRENT_TIMESTAMP() AS now FROM pipeline.results ORDER BY name',
        jobId: 'my_query_job',
      });
      assert.equal(job.id, 'my_query_job');
      assert.equal(apiResponse.status?.state, 'DONE');
      const [metadata] = await job.getMetadata();
      assert.equal(metadata.jobReference.jobId, 'my_query_job');
      assert.equal(metadata.configuration.query.query.startsWith('SELECT name'), true);
      const [rows] = await job.getQueryResults();
      assert.deepEqual(
        rows.map((r) => r.name),
        ['ann', 'bob', 'cyd'],
      );
      assert.ok(Math.abs(new Date(rows[0].now.value).getTime() - Date.now()) < 60_000);
      const [first, next] = await job.getQueryResults({ maxResults: 2, autoPaginate: false });
      assert.deepEqual(
        first.map((r) => r.name),
        ['ann', 'bob'],
      );
      assert.ok(next?.pageToken);
      const [rest] = await job.getQueryResults({ ...next, autoPaginate: false });
      assert.deepEqual(
        rest.map((r) => r.name),
        ['cyd'],
      );
      await assert.rejects(bigquery.createQueryJob({ query: 'SELECT 1', jobId: 'my_query_job' }), { code: 409 });
    });

    it('reports a job that does not exist with 404', async () => {
      await assert.rejects(bigquery.job('no_such_job').getMetadata(), { code: 404 });
      await assert.rejects(bigquery.job('no_such_job').getQueryResults(), { code: 404 });
    });

    it('fails unsupported or wrong SQL with 400 invalidQuery', async () => {
      await assert.rejects(
        bigquery.query('SELECT name, ROW_NUMBER() OVER () FROM pipeline.results'),
        (err: { code: number; errors: { reason: string }[]; message: string }) => {
          assert.equal(err.code, 400);
          assert.equal(err.errors[0]!.reason, 'invalidQuery');
          assert.match(err.message, /OVER \(window functions\) is not supported by the local BigQuery/);
          return true;
        },
      );
      await assert.rejects(bigquery.createQueryJob('SELECT nope FROM pipeline.results'), /Unrecognized name: nope/);
      await assert.rejects(bigquery.query('SELECT 1 FROM pipeline.nope'), { code: 404 });
    });
  });

  describe('insert errors and insertId de-duplication', () => {
    let table: Table;

    before(async () => {
      const [dataset] = await bigquery.createDataset('inserts');
      [table] = await dataset.createTable('rows', { schema: rowsSchema });
    });

    beforeEach(() => server.reset());

    it('writes nothing when one row is invalid, and names each problem', async () => {
      await assert.rejects(
        table.insert([{ name: 'ok' }, { name: 'x', colour: 'red' }, { n: 'many' }], { partialRetries: 0 }),
        (err: { name: string; errors: { row: object; errors: { reason: string; message: string }[] }[] }) => {
          assert.equal(err.name, 'PartialFailureError');
          assert.deepEqual(
            err.errors.map((e) => e.errors.map((x) => `${x.reason}: ${x.message}`)),
            [
              ['stopped: '],
              ['invalid: no such field: colour.'],
              ['invalid: Missing required field: name.', 'invalid: Cannot convert value to integer (bad value): many (field n)'],
            ],
          );
          return true;
        },
      );
      assert.equal((await table.getRows())[0].length, 0);
    });

    it('writes the valid rows with skipInvalidRows and drops unknown fields with ignoreUnknownValues', async () => {
      await assert.rejects(
        table.insert([{ name: 'a' }, { name: 'b', n: 1.5 }], { skipInvalidRows: true, partialRetries: 0 }),
        (err: { errors: { row: { name: string } }[] }) => {
          assert.deepEqual(
            err.errors.map((e) => e.row.name),
            ['b'],
          );
          return true;
        },
      );
      await table.insert([{ name: 'c', colour: 'red' }], { ignoreUnknownValues: true });
      const [rows] = await table.getRows();
      assert.deepEqual(
        rows.map((r) => r.name),
        ['a', 'c'],
      );
    });

    it('de-duplicates rows by insertId', async () => {
      const rows = [
        { insertId: 'id-1', json: { name: 'first' } },
        { insertId: 'id-1', json: { name: 'first again' } },
        { insertId: 'id-2', json: { name: 'second' } },
      ];
      await table.insert(rows, { raw: true });
      await table.insert(rows.slice(0, 1), { raw: true });
      const [stored] = await table.getRows();
      assert.deepEqual(
        stored.map((r) => r.name),
        ['first', 'second'],
      );
    });
  });

  it('also works without an authClient (what function code does)', async () => {
    const plain = new BigQuery({ projectId: PROJECT });
    await plain.createDataset('no_auth');
    const [datasets] = await plain.getDatasets();
    assert.ok(datasets.some((d) => d.id === 'no_auth'));
  });
});
