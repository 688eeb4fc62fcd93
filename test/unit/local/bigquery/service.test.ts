import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { BigQuery } from '@google-cloud/bigquery';
import { repoPath } from '../../../../local/paths';
import { BigQueryService } from '../../../../local/bigquery/service';
import { localDatasets } from '../../../../local/wiring';
import { loadSchemaFile } from '../../../../local/bigquery/schema';
import { saveEnv } from '../../../support/env';

const context = { projectId: 'svc-project', location: 'us-central1', port: 0, endpoints: {} };

describe('BigQueryService (local cloud)', () => {
  describe('System A schema files', () => {
    for (const table of ['inputs', 'results']) {
      it(`infra/schemas/${table}.json is a Terraform schema with a description on every column`, () => {
        const raw = JSON.parse(fs.readFileSync(repoPath('infra', 'schemas', `${table}.json`), 'utf8')) as { description?: string }[];
        assert.ok(Array.isArray(raw));
        for (const field of raw) assert.ok(field.description && field.description.length > 10, JSON.stringify(field));
        loadSchemaFile(repoPath('infra', 'schemas', `${table}.json`));
      });
    }

    it('gives inputs one REQUIRED STRING column and results the four spec columns', () => {
      assert.deepEqual(
        loadSchemaFile(repoPath('infra/schemas/inputs.json')).map((f) => `${f.name}:${f.type}:${f.mode}`),
        ['input:STRING:REQUIRED'],
      );
      assert.deepEqual(
        loadSchemaFile(repoPath('infra/schemas/results.json')).map((f) => `${f.name}:${f.type}`),
        ['name:STRING', 'valid_input_check:STRING', 'process:STRING', 'timestamp:TIMESTAMP'],
      );
    });
  });

  describe('lifecycle', () => {
    const service = new BigQueryService({ datasets: localDatasets() });
    let restoreEnv: (() => void) | undefined;

    before(async () => {
      restoreEnv = saveEnv();
      const started = await service.start(context);
      assert.match(started.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.equal(started.env.BIGQUERY_EMULATOR_HOST, started.endpoint);
      assert.equal(started.env.METADATA_SERVER_DETECTION, 'none');
      assert.deepEqual(started.extra, { bigquery_dataset: 'pipeline' });
      // What the orchestrator does for a function process: apply the service's env.
      Object.assign(process.env, started.env);
    });

    after(async () => {
      restoreEnv?.();
      await service.stop();
      await service.stop();
    });

    it('is named bigquery and provisions System A tables from infra/schemas', async () => {
      assert.equal(service.name, 'bigquery');
      const bigquery = new BigQuery({ projectId: context.projectId });
      const [tables] = await bigquery.dataset('pipeline').getTables();
      assert.deepEqual(
        tables.map((t) => t.id),
        ['inputs', 'results'],
      );
      const [metadata] = await bigquery.dataset('pipeline').table('inputs').getMetadata();
      assert.equal(metadata.schema.fields[0].mode, 'REQUIRED');
      assert.match(metadata.schema.fields[0].description, /process/);
    });

    it('takes the insert the process function makes and the row the workflow writes', async () => {
      const bigquery = new BigQuery({ projectId: context.projectId });
      await bigquery
        .dataset('pipeline')
        .table('inputs')
        .insert([{ input: 'hello' }]);
      await bigquery
        .dataset('pipeline')
        .table('results')
        .insert([{ name: 'hello', valid_input_check: 'Success', process: 'Success', timestamp: new Date() }]);
      const [rows] = await bigquery.query({ query: 'SELECT COUNT(*) AS n FROM pipeline.inputs WHERE input = @x', params: { x: 'hello' } });
      assert.deepEqual(rows, [{ n: 1 }]);
      // A dashed project id may stay unquoted in FROM, as in GoogleSQL.
      const [results] = await bigquery.query('SELECT name, process FROM svc-project.pipeline.results');
      assert.deepEqual(results, [{ name: 'hello', process: 'Success' }]);
    });

    it('reset() empties the tables and keeps them, re-creating a deleted provisioned table', async () => {
      const bigquery = new BigQuery({ projectId: context.projectId });
      await bigquery.dataset('pipeline').table('results').delete();
      const [runtime] = await bigquery.dataset('pipeline').createTable('made_at_run_time', { schema: [{ name: 'a', type: 'STRING' }] });
      await runtime.insert([{ a: 'x' }]);
      await service.reset();
      const [rows] = await bigquery.dataset('pipeline').table('inputs').getRows();
      assert.deepEqual(rows, []);
      const [exists] = await bigquery.dataset('pipeline').table('results').exists();
      assert.equal(exists, true);
      const [kept] = await runtime.getRows();
      assert.deepEqual(kept, []);
    });

    it('POST /_local/reset does the same as reset()', async () => {
      const bigquery = new BigQuery({ projectId: context.projectId });
      await bigquery.dataset('pipeline').table('inputs').delete();
      const res = await fetch(`${process.env.BIGQUERY_EMULATOR_HOST}/_local/reset`, { method: 'POST' });
      assert.equal(res.status, 200);
      assert.equal((await bigquery.dataset('pipeline').table('inputs').exists())[0], true);
    });

    it('refuses a second start while running', async () => {
      await assert.rejects(service.start(context), /already started/);
    });
  });

  it('fails start-up with the name of a missing schema file, before taking a port', async () => {
    const service = new BigQueryService({
      datasets: [{ ...localDatasets()[0], tables: [{ tableId: 'x', schemaFile: 'infra/schemas/missing.json' }] }],
    });
    await assert.rejects(service.start(context), /infra\/schemas\/missing\.json/);
    assert.equal(service.running, undefined);
    await service.stop();
  });

  it('starts with no datasets and no extra keys', async () => {
    const service = new BigQueryService({ datasets: [] });
    const started = await service.start(context);
    assert.equal(started.extra, undefined);
    await service.stop();
  });
});
