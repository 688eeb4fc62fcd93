import * as assert from 'node:assert/strict';
import { FUNCTIONS } from '../../functions/catalog';
import { allResources, evaluate, evaluatedFunctions, loadInfra, resource, type InfraConfig } from './support/terraformConfig';

/** Basic roles grant near-everything in the project; no account of the kit ever needs one. */
const BASIC_ROLES = ['roles/owner', 'roles/editor', 'roles/viewer'];
/** Members that make a binding public. */
const PUBLIC_MEMBERS = ['allUsers', 'allAuthenticatedUsers'];

/** Service accounts, roles and who may invoke what (iam.tf). */
describe('infra: IAM', () => {
  let config: InfraConfig;
  let roles: {
    functionRoles: Record<string, string[]>;
    tableRoles: Record<string, { table: string; roles: string[] }>;
    otherRoles: string[][];
    bindings: Record<string, { function: string; role: string }>;
    publicFunctions: Record<string, unknown>;
    workflowInvoked: string[];
    memberInvoked: string[];
  };
  before(async () => {
    config = await loadInfra();
    roles = (await evaluate(
      {
        functionRoles: 'local.function_roles',
        tableRoles: 'local.function_table_roles',
        otherRoles: '[local.function_builder_roles, local.workflow_roles, local.workflow_table_roles.roles, local.groups_workflow_roles]',
        // Private functions are invoked by a workflow (the pipeline's, or the groups workflow's nodeSim),
        // by Pub/Sub pushes and Cloud Scheduler (System E's workers and sweeper), or by the form admins.
        workflowInvoked:
          'concat(local.workflow_invoked_functions, local.groups_workflow_invoked_functions, tolist(local.push_invoked_functions), tolist(local.scheduler_invoked_functions), local.form_admin_invoked_functions)',
        bindings: 'local.function_role_bindings',
        publicFunctions: 'local.public_functions',
        // The group operations, private by default, by the members of var.group_operation_invokers.
        memberInvoked: 'local.member_invoked_functions',
        // As a test project has it, so every catalog function is deployed.
      },
      { deploy_node_simulator: 'true' },
    )) as typeof roles;
  });

  it('lists the roles of every function, and only of functions that exist', () => {
    assert.deepEqual(Object.keys(roles.functionRoles).sort(), FUNCTIONS.map((f) => f.name).sort());
  });

  it('never grants a basic role', () => {
    for (const [name, list] of [
      ...Object.entries(roles.functionRoles),
      ...Object.entries(roles.tableRoles).map(([name, grant]): [string, string[]] => [name, grant.roles]),
    ]) {
      for (const role of list) assert.ok(!BASIC_ROLES.includes(role), `${name} is granted ${role}`);
    }
    for (const role of roles.otherRoles.flat()) assert.ok(!BASIC_ROLES.includes(role), `an account is granted ${role}`);
    // Nor anywhere else, written literally.
    for (const { type, name, block } of allResources(config)) {
      if (typeof block.role === 'string') assert.ok(!BASIC_ROLES.includes(block.role), `${type}.${name} grants ${block.role}`);
    }
  });

  it('gives the tag counter functions Firestore access and nothing more', () => {
    assert.deepEqual(roles.functionRoles.incrementTag, ['roles/datastore.user']);
    // tagStats only reads.
    assert.deepEqual(roles.functionRoles.tagStats, ['roles/datastore.viewer']);
    assert.deepEqual(roles.functionRoles.docs, []);
  });

  it('lets someone invoke every private function, or it could never be called', () => {
    for (const f of FUNCTIONS.filter((fn) => !fn.public)) {
      assert.ok(
        roles.workflowInvoked.includes(f.name) || roles.memberInvoked.includes(f.name),
        `${f.name} is private and nobody is granted run.invoker on it`,
      );
    }
    for (const name of roles.workflowInvoked) {
      assert.ok(
        FUNCTIONS.some((f) => f.name === name),
        `workflow_invoked_functions names ${name}, which is not in the catalog`,
      );
    }
  });

  it('grants BigQuery roles table by table, only to functions that exist, never on the whole dataset', () => {
    for (const name of Object.keys(roles.tableRoles)) assert.ok(name in roles.functionRoles, `function_table_roles names ${name}`);
    assert.deepEqual(roles.tableRoles.process, { table: 'inputs', roles: ['roles/bigquery.dataEditor'] });
    assert.deepEqual(
      allResources(config).filter((r) => r.type === 'google_bigquery_dataset_iam_member'),
      [],
      'no dataset-wide grant',
    );
    assert.equal(
      resource(config, 'google_bigquery_table_iam_member', 'workflow').table_id,
      '${google_bigquery_table.pipeline[local.workflow_table_roles.table].table_id}',
    );
  });

  it('binds exactly the listed roles, one project binding per (function, role)', () => {
    const expected = Object.entries(roles.functionRoles).flatMap(([fn, list]) => list.map((role) => `${fn} ${role}`));
    assert.deepEqual(Object.keys(roles.bindings).sort(), expected.sort());
    const binding = resource(config, 'google_project_iam_member', 'function');
    assert.equal(binding.for_each, '${local.function_role_bindings}');
    assert.equal(binding.member, 'serviceAccount:${google_service_account.function[each.value.function].email}');
  });

  it('only adds IAM members, never replaces a project policy or binding', () => {
    // google_project_iam_policy/binding are authoritative: applying one would remove every
    // grant in the project not written here, including the owners'.
    for (const { type, name } of allResources(config)) {
      assert.ok(!/_iam_(policy|binding)$/.test(type), `${type}.${name} is authoritative; use the _iam_member resource`);
    }
  });

  it('lets allUsers invoke exactly the public catalog functions', async () => {
    const publicInCatalog = FUNCTIONS.filter((f) => f.public)
      .map((f) => f.name)
      .sort();
    assert.deepEqual(Object.keys(roles.publicFunctions).sort(), publicInCatalog);
    const { functions } = await evaluatedFunctions();
    for (const f of FUNCTIONS) assert.equal(functions[f.name].public, f.public, `public flag of ${f.name}`);

    const invoker = resource(config, 'google_cloud_run_service_iam_member', 'public_invoker');
    assert.equal(invoker.for_each, '${local.public_functions}');
    assert.equal(invoker.role, 'roles/run.invoker');
    assert.equal(invoker.member, 'allUsers');
    assert.equal(invoker.service, '${google_cloudfunctions2_function.function[each.key].name}');
    // No other resource makes anything public.
    for (const { type, name, block } of allResources(config)) {
      if (type === 'google_cloud_run_service_iam_member' && name === 'public_invoker') continue;
      const members = [block.member, ...(Array.isArray(block.members) ? block.members : [])];
      for (const member of members) {
        assert.ok(!PUBLIC_MEMBERS.includes(member as string), `${type}.${name} grants ${String(block.role)} to ${String(member)}`);
      }
    }
  });

  it('gives every function a valid service account id of its own', async () => {
    const account = resource(config, 'google_service_account', 'function');
    assert.equal(account.account_id, 'fn-${local.service_names[each.key]}');
    const { serviceNames } = await evaluatedFunctions();
    const ids = Object.values(serviceNames).map((name) => `fn-${name}`);
    assert.equal(new Set(ids).size, ids.length, 'two functions share a service account id');
    // IAM refuses anything else, at apply time.
    for (const id of ids) assert.match(id, /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/, `service account id ${id}`);
  });

  it('builds with the dedicated builder account', () => {
    const fn = resource(config, 'google_cloudfunctions2_function', 'function');
    assert.equal(fn.build_config[0].service_account, '${google_service_account.function_builder.id}');
  });
});
