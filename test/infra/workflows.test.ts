import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { repoPath } from '../../local/paths';
import { PIPELINE, WORKFLOW_DEPLOYMENTS } from '../../local/workflowDeployments';
import { evaluate, evaluatedFunctions, loadInfra, resource, type Block } from './support/terraformConfig';
import { workflowUserEnvVars } from './support/workflowEnv';

/** Workflows caps one HTTP call's timeout. */
const MAX_HTTP_TIMEOUT_SECONDS = 1800;

/**
 * The pipeline workflow (workflows.tf) against workflow.yaml, the functions it calls and the
 * local cloud, which deploys the same file with the same variables.
 */
describe('infra: pipeline workflow', () => {
  let workflow: Block;
  let pipeline: {
    workflow_name: string;
    process_timeout_seconds: number;
    inputs_table: string;
    results_table: string;
    state_collection: string;
    dataset: string;
  };
  before(async () => {
    workflow = resource(await loadInfra(), 'google_workflows_workflow', 'pipeline');
    ({ pipeline } = (await evaluate({ pipeline: 'local.pipeline' })) as { pipeline: typeof pipeline });
  });

  function sourceVariables(): Set<string> {
    return new Set(workflowUserEnvVars('workflow.yaml'));
  }

  it('deploys workflow.yaml itself', () => {
    assert.equal(workflow.source_contents, '${file("${path.module}/../workflow.yaml")}');
    assert.equal(workflow.name, '${local.pipeline.workflow_name}');
  });

  it('sets every variable workflow.yaml reads, and only those', () => {
    const given = Object.keys(workflow.user_env_vars as Record<string, string>).sort();
    assert.deepEqual(given, [...sourceVariables()].sort());
    for (const name of given)
      assert.doesNotMatch(name, /^(GOOGLE|WORKFLOWS)/, `${name}: Workflows rejects user variables with this prefix`);
    assert.ok(given.length <= 20, 'Workflows accepts at most 20 user_env_vars');
  });

  it('uses the names the local cloud uses (workflow, dataset, tables, state collection)', () => {
    assert.deepEqual(PIPELINE, {
      workflow: pipeline.workflow_name,
      dataset: pipeline.dataset,
      inputsTable: pipeline.inputs_table,
      resultsTable: pipeline.results_table,
      stateCollection: pipeline.state_collection,
    });
  });

  it('gives it the same variables as the local cloud does', () => {
    const local = WORKFLOW_DEPLOYMENTS.find((d) => d.workflowId === pipeline.workflow_name);
    assert.ok(local, `the local cloud deploys no workflow named ${pipeline.workflow_name}`);
    assert.equal(local.sourceFile, 'workflow.yaml');
    const endpoints = { functions: new Proxy({}, { get: () => 'http://localhost' }), location: 'local' } as never;
    const localNames = Object.keys(local.userEnvVars(endpoints, {})).sort();
    assert.deepEqual(Object.keys(workflow.user_env_vars as Record<string, string>).sort(), localNames);
  });

  it('points the URLs at the functions they name and the results at the results table', () => {
    const vars = workflow.user_env_vars as Record<string, string>;
    assert.equal(vars.IS_VALID_INPUT_URL, '${google_cloudfunctions2_function.function["isValidInput"].service_config[0].uri}');
    assert.equal(vars.PROCESS_URL, '${google_cloudfunctions2_function.function["process"].service_config[0].uri}');
    assert.equal(vars.BIGQUERY_RESULTS_TABLE, '${google_bigquery_table.pipeline[local.pipeline.results_table].table_id}');
    assert.equal(vars.PIPELINE_STATE_COLLECTION, '${local.pipeline.state_collection}');
  });

  it('waits for process longer than its delay, within what Workflows allows', async () => {
    const vars = workflow.user_env_vars as Record<string, string>;
    assert.equal(vars.PROCESS_TIMEOUT_SECONDS, '${tostring(local.pipeline.process_timeout_seconds)}');
    const { functions } = await evaluatedFunctions();
    const delay = Number(functions.process.environment.PROCESS_DELAY_SECONDS);
    assert.ok(pipeline.process_timeout_seconds > delay, 'the workflow would give up on process before it answers');
    assert.ok(functions.process.timeout_seconds > delay, 'process would be killed before its delay ends');
    assert.ok(pipeline.process_timeout_seconds <= MAX_HTTP_TIMEOUT_SECONDS);
    // The largest delay the variable accepts must still fit.
    const { timeout } = await evaluate({ timeout: 'local.pipeline.process_timeout_seconds' }, { process_delay_seconds: '1740' });
    assert.ok(timeout <= MAX_HTTP_TIMEOUT_SECONDS, `process_delay_seconds=1740 gives a ${timeout}s call timeout`);
  });

  it('tells triggerWorkflow and checkStatus the workflow Terraform creates', async () => {
    const { functions } = await evaluatedFunctions();
    for (const name of ['triggerWorkflow', 'checkStatus']) {
      assert.equal(functions[name].environment.WORKFLOW_NAME, pipeline.workflow_name, `WORKFLOW_NAME of ${name}`);
      assert.equal(
        functions[name].environment.WORKFLOW_LOCATION,
        (await loadInfra()).variables.region.default,
        `WORKFLOW_LOCATION of ${name} must be var.region`,
      );
      assert.equal(functions[name].environment.PIPELINE_STATE_COLLECTION, pipeline.state_collection);
    }
    assert.equal(workflow.region, '${var.region}');
  });

  it('runs as its own account, which may invoke exactly the private functions it calls', async () => {
    assert.equal(workflow.service_account, '${google_service_account.workflow.id}');
    const { invoked } = (await evaluate({ invoked: 'local.workflow_invoked_functions' })) as { invoked: string[] };
    const source = fs.readFileSync(repoPath('workflow.yaml'), 'utf8');
    const called = [...sourceVariables()].filter((v) => v.endsWith('_URL')).map((v) => v.replace(/_URL$/, ''));
    const toEntryPoint = (v: string): string => v.toLowerCase().replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
    assert.deepEqual([...invoked].sort(), called.map(toEntryPoint).sort());
    assert.match(source, /auth:\s*\n\s*type: OIDC/, 'the workflow must call the functions with OIDC tokens');
  });
});
