import * as assert from 'node:assert/strict';
import { allResources, evaluate, evaluateInstances, loadInfra } from './support/terraformConfig';

/**
 * The APIs each resource type needs. A resource whose API is off fails at apply time, in a fresh
 * project only, which is exactly the deploy a new user attempts first. A new resource type gets
 * an entry here (and its API in apis.tf).
 */
const APIS_BY_RESOURCE_PREFIX: [prefix: string, apis: string[]][] = [
  [
    'google_cloudfunctions2_',
    ['cloudfunctions.googleapis.com', 'run.googleapis.com', 'cloudbuild.googleapis.com', 'artifactregistry.googleapis.com'],
  ],
  ['google_cloud_run_', ['run.googleapis.com']],
  ['google_cloud_scheduler_', ['cloudscheduler.googleapis.com']],
  ['google_firestore_', ['firestore.googleapis.com']],
  ['google_logging_', ['logging.googleapis.com']],
  ['google_storage_', ['storage.googleapis.com']],
  ['google_service_account', ['iam.googleapis.com']],
  ['google_project_iam_', ['cloudresourcemanager.googleapis.com']],
  ['google_bigquery_', ['bigquery.googleapis.com']],
  ['google_workflows_', ['workflows.googleapis.com', 'workflowexecutions.googleapis.com']],
  ['google_pubsub_', ['pubsub.googleapis.com']],
  ['google_cloud_tasks_', ['cloudtasks.googleapis.com']],
  ['google_secret_manager_', ['secretmanager.googleapis.com']],
  ['google_monitoring_', ['monitoring.googleapis.com']],
  ['google_project_service', []],
];

describe('infra: APIs', () => {
  it('enables the API of every resource type it creates', async () => {
    const { apis } = (await evaluate({ apis: 'local.apis' })) as { apis: string[] };
    const enabled = new Set(apis);
    for (const { type, name } of allResources(await loadInfra())) {
      const entry = APIS_BY_RESOURCE_PREFIX.find(([prefix]) => type.startsWith(prefix));
      assert.ok(entry, `${type}.${name}: which API does it need? Add it to apis.tf and to this test`);
      for (const api of entry[1]) assert.ok(enabled.has(api), `${type}.${name} needs ${api}, missing from local.apis`);
    }
  });

  it('enables them with google_project_service and keeps them on at destroy', async () => {
    const { apis } = (await evaluate({ apis: 'local.apis' })) as { apis: string[] };
    const instances = await evaluateInstances('google_project_service', 'enabled');
    assert.deepEqual(Object.keys(instances).sort(), [...apis].sort(), 'one instance per API');
    for (const api of apis) {
      assert.equal(instances[api].service, api);
      assert.equal(instances[api].disable_on_destroy, false, `${api} stays on at destroy`);
    }
  });

  it('makes every resource that calls an API wait for the APIs to be enabled', async () => {
    // A resource that references another managed resource is ordered after it, and so after
    // the APIs; a root (one referencing none) must declare the dependency itself.
    for (const { type, name, block } of allResources(await loadInfra())) {
      if (type === 'google_project_service') continue;
      const { depends_on: dependsOn = [], ...rest } = block as { depends_on?: string[] };
      const referencesResource = /\$\{[^}]*\b(google_(?!project_service\b)[a-z0-9_]+)\.[a-z0-9_]+/.test(JSON.stringify(rest));
      // Depending on a resource that waits for the APIs (the database, say) is as good.
      const dependsOnApis = dependsOn.some((d) => /\bgoogle_[a-z0-9_]+\.[a-z0-9_]+/.test(d));
      assert.ok(
        referencesResource || dependsOnApis,
        `${type}.${name} references no other resource, so it needs depends_on = [google_project_service.enabled]`,
      );
    }
  });
});
