import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { evaluate, evaluatedFunctions, INFRA_DIR, loadInfra, resource } from './support/terraformConfig';

/** BigQuery (bigquery.tf): one table per schema file, the names the code is given. */
describe('infra: BigQuery', () => {
  it('creates one table per infra/schemas/*.json, with that file as its schema', async () => {
    const schemaFiles = fs
      .readdirSync(`${INFRA_DIR}/schemas`)
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.replace(/\.json$/, ''));
    const { tables } = (await evaluate({ tables: 'local.bigquery_tables' })) as { tables: Record<string, string> };
    assert.deepEqual(Object.keys(tables).sort(), schemaFiles.sort());
    const table = resource(await loadInfra(), 'google_bigquery_table', 'pipeline');
    assert.equal(table.for_each, '${local.bigquery_tables}');
    assert.equal(table.schema, '${file("${path.module}/schemas/${each.key}.json")}');
    for (const name of schemaFiles) {
      const columns = JSON.parse(fs.readFileSync(`${INFRA_DIR}/schemas/${name}.json`, 'utf8')) as { name: string; type: string }[];
      assert.ok(Array.isArray(columns) && columns.every((c) => c.name && c.type), `schemas/${name}.json is not a BigQuery schema`);
    }
  });

  it('gives the code the table and dataset names it creates', async () => {
    const { pipeline, tables } = (await evaluate({ pipeline: 'local.pipeline', tables: 'local.bigquery_tables' })) as {
      pipeline: { dataset: string; inputs_table: string; results_table: string };
      tables: Record<string, string>;
    };
    assert.ok(pipeline.inputs_table in tables, 'the inputs table process writes is not created');
    assert.ok(pipeline.results_table in tables, 'the results table the workflow writes is not created');
    const { functions } = await evaluatedFunctions();
    assert.equal(functions.process.environment.BIGQUERY_INPUTS_TABLE, pipeline.inputs_table);
    assert.equal(functions.process.environment.BIGQUERY_DATASET, pipeline.dataset);
    assert.equal(resource(await loadInfra(), 'google_bigquery_dataset', 'pipeline').dataset_id, '${local.pipeline.dataset}');
  });

  it('protects the tables with deletion_protection', async () => {
    const config = await loadInfra();
    assert.equal(resource(config, 'google_bigquery_table', 'pipeline').deletion_protection, '${var.deletion_protection}');
    assert.equal(resource(config, 'google_bigquery_dataset', 'pipeline').delete_contents_on_destroy, '${!var.deletion_protection}');
  });
});
